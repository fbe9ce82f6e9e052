"""What the extracts pipeline hands to the renderers: a protected extract, cell by cell."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from policies.catalogue import Breakdown, Indicator

#: Category code of the total over a breakdown (SDMX "_T").
TOTAL = "_T"
#: Category code written when an indicator is not broken down by a column's variable (SDMX "_Z").
NOT_APPLICABLE = "_Z"


class DeliveryError(ValueError):
    """The pipeline built an inconsistent delivery; the message names the cell or the field."""


class DeliveredStatus(StrEnum):
    """Status of a delivered cell, as the delivery side names it (the engine's S/U/M/Z/A)."""

    DIFFUSE = "diffuse"
    SECRET_PRIMAIRE = "secret_primaire"
    SECRET_SECONDAIRE = "secret_secondaire"
    ZERO = "zero"
    CONNU = "connu"

    @property
    def secret(self) -> bool:
        """Tell whether the cell is withheld (its value never leaves the gateway)."""
        return self in (DeliveredStatus.SECRET_PRIMAIRE, DeliveredStatus.SECRET_SECONDAIRE)

    @property
    def symbol(self) -> str:
        """Return the public symbol; primary and secondary secrets share "s" on purpose."""
        return SYMBOLS[self]

    @classmethod
    def from_engine(cls, status: str) -> DeliveredStatus:
        """Map a policies.secrecy Status value ("S", "U", "M", "Z", "A") to a delivery status."""
        try:
            return _FROM_ENGINE[str(status)]
        except KeyError:
            raise DeliveryError(f"statut du moteur de secret inconnu : {status!r}") from None


_FROM_ENGINE = {
    "S": DeliveredStatus.DIFFUSE,
    "U": DeliveredStatus.SECRET_PRIMAIRE,
    "M": DeliveredStatus.SECRET_SECONDAIRE,
    "Z": DeliveredStatus.ZERO,
    "A": DeliveredStatus.CONNU,
}

#: Public symbol of each status. Telling primary from secondary cells apart would tell an
#: attacker which cells are small (fewer than n contributors): both are "s", and their reason
#: code stays inside the gateway (audit log), never in a delivered file.
SYMBOLS: Mapping[DeliveredStatus, str] = MappingProxyType(
    {
        DeliveredStatus.DIFFUSE: "",
        DeliveredStatus.SECRET_PRIMAIRE: "s",
        DeliveredStatus.SECRET_SECONDAIRE: "s",
        DeliveredStatus.ZERO: "-",
        DeliveredStatus.CONNU: "a",
    }
)

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
    }
)

#: Public reason (column "motif") of each status; the engine's reason code is never published.
PUBLIC_REASONS: Mapping[DeliveredStatus, str] = MappingProxyType(
    {
        DeliveredStatus.DIFFUSE: "",
        DeliveredStatus.SECRET_PRIMAIRE: "SECRET",
        DeliveredStatus.SECRET_SECONDAIRE: "SECRET",
        DeliveredStatus.ZERO: "NEANT",
        DeliveredStatus.CONNU: "DEJA_DIFFUSEE",
    }
)


@dataclass(frozen=True)
class DeliveredCell:
    """One cell of the extract; `value` is None exactly when the cell is secret."""

    indicator: str
    period: int
    territory_level: str
    territory_code: str
    territory_label: str
    categories: Mapping[str, str]  # breakdown code -> category code, or TOTAL
    value: float | None
    status: DeliveredStatus
    reason: str | None  # engine reason code (FREQ, NK, P, ZERO, SECONDAIRE, APRIORI): internal
    unit_label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        if not isinstance(self.status, DeliveredStatus):  # an enum call costs, 10,000s of cells
            object.__setattr__(self, "status", DeliveredStatus(self.status))
        if self.status.secret and self.value is not None:
            raise DeliveryError(f"{self.key}: une cellule secrète ne doit porter aucune valeur")
        if self.status is DeliveredStatus.ZERO and self.value is None:
            object.__setattr__(self, "value", 0.0)
        if not self.status.secret:
            if self.value is None or not math.isfinite(self.value):
                raise DeliveryError(f"{self.key}: valeur diffusée absente ou non finie")
            if self.status is DeliveredStatus.ZERO and self.value != 0:
                raise DeliveryError(f"{self.key}: une cellule « zero » vaut 0")

    @property
    def key(self) -> tuple[object, ...]:
        """Return the cell's coordinates (unique within a delivery)."""
        categories = tuple(sorted(self.categories.items()))
        return (self.indicator, self.period, self.territory_level, self.territory_code, categories)


@dataclass(frozen=True)
class Delivery:
    """A protected extract ready to render, with everything its note explicative needs."""

    extract_id: str
    created_at: datetime
    requester_name: str
    requester_type: str
    caf_code: str
    caf_name: str
    convention_reference: str | None
    use: str
    indicators: tuple[Indicator, ...]
    breakdowns: Mapping[str, Breakdown]
    cells: tuple[DeliveredCell, ...]
    rules: Mapping[str, tuple[str, ...]]  # per indicator, tau-Argus notation ("FREQ(5,10)")
    interval_percent: float
    synthetic: bool
    warnings: tuple[str, ...] = ()
    price_total: Decimal | None = None
    quote_reference: str | None = None
    source_citations: tuple[str, ...] = field(default=())

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
        return sum(1 for cell in self.cells if cell.status.secret)
