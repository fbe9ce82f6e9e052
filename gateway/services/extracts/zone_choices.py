"""The communes a requester picks a custom zone from: those of its territory, by name or code.

A zone is useful only within what the requester may ask for: its own territory, or, for a
requester without one (a cabinet privé), the territories its conventions name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gateway.services.conventions.queries import conventions_for
from gateway.services.territories.queries import name_key
from policies.access import RequesterProfile
from policies.domain import GeoLevel
from policies.geography import Geography

Territory = tuple[GeoLevel, str]


@dataclass(frozen=True)
class ZoneCommune:
    """A commune as the picker shows it."""

    code: str
    name: str
    population: int


@dataclass(frozen=True)
class ZoneChoice:
    """Communes chosen for a zone: each with its population, their total and the minimum."""

    communes: tuple[ZoneCommune, ...]
    unknown: tuple[str, ...]
    population: int
    minimum: int

    @property
    def large_enough(self) -> bool:
        return bool(self.communes) and not self.unknown and self.population >= self.minimum

    @property
    def missing(self) -> int:
        """Inhabitants still missing to reach the minimum (0 when reached)."""
        return max(0, self.minimum - self.population)


def zone_territories(
    session: Session, requester_id: int, profile: RequesterProfile
) -> tuple[Territory, ...]:
    """Return the territories a requester picks communes in: its own, else its conventions'."""
    if profile.territory is not None:
        return (profile.territory,)
    named = {t for c in conventions_for(session, requester_id) for t in c.scope.territories}
    return tuple(sorted(named, key=lambda t: (t[0].value, t[1])))


def candidate_communes(
    geography: Geography, territories: Iterable[Territory]
) -> tuple[ZoneCommune, ...]:
    """Return the communes of these territories, sorted by name."""
    codes: set[str] = set()
    for level, code in territories:
        if level is not GeoLevel.ZONE and geography.exists(level, code):
            codes.update(geography.communes_of(level, code))
    found = (_commune(geography, code) for code in codes)
    return tuple(sorted(found, key=lambda c: (name_key(c.name), c.code)))


def matching(communes: Sequence[ZoneCommune], text: str) -> tuple[ZoneCommune, ...]:
    """Keep the communes whose name contains `text` or whose code starts with it."""
    wanted = name_key(text.strip())
    if not wanted:
        return tuple(communes)
    code = text.strip().upper()  # codes are compared as written: Corsica's "2A004", not folded
    return tuple(c for c in communes if c.code.startswith(code) or wanted in name_key(c.name))


def zone_choice(geography: Geography, codes: Iterable[str], minimum: int) -> ZoneChoice:
    """Describe chosen communes: known ones by name, their population against the minimum."""
    chosen = sorted(set(codes))
    known = [c for c in chosen if geography.exists(GeoLevel.COMMUNE, c)]
    communes = tuple(
        sorted((_commune(geography, c) for c in known), key=lambda c: (name_key(c.name), c.code))
    )
    return ZoneChoice(
        communes=communes,
        unknown=tuple(c for c in chosen if c not in known),
        population=sum(c.population for c in communes),
        minimum=minimum,
    )


def _commune(geography: Geography, code: str) -> ZoneCommune:
    row = geography.commune(code)
    return ZoneCommune(row.code, row.nom, row.population)
