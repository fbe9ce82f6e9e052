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
from policies.secrecy.dimensions import TOTAL
from policies.secrecy.rules import Rule


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
    """Per-indicator secrecy parameters: the engine's rules, read once from the catalogue."""

    rules: tuple[Rule, ...]
    zero_unsafe: bool = False
    interval_percent: float = 10.0


@dataclass(frozen=True)
class Relation:
    """A linear identity that defines an indicator from others, as the catalogue declares it.

    Either `category_of` (the indicator equals one category, or the total, of another
    indicator's breakdown: ENF_MOINS_3 is the 0-2 category of ENF_MOINS_6) or `sum_of` (the
    indicator is the sum of other indicators without breakdown).
    """

    category_of: str | None = None
    category: str = TOTAL
    sum_of: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.category_of,) if self.category_of else self.sum_of


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
    relation: Relation | None = None

    @property
    def is_ratio(self) -> bool:
        return self.kind is Kind.RATIO


@dataclass(frozen=True)
class RelatedSet:
    """Stored indicators tied by the catalogue's relations, protected and recorded as one table.

    The set's table has one category dimension (`categories`, possibly empty); each member's
    cell (member, its category or TOTAL) sits at one category of that table, or at
    its total (`TOTAL`). The leaves are read from the store: `leaves` names, for each
    category, the stored indicator and category that hold it. Every indicator without
    relations is a set of its own.
    """

    code: str
    members: tuple[str, ...]
    categories: tuple[str, ...]
    leaves: Mapping[str, tuple[str, str]]
    placement: Mapping[tuple[str, str], str]
    total_source: str  # the stored indicator whose total is the set's total
    secrecy: SecrecyParams

    def place(self, indicator: str, category: str) -> str:
        """Return the set's category (or TOTAL) of a member's cell (category or TOTAL)."""
        return self.placement[(indicator, category)]


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

    @cached_property
    def related_sets(self) -> Mapping[str, RelatedSet]:
        """Return the related set of every stored indicator, by indicator code."""
        return MappingProxyType(related_sets(self))

    def related_set(self, code: str) -> RelatedSet:
        """Return the set of related indicators a stored indicator is protected with."""
        self.get(code)
        return self.related_sets[code]

    def family_code(self, code: str) -> str:
        """Return the code of the related set `code` belongs to (the ledger's partition)."""
        return self.related_set(code).code

    def ratios(self) -> tuple[Indicator, ...]:
        return tuple(ind for ind in self.indicators.values() if ind.is_ratio)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self.indicators


def related_sets(catalogue: Catalogue) -> dict[str, RelatedSet]:
    """Group the stored indicators into related sets (the parser has checked the relations)."""
    by_member: dict[str, RelatedSet] = {}
    stored = catalogue.stored()
    sums = {i.code: i for i in stored if i.relation and i.relation.sum_of}
    for indicator in stored:
        if indicator.relation is not None:
            continue
        if any(indicator.code in s.relation.sum_of for s in sums.values() if s.relation):
            continue
        aliases = [
            i for i in stored if i.relation is not None and i.relation.category_of == indicator.code
        ]
        categories = (
            catalogue.breakdown(indicator.breakdowns[0]).category_codes
            if indicator.breakdowns
            else ()
        )
        placement = {(indicator.code, c): c for c in (*categories, TOTAL)}
        for alias in aliases:
            assert alias.relation is not None
            placement[(alias.code, TOTAL)] = alias.relation.category
        related = RelatedSet(
            code=indicator.code,
            members=(indicator.code, *(a.code for a in aliases)),
            categories=categories,
            leaves=MappingProxyType({c: (indicator.code, c) for c in categories}),
            placement=MappingProxyType(placement),
            total_source=indicator.code,
            secrecy=indicator.secrecy,
        )
        for member in related.members:
            by_member[member] = related
    for total in sums.values():
        assert total.relation is not None
        terms = total.relation.sum_of
        placement = {(t, TOTAL): t for t in terms}
        placement[(total.code, TOTAL)] = TOTAL
        related = RelatedSet(
            code=total.code,
            members=(total.code, *terms),
            categories=terms,
            leaves=MappingProxyType({t: (t, TOTAL) for t in terms}),
            placement=MappingProxyType(placement),
            total_source=total.code,
            secrecy=total.secrecy,
        )
        for member in related.members:
            by_member[member] = related
    return by_member
