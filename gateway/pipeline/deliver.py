"""From protected tables to delivered cells, ledger rows and the stored extract result."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from gateway.delivery import DeliveredCell, Delivery, DeliveryHeader, delivered_category
from gateway.delivery.model import publishable, published_value
from gateway.pipeline.compute import Computed, shown_categories, stored_terms
from gateway.pipeline.protection import ProtectedCell
from gateway.pipeline.request import ExtractRequest, TerritoryCell
from policies.catalogue import Catalogue, Indicator
from policies.secrecy import TOTAL, Reason, Status
from policies.secrecy.rules import Rule

RATIO_WARNING = (
    "Taux : la valeur est masquée dès que son numérateur ou son dénominateur l'est ; "
    "un taux dont le dénominateur est nul n'a pas de valeur : il est marqué « so » (sans "
    "objet), sans valeur, et n'est jamais publié à 0."
)


def delivered_cells(
    request: ExtractRequest,
    catalogue: Catalogue,
    territories: Sequence[TerritoryCell],
    computed: Computed,
) -> tuple[DeliveredCell, ...]:
    """Lay out every delivered cell: indicator x period x territory x category."""
    cells = []
    for code in request.indicators:
        indicator = catalogue.get(code)
        # One read-only mapping per category, shared by its cells (15,000 in a département).
        shown = [
            (category, _categories(indicator, category))
            for category in shown_categories(indicator, catalogue, request)
        ]
        for period in request.periods:
            for territory in territories:
                for category, coords in shown:
                    cells.append(_cell(indicator, period, territory, category, coords, computed))
    return tuple(cells)


def _categories(indicator: Indicator, category: str) -> Mapping[str, str]:
    if not indicator.breakdowns:
        return MappingProxyType({})
    return MappingProxyType({indicator.breakdowns[0]: delivered_category(category)})


def _cell(
    indicator: Indicator,
    period: int,
    territory: TerritoryCell,
    category: str,
    categories: Mapping[str, str],
    computed: Computed,
) -> DeliveredCell:
    if indicator.is_ratio:
        numerator, denominator = (
            computed.cell(t, period, territory, TOTAL) for t in stored_terms(indicator)
        )
        status, value, reason = _ratio(numerator, denominator, indicator.multiplier or 1.0)
    else:
        protected = computed.cell(indicator.code, period, territory, category)
        status, reason = protected.status, protected.reason
        # Rounded here, once: a cell built unrounded would be built again by `publishable`.
        value = None if status.suppressed else published_value(protected.value, indicator.kind)
    return DeliveredCell(
        indicator=indicator.code,
        period=period,
        territory_level=territory.level.value,
        territory_code=territory.code,
        territory_label=territory.label,
        categories=categories,
        value=value,
        status=status,
        reason=reason,
        unit_label=indicator.unit_label,
        straddles=territory.straddles,
    )


def _ratio(
    numerator: ProtectedCell, denominator: ProtectedCell, multiplier: float
) -> tuple[Status, float | None, Reason]:
    """A ratio is secret when a term is; otherwise it is computed from the true terms.

    A zero denominator leaves it empty and without value ("sans objet"), never 0.
    """
    if numerator.status.suppressed or denominator.status.suppressed:
        return Status.SECONDARY, None, Reason.RATIO
    if denominator.value == 0:
        return Status.EMPTY, None, Reason.ZERO_DENOMINATOR
    value = round(numerator.value / denominator.value * multiplier, 4)
    return Status.SAFE, value, Reason.NONE


def released_cells(
    request: ExtractRequest,
    catalogue: Catalogue,
    territories: Sequence[TerritoryCell],
    computed: Computed,
) -> Iterator[tuple[str, int, str, frozenset[str], bool, float | None]]:
    """Yield the ledger rows: every stored-term cell the delivery shows or implies.

    A ratio's terms count as released: the protection treated them as published.
    """
    seen: set[tuple[str, int, str, str, str]] = set()
    for code in request.indicators:
        indicator = catalogue.get(code)
        for term in stored_terms(indicator):
            categories = (
                (TOTAL,) if indicator.is_ratio else shown_categories(indicator, catalogue, request)
            )
            for period in request.periods:
                for territory in territories:
                    for category in categories:
                        key = (term, period, territory.level.value, territory.code, category)
                        if key in seen:
                            continue
                        seen.add(key)
                        cell = computed.cell(term, period, territory, category)
                        published = not cell.status.suppressed
                        yield term, period, category, territory.communes, published, cell.value


def build_delivery(
    header: DeliveryHeader,
    request_indicators: Sequence[str],
    catalogue: Catalogue,
    cells: tuple[DeliveredCell, ...],
) -> Delivery:
    """Assemble the delivery the renderers turn into files."""
    indicators = tuple(catalogue.get(code) for code in request_indicators)
    kinds = {ind.code: ind.kind for ind in indicators}
    cells = tuple(publishable(cell, kinds[cell.indicator]) for cell in cells)
    used = {b for ind in indicators for b in ind.breakdowns}
    warnings = (RATIO_WARNING,) if any(i.is_ratio for i in indicators) else ()
    return Delivery(
        header=header,
        indicators=indicators,
        breakdowns={b: catalogue.breakdown(b) for b in catalogue.breakdowns if b in used},
        cells=cells,
        rules={i.code: _rules(i, catalogue) for i in indicators},
        interval_percent=max(_interval(i, catalogue) for i in indicators),
        warnings=warnings,
        source_citations=tuple(dict.fromkeys(i.citation for i in indicators)),
    )


def _rules(indicator: Indicator, catalogue: Catalogue) -> tuple[Rule, ...]:
    if not indicator.is_ratio:
        return indicator.secrecy.rules
    return tuple(
        dict.fromkeys(r for t in stored_terms(indicator) for r in catalogue.get(t).secrecy.rules)
    )


def _interval(indicator: Indicator, catalogue: Catalogue) -> float:
    return max(catalogue.get(t).secrecy.interval_percent for t in stored_terms(indicator))


# --- the stored result: enough to re-render the extract in any format later --------------

#: Status words of the stored result, as stored since the first extract; a cell without
#: object (`DeliveredCell.without_object`) is stored as such, whatever its status.
STORED_STATUSES: Mapping[Status, str] = MappingProxyType(
    {
        Status.SAFE: "diffuse",
        Status.PRIMARY: "secret_primaire",
        Status.SECONDARY: "secret_secondaire",
        Status.EMPTY: "zero",
        Status.APRIORI_PUBLISHED: "connu",
    }
)
STORED_WITHOUT_OBJECT = "sans_objet"
_FROM_STORED = {word: status for status, word in STORED_STATUSES.items()}


def cells_to_json(cells: Sequence[DeliveredCell]) -> list[dict[str, Any]]:
    return [
        {
            "indicateur": c.indicator,
            "periode": c.period,
            "niveau": c.territory_level,
            "code": c.territory_code,
            "libelle": c.territory_label,
            "categories": dict(c.categories),
            "valeur": c.value,
            "statut": STORED_WITHOUT_OBJECT if c.without_object else STORED_STATUSES[c.status],
            "symbole": c.symbol,
            "motif": c.reason.value or None,
            "unite": c.unit_label,
            "a_cheval": list(c.straddles),
        }
        for c in cells
    ]


def cells_from_json(rows: Sequence[Mapping[str, Any]]) -> tuple[DeliveredCell, ...]:
    return tuple(_cell_from_json(row) for row in rows)


def _cell_from_json(row: Mapping[str, Any]) -> DeliveredCell:
    """Read a stored cell; a ratio of zero denominator stored at 0 before it had its own
    status ("zero", motif "ratio_denominateur_nul") is read as without object."""
    reason = Reason(row["motif"] or "")
    without_object = reason is Reason.ZERO_DENOMINATOR or row["statut"] == STORED_WITHOUT_OBJECT
    return DeliveredCell(
        indicator=row["indicateur"],
        period=row["periode"],
        territory_level=row["niveau"],
        territory_code=row["code"],
        territory_label=row["libelle"],
        categories=row["categories"],
        value=None if without_object else row["valeur"],
        status=Status.EMPTY if without_object else _FROM_STORED[row["statut"]],
        reason=Reason.ZERO_DENOMINATOR if without_object else reason,
        unit_label=row["unite"],
        straddles=tuple(row.get("a_cheval") or ()),
    )


def stored_delivery(extract: Any, catalogue: Catalogue) -> Delivery:
    """Rebuild the delivery of a stored extract, to render it again in any format."""
    result = extract.result
    price = result.get("prix")
    header = replace(
        DeliveryHeader.from_json(result["contexte"]),
        price_total=None if price is None else Decimal(price),
    )
    cells = cells_from_json(result["cellules"])
    indicators = tuple(dict.fromkeys(c.indicator for c in cells)) or tuple(
        extract.request["indicators"]
    )
    return build_delivery(header, indicators, catalogue, cells)
