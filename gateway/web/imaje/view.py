"""An IMAJE screen as its page shows it: a table, its charts, the symbols met, each fiche.

Built from the service's screen (`gateway.services.extracts.screens.Screen`): its series, the
same the API answers, give the table's rows and the charts' points; a secret point is `s`
in both, never 0 and never a blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.delivery import SYMBOL_MEANINGS
from gateway.services.extracts.screens import REFERENCE, STUDY, Screen, series
from gateway.web.shown import ShownCell, show
from policies.catalogue import Indicator

#: A year the screen has no cell for (not expected: said rather than left blank).
MISSING = "n.d."
MEANINGS = {**SYMBOL_MEANINGS, MISSING: "non disponible : aucune donnée pour cette année."}
SIDE_LABELS = {STUDY: "Zone d’étude", REFERENCE: "Zone de référence"}


@dataclass(frozen=True)
class Row:
    """A line of the table: an indicator on a territory, year by year."""

    indicator: Indicator
    level: str
    code: str
    label: str
    points: tuple[ShownCell, ...]
    side: str = ""  # a comparison's side label

    @property
    def territory(self) -> str:
        return f"{self.label} ({self.code})"


@dataclass(frozen=True)
class ScreenView:
    """The screen's table (rows by years), its indicators and the symbols it shows."""

    extract_id: str
    periods: tuple[int, ...]
    rows: tuple[Row, ...]
    indicators: tuple[Indicator, ...]
    legend: tuple[tuple[str, str], ...]
    synthetic: bool
    warnings: tuple[str, ...]

    @property
    def secret_count(self) -> int:
        return sum(1 for row in self.rows for point in row.points if point.secret)

    @property
    def compared(self) -> bool:
        return any(row.side for row in self.rows)

    def charts(self) -> list[dict[str, Any]]:
        """Return the chart data: bars for a comparison, lines by unit for a history."""
        return [self._bars()] if self.compared else self._lines()

    def _lines(self) -> list[dict[str, Any]]:
        """One line chart per unit (indicators of one unit share their axis)."""
        by_unit: dict[str, list[Row]] = {}
        for row in self.rows:
            by_unit.setdefault(row.indicator.unit_label, []).append(row)
        several = len(self.indicators) > 1
        return [
            {
                "type": "lignes",
                "titre": " ; ".join(dict.fromkeys(r.indicator.label for r in rows)),
                "unite": unit,
                "annees": [str(p) for p in self.periods],
                "series": [
                    _serie(r.indicator.label if several else r.territory, r.points) for r in rows
                ],
            }
            for unit, rows in by_unit.items()
        ]

    def _bars(self) -> dict[str, Any]:
        """One bar chart: a bar per territory (study side first), one series per year."""
        indicator = self.rows[0].indicator if self.rows else self.indicators[0]
        return {
            "type": "barres",
            "titre": indicator.label,
            "unite": indicator.unit_label,
            "territoires": [f"{row.side} : {row.territory}" for row in self.rows],
            "series": [
                {
                    "nom": str(period),
                    "valeurs": [row.points[i].value for row in self.rows],
                    "symboles": [row.points[i].symbol for row in self.rows],
                }
                for i, period in enumerate(self.periods)
            ],
        }


def _serie(name: str, points: Sequence[ShownCell]) -> dict[str, Any]:
    return {
        "nom": name,
        "valeurs": [p.value for p in points],
        "symboles": [p.symbol for p in points],
    }


def screen_view(screen: Screen) -> ScreenView:
    """Lay the screen's series out as the page's table (a comparison: study side first)."""
    indicators = {ind.code: ind for ind in screen.delivery.indicators}
    sides = screen.sides or {"": screen.table}
    lines = [
        (SIDE_LABELS.get(side, ""), line) for side, table in sides.items() for line in series(table)
    ]
    periods = tuple(sorted({p["periode"] for _, line in lines for p in line["points"]}))
    rows = tuple(
        Row(
            indicator=indicators[line["indicateur"]],
            level=line["niveau"],
            code=line["code"],
            label=line["libelle"],
            points=_points(line["points"], periods, indicators[line["indicateur"]]),
            side=side,
        )
        for side, line in lines
    )
    symbols = {point.symbol for row in rows for point in row.points if point.symbol}
    return ScreenView(
        extract_id=screen.extract_id,
        periods=periods,
        rows=rows,
        indicators=screen.delivery.indicators,
        legend=tuple((s, MEANINGS[s]) for s in MEANINGS if s in symbols),
        synthetic=screen.delivery.header.synthetic,
        warnings=screen.delivery.warnings,
    )


def _points(
    points: Sequence[Mapping[str, Any]], periods: Sequence[int], indicator: Indicator
) -> tuple[ShownCell, ...]:
    by_period = {p["periode"]: p for p in points}
    return tuple(_shown(by_period.get(period), indicator) for period in periods)


def _shown(point: Mapping[str, Any] | None, indicator: Indicator) -> ShownCell:
    """Show a point: its value in French, or its symbol; a secret is never 0 nor blank."""
    if point is None:
        return ShownCell(MISSING, MISSING, None)
    value = point["valeur"]
    return show(str(point["statut"]), None if value is None else float(value), indicator)
