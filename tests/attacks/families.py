"""The catalogue's identities as the adversary reads them: one table per family of indicators.

The adversary knows the catalogue. `relation: {category_of: X, category: c}` says that an
indicator is the category c (or the total) of X's breakdown: ENF_MOINS_3 is the 0_2 category
of ENF_MOINS_6, ALLOC is the total of ALLOC_SITFAM. `relation: {sum_of: [X, Y]}` says that it
is X + Y. A ratio is numerator / denominator x multiplier, rounded to four decimals. Every
observation of a family is placed in the family's one table, so one linear program holds
them all. Written here from `Indicator.relation`, never from the product's grouping code, so
that the judge does not share the code it judges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policies.catalogue import Catalogue, Indicator
from policies.secrecy import TOTAL

RATIO_DECIMALS = 4  # the delivery rounds a ratio to four decimals


@dataclass(frozen=True)
class Leaf:
    """Where the truth of one cell of a family's table is read: a stored indicator's cell."""

    indicator: str
    category: str | None  # a category of its breakdown, or None for its total


@dataclass(frozen=True)
class Family:
    """Stored indicators tied by identities, as one table with one category dimension."""

    code: str
    categories: tuple[str, ...]
    placement: Mapping[tuple[str, str], str]  # (indicator, category or TOTAL) -> table's
    leaves: Mapping[str, Leaf]  # table category or TOTAL -> the stored cell that holds it
    rules_of: str  # the indicator whose secrecy rules judge the table's cells

    def place(self, indicator: str, category: str) -> str:
        return self.placement[(indicator, category)]


@dataclass(frozen=True)
class RatioTerms:
    """A ratio's two terms, each placed in its family's table, and its multiplier."""

    numerator: tuple[str, str]  # (family, table category or TOTAL)
    denominator: tuple[str, str]
    multiplier: float


def _relation(indicator: Indicator) -> tuple[str | None, str, tuple[str, ...]]:
    """Return (category_of, category, sum_of) as the catalogue declares them."""
    relation = indicator.relation
    if relation is None:
        return None, TOTAL, ()
    return relation.category_of, relation.category, tuple(relation.sum_of)


def families(catalogue: Catalogue) -> dict[str, Family]:
    """Return the family of every stored indicator, by indicator code."""
    stored = [i for i in catalogue if not i.is_ratio]
    declared = {i.code: _relation(i) for i in stored}
    summed = {t for _, _, terms in declared.values() for t in terms}
    by_member: dict[str, Family] = {}
    for indicator in stored:
        base, _, terms = declared[indicator.code]
        if terms:
            family = _sum_family(indicator.code, terms)
        elif base is None and indicator.code not in summed:
            aliases = {
                code: category
                for code, (of, category, _) in declared.items()
                if of == indicator.code
            }
            family = _breakdown_family(catalogue, indicator, aliases)
        else:
            continue  # placed by the family it belongs to
        for member, _ in family.placement:
            by_member[member] = family
    return by_member


def _breakdown_family(
    catalogue: Catalogue, indicator: Indicator, aliases: Mapping[str, str]
) -> Family:
    breakdown = indicator.breakdowns[0] if indicator.breakdowns else None
    categories = catalogue.breakdown(breakdown).category_codes if breakdown else ()
    placement = {(indicator.code, c): c for c in (*categories, TOTAL)}
    placement |= {(alias, TOTAL): category for alias, category in aliases.items()}
    leaves = {c: Leaf(indicator.code, c) for c in categories} | {TOTAL: Leaf(indicator.code, None)}
    return Family(
        indicator.code,
        tuple(categories),
        MappingProxyType(placement),
        MappingProxyType(leaves),
        indicator.code,
    )


def _sum_family(code: str, terms: tuple[str, ...]) -> Family:
    placement = {(t, TOTAL): t for t in terms} | {(code, TOTAL): TOTAL}
    leaves = {t: Leaf(t, None) for t in terms} | {TOTAL: Leaf(code, None)}
    return Family(code, terms, MappingProxyType(placement), MappingProxyType(leaves), code)


def ratio_terms(catalogue: Catalogue, by_member: Mapping[str, Family]) -> dict[str, RatioTerms]:
    """Return the placed terms of every ratio of the catalogue, by ratio code."""
    found = {}
    for ratio in catalogue.ratios():
        assert ratio.numerator and ratio.denominator
        numerator, denominator = by_member[ratio.numerator], by_member[ratio.denominator]
        found[ratio.code] = RatioTerms(
            (numerator.code, numerator.place(ratio.numerator, TOTAL)),
            (denominator.code, denominator.place(ratio.denominator, TOTAL)),
            ratio.multiplier or 1.0,
        )
    return found


def ratio_slack() -> float:
    """Return the largest error of a delivered ratio: half of its last decimal, and a hair."""
    return 0.5 * 10.0**-RATIO_DECIMALS + 1e-9
