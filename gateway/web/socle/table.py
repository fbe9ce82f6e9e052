"""A socle delivery as the page shows it: a table (territories x years), a chart, a legend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.delivery import SYMBOL_MEANINGS, TOTAL, DeliveredCell, Delivery
from gateway.web.shown import ShownCell, show
from policies.catalogue import Indicator

TOTAL_LABEL = "Ensemble"
#: A year the publication has no cell for (the page asks the years the form offers).
MISSING = "n.d."
MEANINGS = {
    **SYMBOL_MEANINGS,
    MISSING: "non disponible : l’année n’est pas publiée pour ce territoire.",
}


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    category: str  # the category's label, "" without breakdown
    cells: tuple[ShownCell, ...]


@dataclass(frozen=True)
class SocleTable:
    """Rows (territory, category) by columns (years), the symbols met and their meaning."""

    indicator: Indicator
    unit: str
    periods: tuple[int, ...]
    rows: tuple[Row, ...]
    breakdown: str  # the breakdown's label, "" without breakdown
    legend: tuple[tuple[str, str], ...]

    @property
    def secret_count(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.secret)

    def chart(self) -> dict[str, Any]:
        """Return the chart's data: the totals by territory, one series per year."""
        totals = [row for row in self.rows if row.category in ("", TOTAL_LABEL)]
        return {
            "titre": self.indicator.label,
            "unite": self.unit,
            "territoires": [f"{row.label} ({row.code})" for row in totals],
            "series": [
                {
                    "nom": str(period),
                    "valeurs": [row.cells[i].value for row in totals],
                    "symboles": [row.cells[i].symbol for row in totals],
                }
                for i, period in enumerate(self.periods)
            ],
        }


def shown(cell: DeliveredCell | None, indicator: Indicator) -> ShownCell:
    """Show a cell: its value in French, or its symbol; never a secret as 0 or as a blank."""
    if cell is None:
        return ShownCell(MISSING, MISSING, None)
    return show(cell.symbol, cell.value if cell.has_value else None, indicator)


def socle_table(delivery: Delivery, periods: tuple[int, ...]) -> SocleTable:
    """Lay the delivery of one indicator out as territories (and categories) by years."""
    indicator = delivery.indicators[0]
    column = delivery.breakdown_columns[0] if delivery.breakdown_columns else None
    labels = _category_labels(delivery, column)
    by_key: dict[tuple[str, str, str], dict[int, DeliveredCell]] = {}
    names: dict[str, str] = {}
    for cell in delivery.cells:
        category = cell.categories.get(column, TOTAL) if column else TOTAL
        key = (cell.territory_level, cell.territory_code, category)
        by_key.setdefault(key, {})[cell.period] = cell
        names[cell.territory_code] = cell.territory_label
    rows = tuple(
        Row(
            code,
            names[code],
            labels.get(category, category) if column else "",
            tuple(shown(cells.get(p), indicator) for p in periods),
        )
        for (_, code, category), cells in by_key.items()
    )
    symbols = {cell.symbol for row in rows for cell in row.cells if cell.symbol}
    unit = delivery.cells[0].unit_label if delivery.cells else indicator.unit_label
    return SocleTable(
        indicator=indicator,
        unit=unit,
        periods=periods,
        rows=rows,
        breakdown=delivery.breakdowns[column].label if column else "",
        legend=tuple((s, MEANINGS[s]) for s in MEANINGS if s in symbols),
    )


def _category_labels(delivery: Delivery, column: str | None) -> Mapping[str, str]:
    if column is None:
        return {}
    categories = {c.code: c.label for c in delivery.breakdowns[column].categories}
    return {**categories, TOTAL: TOTAL_LABEL}
