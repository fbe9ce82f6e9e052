"""What the extracts pipeline hands to the renderers: a protected extract, cell by cell
(`gateway.delivery.cells`), with its header and its published values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from gateway.delivery.cells import TOTAL, DeliveredCell, DeliveryError
from policies.catalogue import Breakdown, Indicator
from policies.domain import Kind
from policies.secrecy.rules import Rule


@dataclass(frozen=True)
class ExcludedTerritory:
    """A territory straddling the parent asked, left out of the delivery, and why."""

    level: str
    code: str
    label: str
    departements: tuple[str, ...]  # the départements its communes lie in
    reason: str  # the access decision's words

    def to_json(self) -> dict[str, Any]:
        return {
            "niveau": self.level,
            "code": self.code,
            "libelle": self.label,
            "departements": list(self.departements),
            "motif": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExcludedTerritory:
        return cls(
            str(data["niveau"]),
            str(data["code"]),
            str(data["libelle"]),
            tuple(str(d) for d in data.get("departements") or ()),
            str(data["motif"]),
        )


#: Decimals a published value keeps, by the indicator's kind: units, cents, ratios.
DECIMALS: Mapping[Kind, int] = MappingProxyType({Kind.COUNT: 0, Kind.AMOUNT: 2, Kind.RATIO: 4})


def publishable(cell: DeliveredCell, kind: Kind) -> DeliveredCell:
    """Return the cell with its value as published: counts as integers, euros to the cent.

    Values are sums of floats (cents in binary carry noise: 1839112309.8800042); what leaves
    the gateway is the figure a reader expects, rounded once at the delivery boundary.
    """
    if cell.value is None:
        return cell
    value = published_value(cell.value, kind)
    if value == cell.value and type(value) is type(cell.value):
        return cell
    return replace(cell, value=value)


def published_value(value: float, kind: Kind) -> float:
    """Return a value as published for its indicator's kind (see `publishable`)."""
    decimals = DECIMALS[kind]
    return round(value) if decimals == 0 else round(value, decimals)


@dataclass(frozen=True)
class DeliveryHeader:
    """Who received the extract, under what, for how much: the note explicative's header.

    Known before the cells are computed; stored with them (`to_json`) to render them again.
    """

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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["excluded"] = [e.to_json() for e in self.excluded]
        data["price_total"] = None if self.price_total is None else str(self.price_total)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeliveryHeader:
        price = data.get("price_total")
        return cls(
            **{
                **data,
                "created_at": datetime.fromisoformat(data["created_at"]),
                "price_total": None if price is None else Decimal(price),
                "excluded": tuple(ExcludedTerritory.from_json(e) for e in data.get("excluded", ())),
            }
        )


@dataclass(frozen=True)
class Delivery:
    """A protected extract ready to render, with everything its note explicative needs."""

    header: DeliveryHeader
    indicators: tuple[Indicator, ...]
    breakdowns: Mapping[str, Breakdown]
    cells: tuple[DeliveredCell, ...]
    rules: Mapping[str, tuple[Rule, ...]]  # per indicator, the secrecy rules applied
    interval_percent: float
    warnings: tuple[str, ...] = ()
    source_citations: tuple[str, ...] = field(default=())

    @property
    def straddling(self) -> dict[tuple[str, str, str], tuple[str, ...]]:
        """Return the territories straddling the parent asked: (level, code, label) ->
        their départements, in delivery order."""
        return {
            (c.territory_level, c.territory_code, c.territory_label): c.straddles
            for c in self.cells
            if c.straddles
        }

    def __post_init__(self) -> None:
        object.__setattr__(self, "breakdowns", MappingProxyType(dict(self.breakdowns)))
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))
        indicators = {ind.code: ind for ind in self.indicators}
        if len(indicators) != len(self.indicators):
            raise DeliveryError("indicateur cité deux fois")
        for ind in self.indicators:
            missing = [code for code in ind.breakdowns if code not in self.breakdowns]
            if missing:
                raise DeliveryError(f"{ind.code}: ventilation non fournie {missing[0]}")
        seen: set[tuple[object, ...]] = set()
        for cell in self.cells:
            self._check_cell(cell, indicators)
            key = cell.key
            if key in seen:
                raise DeliveryError(f"{key}: cellule en double")
            seen.add(key)

    def _check_cell(self, cell: DeliveredCell, indicators: Mapping[str, Indicator]) -> None:
        indicator = indicators.get(cell.indicator)
        if indicator is None:
            raise DeliveryError(f"{cell.key}: indicateur absent de la livraison")
        if set(cell.categories) != set(indicator.breakdowns):
            expected = ", ".join(indicator.breakdowns) or "aucune"
            raise DeliveryError(f"{cell.key}: ventilations attendues : {expected}")
        for code, category in cell.categories.items():
            if category != TOTAL and category not in self.breakdowns[code].category_codes:
                raise DeliveryError(f"{cell.key}: catégorie inconnue {code}={category}")

    @property
    def breakdown_columns(self) -> tuple[str, ...]:
        """Return the breakdown codes used by the indicators, in the order of `breakdowns`."""
        used = {code for ind in self.indicators for code in ind.breakdowns}
        return tuple(code for code in self.breakdowns if code in used)

    @property
    def secret_count(self) -> int:
        return sum(1 for cell in self.cells if cell.secret)
