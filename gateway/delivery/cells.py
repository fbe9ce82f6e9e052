"""A delivered cell: its coordinates, the engine's status and reason, and what is published
of them (the public symbol and reason; no value when secret)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policies.secrecy import TOTAL as ENGINE_TOTAL
from policies.secrecy import Reason, Status

#: Category code of the total over a breakdown in a delivered file (SDMX "_T"). The engine,
#: the catalogue and the ledger name it `policies.secrecy.TOTAL`; `delivered_category` maps.
TOTAL = "_T"
#: Category code written when an indicator is not broken down by a column's variable (SDMX "_Z").
NOT_APPLICABLE = "_Z"


def delivered_category(code: str) -> str:
    """Return the delivered code of a category (or of the engine's total)."""
    return TOTAL if code == ENGINE_TOTAL else code


_EMPTY, _ZERO_DENOMINATOR = Status.EMPTY, Reason.ZERO_DENOMINATOR  # read once, not per cell


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
        if type(self.categories) is not MappingProxyType:  # shared read-only views stay shared
            object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        # An isinstance test, not an enum call: an enum call costs, 10,000s of cells.
        if not isinstance(self.status, Status) or not isinstance(self.reason, Reason):
            self._coerce()
        # Each property read once (an enum member read is a descriptor call: a département's
        # extract built 15,000 cells with a dozen of them each).
        secret, without_object, empty = self.secret, self.without_object, self.status is _EMPTY
        if secret and self.value is not None:
            raise DeliveryError(f"{self.key}: une cellule secrète ne doit porter aucune valeur")
        if without_object and (self.value is not None or not empty):
            raise DeliveryError(f"{self.key}: une cellule « sans objet » est vide, sans valeur")
        if empty and self.value is None and not without_object:
            object.__setattr__(self, "value", 0.0)
        if not secret and not without_object:  # has_value
            if self.value is None or not math.isfinite(self.value):
                raise DeliveryError(f"{self.key}: valeur diffusée absente ou non finie")
            if empty and self.value != 0:
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
        return self.reason is _ZERO_DENOMINATOR

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
