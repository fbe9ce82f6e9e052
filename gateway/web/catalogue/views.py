"""What the catalogue pages show: the filters, the tree axis > family > sub-family, the fiche."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from gateway.delivery.note import rule_lines
from gateway.web.labels import AXIS_LABELS, SOURCE_LABELS, TIER_LABELS
from policies.catalogue import Indicator
from policies.domain import Axis, Source, Tier
from tariffs.money import format_number

E = TypeVar("E", bound=StrEnum)
UNKNOWN_CHOICE = "Valeur inconnue : choisissez une valeur de la liste."


@dataclass(frozen=True)
class Filter:
    """One filter of the catalogue: its query name (the API's), label, choices and value."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...]
    value: str


FILTERS: tuple[tuple[str, str, type[StrEnum], Mapping[Any, str]], ...] = (
    ("axis", "Axe", Axis, AXIS_LABELS),
    ("tier", "Palier de diffusion", Tier, TIER_LABELS),
    ("source", "Source", Source, SOURCE_LABELS),
)


@dataclass(frozen=True)
class CatalogueQuery:
    """The filters read from the page's query: the API's own (axis, tier, source)."""

    axis: Axis | None = None
    tier: Tier | None = None
    source: Source | None = None

    def params(self) -> list[tuple[str, str]]:
        """Return the filters given, as the API's query string names them."""
        given = (("axis", self.axis), ("tier", self.tier), ("source", self.source))
        return [(name, value.value) for name, value in given if value is not None]


def parse_filters(args: Mapping[str, str]) -> tuple[CatalogueQuery, list[Filter], dict[str, str]]:
    """Read the catalogue's filters: the query for the service, fields for the form, errors."""
    fields: list[Filter] = []
    errors: dict[str, str] = {}
    for name, label, enum, labels in FILTERS:
        raw = (args.get(name) or "").strip()
        choices = (("", "Tous"), *((member.value, labels[member]) for member in enum))
        fields.append(Filter(name, label, choices, raw))
        if raw and _member(enum, raw) is None:
            errors[name] = UNKNOWN_CHOICE
    query = CatalogueQuery(
        axis=_member(Axis, args.get("axis") or ""),
        tier=_member(Tier, args.get("tier") or ""),
        source=_member(Source, args.get("source") or ""),
    )
    return query, fields, errors


def _member(enum: type[E], raw: str) -> E | None:
    try:
        return enum(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SubFamily:
    name: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Family:
    name: str
    subfamilies: tuple[SubFamily, ...]


@dataclass(frozen=True)
class AxisGroup:
    axis: Axis
    label: str
    families: tuple[Family, ...]

    @property
    def count(self) -> int:
        return sum(len(s.indicators) for f in self.families for s in f.subfamilies)


def tree(indicators: Iterable[Indicator]) -> tuple[AxisGroup, ...]:
    """Group indicators by axis (IMAJE order), then family and sub-family (catalogue order)."""
    grouped: dict[Axis, dict[str, dict[str, list[Indicator]]]] = {axis: {} for axis in Axis}
    for indicator in indicators:
        families = grouped[indicator.axis]
        families.setdefault(indicator.family, {}).setdefault(indicator.subfamily, [])
        families[indicator.family][indicator.subfamily].append(indicator)
    return tuple(
        AxisGroup(
            axis,
            AXIS_LABELS[axis],
            tuple(
                Family(family, tuple(SubFamily(s, tuple(i)) for s, i in subfamilies.items()))
                for family, subfamilies in families.items()
            ),
        )
        for axis, families in grouped.items()
        if families
    )


def secrecy_lines(indicator: Indicator) -> tuple[str, ...]:
    """Explain in French how the indicator's cells are protected (as the note explicative does)."""
    return (
        *rule_lines(indicator),
        "Secret secondaire : d’autres cellules sont masquées pour qu’aucune cellule à risque ne "
        "puisse être recalculée par différence avec les totaux, les sous-totaux et les données "
        "déjà diffusées ; toute valeur masquée reste incertaine d’au moins "
        f"{format_number(Decimal(repr(indicator.secrecy.interval_percent)))} %.",
    )
