"""From protected tables to delivered cells, ledger rows and the stored extract result."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from gateway.delivery import TOTAL as DELIVERY_TOTAL
from gateway.delivery import DeliveredCell, DeliveredStatus, Delivery
from gateway.delivery.model import ExcludedTerritory, publishable, published_value
from gateway.pipeline.compute import Computed, shown_categories, stored_terms
from gateway.pipeline.protection import ProtectedCell
from gateway.pipeline.request import ExtractRequest, TerritoryCell
from policies.catalogue import Catalogue, Indicator
from policies.secrecy import TOTAL

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
        for period in request.periods:
            for territory in territories:
                for category in shown_categories(indicator, catalogue, request):
                    cells.append(_cell(indicator, period, territory, category, computed))
    return tuple(cells)


def _categories(indicator: Indicator, category: str) -> dict[str, str]:
    if not indicator.breakdowns:
        return {}
    return {indicator.breakdowns[0]: DELIVERY_TOTAL if category == TOTAL else category}


def _cell(
    indicator: Indicator,
    period: int,
    territory: TerritoryCell,
    category: str,
    computed: Computed,
) -> DeliveredCell:
    if indicator.is_ratio:
        numerator, denominator = (
            computed.cell(t, period, territory, TOTAL) for t in stored_terms(indicator)
        )
        status, value, ratio_reason = _ratio(numerator, denominator, indicator.multiplier or 1.0)
        reason: str | None = ratio_reason
    else:
        protected = computed.cell(indicator.code, period, territory, category)
        status = DeliveredStatus.from_engine(protected.status.value)
        # Rounded here, once: a cell built unrounded would be built again by `publishable`.
        value = None if status.secret else published_value(protected.value, indicator.kind)
        reason = protected.reason or None
    return DeliveredCell(
        indicator=indicator.code,
        period=period,
        territory_level=territory.level.value,
        territory_code=territory.code,
        territory_label=territory.label,
        categories=_categories(indicator, category),
        value=value,
        status=status,
        reason=reason,
        unit_label=indicator.unit_label,
        straddles=territory.straddles,
    )


def _ratio(
    numerator: ProtectedCell, denominator: ProtectedCell, multiplier: float
) -> tuple[DeliveredStatus, float | None, str]:
    """A ratio is secret when a term is; otherwise it is computed from the true terms."""
    if numerator.status.suppressed or denominator.status.suppressed:
        return DeliveredStatus.SECRET_SECONDAIRE, None, "ratio"
    if denominator.value == 0:
        return DeliveredStatus.SANS_OBJET, None, "ratio_denominateur_nul"
    value = round(numerator.value / denominator.value * multiplier, 4)
    return DeliveredStatus.DIFFUSE, value, ""


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


@dataclass(frozen=True)
class Context:
    """Who received the extract, under what, for how much: the note explicative's header."""

    extract_id: str
    created_at: datetime
    requester_name: str
    requester_type: str
    caf_code: str
    caf_name: str
    convention_reference: str | None
    use: str
    synthetic: bool
    price_total: Decimal | None = None
    quote_reference: str | None = None
    excluded: tuple[ExcludedTerritory, ...] = ()  # straddling territories left out, and why


def build_delivery(
    context: Context,
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
        extract_id=context.extract_id,
        created_at=context.created_at,
        requester_name=context.requester_name,
        requester_type=context.requester_type,
        caf_code=context.caf_code,
        caf_name=context.caf_name,
        convention_reference=context.convention_reference,
        use=context.use,
        indicators=indicators,
        breakdowns={b: catalogue.breakdown(b) for b in catalogue.breakdowns if b in used},
        cells=cells,
        rules={i.code: _rules(i, catalogue) for i in indicators},
        interval_percent=max(_interval(i, catalogue) for i in indicators),
        synthetic=context.synthetic,
        warnings=warnings,
        price_total=context.price_total,
        quote_reference=context.quote_reference,
        source_citations=tuple(dict.fromkeys(i.citation for i in indicators)),
        excluded=context.excluded,
    )


def _rules(indicator: Indicator, catalogue: Catalogue) -> tuple[str, ...]:
    if not indicator.is_ratio:
        return indicator.secrecy.rules
    return tuple(
        dict.fromkeys(r for t in stored_terms(indicator) for r in catalogue.get(t).secrecy.rules)
    )


def _interval(indicator: Indicator, catalogue: Catalogue) -> float:
    return max(catalogue.get(t).secrecy.interval_percent for t in stored_terms(indicator))


# --- the stored result: enough to re-render the extract in any format later --------------


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
            "statut": c.status.value,
            "symbole": c.status.symbol,
            "motif": c.reason,
            "unite": c.unit_label,
            "a_cheval": list(c.straddles),
        }
        for c in cells
    ]


def cells_from_json(rows: Sequence[Mapping[str, Any]]) -> tuple[DeliveredCell, ...]:
    return tuple(
        DeliveredCell(
            indicator=r["indicateur"],
            period=r["periode"],
            territory_level=r["niveau"],
            territory_code=r["code"],
            territory_label=r["libelle"],
            categories=r["categories"],
            value=None if _without_object(r) else r["valeur"],
            status=DeliveredStatus.SANS_OBJET
            if _without_object(r)
            else DeliveredStatus(r["statut"]),
            reason=r["motif"],
            unit_label=r["unite"],
            straddles=tuple(r.get("a_cheval") or ()),
        )
        for r in rows
    )


def _without_object(row: Mapping[str, Any]) -> bool:
    """Tell a ratio of zero denominator, also when stored before it had its own status (0)."""
    return bool(row["motif"] == "ratio_denominateur_nul" or row["statut"] == "sans_objet")


def context_to_json(context: Context) -> dict[str, Any]:
    data = asdict(context)
    data["created_at"] = context.created_at.isoformat()
    data["excluded"] = [e.to_json() for e in context.excluded]
    data["price_total"] = None if context.price_total is None else str(context.price_total)
    return data


def stored_delivery(extract: Any, catalogue: Catalogue) -> Delivery:
    """Rebuild the delivery of a stored extract, to render it again in any format."""
    result = extract.result
    context = dict(result["contexte"])
    context["created_at"] = datetime.fromisoformat(context["created_at"])
    price = result.get("prix")
    context["price_total"] = None if price is None else Decimal(price)
    context["excluded"] = tuple(ExcludedTerritory.from_json(e) for e in context.get("excluded", ()))
    cells = cells_from_json(result["cellules"])
    indicators = tuple(dict.fromkeys(c.indicator for c in cells)) or tuple(
        extract.request["indicators"]
    )
    return build_delivery(Context(**context), indicators, catalogue, cells)
