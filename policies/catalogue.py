"""The indicator catalogue: what each indicator measures, who receives it, how it is protected.

The values live here; `policies.catalogue_parsing` validates the readable file into them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from types import MappingProxyType

from policies.domain import Axis, ContributingUnit, Kind, RequesterType, Source, Tier
from policies.errors import InvalidInput, NotFound


class CatalogueError(InvalidInput):
    """The catalogue breaks a rule; the message names the indicator (or breakdown) and the field."""

    code = "catalogue_invalide"
    title = "Catalogue des indicateurs invalide"

    def __init__(self, where: str, field: str, problem: str) -> None:
        super().__init__(f"{where}, champ « {field} » : {problem}")
        self.where = where
        self.field = field


@dataclass(frozen=True)
class Category:
    code: str
    label: str


@dataclass(frozen=True)
class Breakdown:
    """A ventilation (e.g. age bands); its categories add up to the 'all' margin."""

    code: str
    label: str
    categories: tuple[Category, ...]

    @cached_property
    def category_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)


@dataclass(frozen=True)
class Fiche:
    """The indicator sheet printed in every delivery's note explicative."""

    objectif: str
    definition: str
    actualisation: str
    construction: str
    source: str
    interpretation: str


FICHE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Fiche))
#: Headings of the fiche as requesters read them, in order.
FICHE_HEADINGS: Mapping[str, str] = MappingProxyType(
    {
        "objectif": "Objectif",
        "definition": "Définition",
        "actualisation": "Modalités d’actualisation",
        "construction": "Construction",
        "source": "Source",
        "interpretation": "Interprétation et limites",
    }
)


@dataclass(frozen=True)
class SecrecyParams:
    """Per-indicator secrecy parameters; rules in tau-Argus notation, parsed by policies.secrecy."""

    rules: tuple[str, ...]
    zero_unsafe: bool = False
    interval_percent: float = 10.0


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    axis: Axis
    family: str
    subfamily: str
    kind: Kind
    unit: ContributingUnit
    unit_label: str
    breakdowns: tuple[str, ...]
    sources: tuple[Source, ...]
    tier: Tier
    restricted_to: tuple[RequesterType, ...]
    secrecy: SecrecyParams
    numerator: str | None
    denominator: str | None
    multiplier: float | None  # ratios only: value = numerator / denominator * multiplier
    citation: str
    reliability: str
    fiche: Fiche

    @property
    def is_ratio(self) -> bool:
        return self.kind is Kind.RATIO


@dataclass(frozen=True)
class Catalogue:
    """Indicators and breakdowns by code, in file order."""

    indicators: Mapping[str, Indicator]
    breakdowns: Mapping[str, Breakdown]

    def get(self, code: str) -> Indicator:
        """Return the indicator `code` or raise NotFound."""
        try:
            return self.indicators[code]
        except KeyError:
            raise NotFound(f"Indicateur inconnu : {code}") from None

    def breakdown(self, code: str) -> Breakdown:
        """Return the breakdown `code` or raise NotFound."""
        try:
            return self.breakdowns[code]
        except KeyError:
            raise NotFound(f"Ventilation inconnue : {code}") from None

    def filter(
        self, axis: Axis | None = None, tier: Tier | None = None, source: Source | None = None
    ) -> tuple[Indicator, ...]:
        """Return the indicators matching every criterion given (a source matches if it is one)."""
        return tuple(
            ind
            for ind in self.indicators.values()
            if (axis is None or ind.axis == axis)
            and (tier is None or ind.tier == tier)
            and (source is None or source in ind.sources)
        )

    def stored(self) -> tuple[Indicator, ...]:
        """Return the indicators that have cells of their own (every kind but ratio)."""
        return tuple(ind for ind in self.indicators.values() if not ind.is_ratio)

    def ratios(self) -> tuple[Indicator, ...]:
        return tuple(ind for ind in self.indicators.values() if ind.is_ratio)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self.indicators
