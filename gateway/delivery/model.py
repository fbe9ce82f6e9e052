"""What the extracts pipeline hands to the renderers: a protected extract, cell by cell."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from policies.catalogue import Breakdown, Indicator
from policies.domain import Kind
from policies.secrecy import TOTAL as ENGINE_TOTAL
from policies.secrecy import Reason, Status
from policies.secrecy.rules import Rule

#: Category code of the total over a breakdown in a delivered file (SDMX "_T"). The engine,
#: the catalogue and the ledger name it `policies.secrecy.TOTAL`; `delivered_category` maps.
TOTAL = "_T"
#: Category code written when an indicator is not broken down by a column's variable (SDMX "_Z").
NOT_APPLICABLE = "_Z"


def delivered_category(code: str) -> str:
    """Return the delivered code of a category (or of the engine's total)."""
    return TOTAL if code == ENGINE_TOTAL else code


class DeliveryError(ValueError):
    """The pipeline built an inconsistent delivery; the message names the cell or the field."""


#: Public symbol of each status. Telling primary from secondary cells apart would tell an
#: attacker which cells are small (fewer than n contributors): both are "s", and their reason
#: code stays inside the gateway (audit log), never in a delivered file.
SYMBOLS: Mapping[Status, str] = MappingProxyType(
    {
        Status.SAFE: "",
        Status.PRIMARY: "s",
        Status.SECONDARY: "s",
        Status.EMPTY: "-",
        Status.APRIORI_PUBLISHED: "a",
    }
)
#: Public symbol of a cell without object (`DeliveredCell.without_object`), whatever its status.
WITHOUT_OBJECT_SYMBOL = "so"

#: Meaning of each public symbol, printed in every note explicative (empty symbol first).
SYMBOL_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "": "valeur diffusée.",
        "s": "secret statistique : la valeur est masquée et n’est pas fournie. Le symbole est "
        "le même pour le secret primaire (cellule à risque) et le secret secondaire (cellule "
        "masquée pour protéger une autre), afin de ne rien révéler des cellules masquées.",
        "-": "néant : aucun contributeur ; la valeur fournie est 0.",
        "a": "valeur déjà diffusée par ailleurs (socle commun ou livraison antérieure), "
        "reprise à l’identique.",
        WITHOUT_OBJECT_SYMBOL: "sans objet : la valeur n’existe pas (taux dont le dénominateur "
        "est nul) ; aucune valeur n’est fournie, ce n’est ni 0 ni un secret.",
    }
)

#: Public reason (column "motif") of each status; the engine's reason code is never published.
PUBLIC_REASONS: Mapping[Status, str] = MappingProxyType(
    {
        Status.SAFE: "",
        Status.PRIMARY: "SECRET",
        Status.SECONDARY: "SECRET",
        Status.EMPTY: "NEANT",
        Status.APRIORI_PUBLISHED: "DEJA_DIFFUSEE",
    }
)
#: Public reason of a cell without object.
WITHOUT_OBJECT_REASON = "SANS_OBJET"


@dataclass(frozen=True)
class DeliveredCell:
    """One cell of the extract: the engine's status and reason; no value when it is secret.

    A ratio whose denominator is zero is empty (`Status.EMPTY`) without value: its reason,
    `Reason.ZERO_DENOMINATOR`, makes it "sans objet" rather than 0.
    """

    indicator: str
    period: int
    territory_level: str
    territory_code: str
    territory_label: str
    categories: Mapping[str, str]  # breakdown code -> category code, or TOTAL
    value: float | None
    status: Status
    reason: Reason  # internal (audit, stored result): never in a delivered file
    unit_label: str
    straddles: tuple[str, ...] = ()  # départements of a territory straddling the parent asked

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        # An isinstance test, not an enum call: an enum call costs, 10,000s of cells.
        if not isinstance(self.status, Status) or not isinstance(self.reason, Reason):
            self._coerce()
        if self.secret and self.value is not None:
            raise DeliveryError(f"{self.key}: une cellule secrète ne doit porter aucune valeur")
        if self.without_object and (self.value is not None or self.status is not Status.EMPTY):
            raise DeliveryError(f"{self.key}: une cellule « sans objet » est vide, sans valeur")
        if self.status is Status.EMPTY and self.value is None and not self.without_object:
            object.__setattr__(self, "value", 0.0)
        if self.has_value:
            if self.value is None or not math.isfinite(self.value):
                raise DeliveryError(f"{self.key}: valeur diffusée absente ou non finie")
            if self.status is Status.EMPTY and self.value != 0:
                raise DeliveryError(f"{self.key}: une cellule « zero » vaut 0")

    def _coerce(self) -> None:
        try:
            object.__setattr__(self, "status", Status(self.status))
            object.__setattr__(self, "reason", Reason(self.reason))
        except ValueError as error:
            raise DeliveryError(f"{self.key}: {error}") from None

    @property
    def key(self) -> tuple[object, ...]:
        """Return the cell's coordinates (unique within a delivery)."""
        categories = tuple(sorted(self.categories.items()))
        return (self.indicator, self.period, self.territory_level, self.territory_code, categories)

    @property
    def secret(self) -> bool:
        """Tell whether the cell is withheld (its value never leaves the gateway)."""
        return self.status.suppressed

    @property
    def without_object(self) -> bool:
        """Tell whether no value exists (a ratio whose denominator is zero): not 0, no secret."""
        return self.reason is Reason.ZERO_DENOMINATOR

    @property
    def has_value(self) -> bool:
        """Tell whether the cell carries a value (neither secret nor without object)."""
        return not self.secret and not self.without_object

    @property
    def is_total(self) -> bool:
        """Tell whether the cell is the total of every breakdown of its indicator (or has none)."""
        return all(category == TOTAL for category in self.categories.values())

    @property
    def symbol(self) -> str:
        """Return the public symbol; primary and secondary secrets share "s" on purpose."""
        return WITHOUT_OBJECT_SYMBOL if self.without_object else SYMBOLS[self.status]

    @property
    def public_reason(self) -> str:
        """Return the public reason (column "motif"); never the engine's reason code."""
        return WITHOUT_OBJECT_REASON if self.without_object else PUBLIC_REASONS[self.status]


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
