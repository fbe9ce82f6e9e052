"""Differencing between territories, decided on public information only (`secret.differenciation`).

The rule: a custom zone may not differ from another territory its requester knows by a
non-empty set of communes (the symmetric difference) holding fewer inhabitants than the
minimum zone size (`GATEWAY_ZONE_MIN_POPULATION`). "Knows" means: released to one of its
audiences (itself, the public, the partners that rediffuse to it), for any indicator and
period; another territory of the same table (requested, total or parent); or, when a zone
is created, another zone of the same requester.

Why refuse whatever the values (simulatable auditing, Kenthapadi, Mishra and Nissim, 2005):
when zone Z has been published and Z plus one small commune is asked, the protection must
withhold the new zone exactly when that commune's cell is secret. Answering with a withheld
cell, or a refusal, only in that case tells the requester that the commune has 1 to 4 foyers.
The decision below reads commune sets and reference populations, never a cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from gateway.pipeline.prepare import Prepared
from gateway.pipeline.request import TOTAL_KEY, TerritoryCell
from gateway.services.conventions.queries import audiences
from gateway.services.extracts.queries import requester_zones
from gateway.services.ledger.queries import released_sets
from policies.domain import GeoLevel
from policies.errors import SecrecyRefusal
from policies.geography import FRANCE_CODE, Geography
from policies.refusals import Refusal, Rule

RULE = Rule.SECRET_DIFFERENCIATION

_LEVELS = {
    GeoLevel.COMMUNE: "commune",
    GeoLevel.EPCI: "EPCI",
    GeoLevel.DEPARTEMENT: "département",
    GeoLevel.REGION: "région",
    GeoLevel.FRANCE: "France",
}


@dataclass(frozen=True)
class Source:
    """How the requester knows a territory, and what to ask instead of a zone too close to it."""

    origin: str
    remedy: str


RELEASED = Source("déjà diffusé", "utiliser exactement {other}")
SAME_TABLE = Source("demandé dans le même extrait", "ne demander que l'un des deux")
MARGIN = Source("total ou parent du même extrait", "demander sans total ni parents")
OWN_ZONE = Source("autre zone de ce demandeur", "utiliser {other}")


@dataclass(frozen=True)
class Known:
    """A territory as the rule sees it: its name in a refusal, where it comes from, its communes."""

    name: str
    source: Source
    communes: frozenset[str] = field(repr=False)


def refusal(
    zones: Iterable[Known],
    others: Sequence[Known],
    population: Callable[[str], int],
    minimum: int,
) -> SecrecyRefusal | None:
    """Return the refusal of the first zone too close to another territory, or None."""
    for zone in zones:
        for other in others:
            difference = zone.communes ^ other.communes
            if difference and _fewer(difference, population, minimum):
                return _refusal(zone, other, sorted(difference), minimum)
    return None


def request_refusal(
    session: Session, prepared: Prepared, geography: Geography, minimum: int
) -> SecrecyRefusal | None:
    """Apply the rule to an extract: its custom zones against its table and its audiences' past."""
    zones = [
        Known(_cell_name(t), SAME_TABLE, t.communes)
        for t in prepared.territories
        if t.level is GeoLevel.ZONE and t.code != TOTAL_KEY
    ]
    if not zones:
        return None
    table = [
        Known(_cell_name(t), SAME_TABLE if t.requested else MARGIN, t.communes)
        for t in prepared.territories
    ]
    names = _zone_names(session, prepared.caller.requester_id)
    near = _near(zones, geography, minimum)
    past = released_sets(session, prepared.audiences, near)
    return refusal(zones, table + _named(past, geography, names), _population(geography), minimum)


def zone_refusal(
    session: Session,
    requester_id: int,
    name: str,
    communes: frozenset[str],
    geography: Geography,
    minimum: int,
) -> SecrecyRefusal | None:
    """Apply the rule to a new zone: against the requester's zones and its audiences' past.

    A zone too close to one already released could never be used; one too close to another
    zone of the same requester could not be asked with it, nor after it: said at creation.
    """
    zone = Known(f"« {name} » (nouvelle zone)", OWN_ZONE, communes)
    names = _zone_names(session, requester_id)
    own = [Known(label, OWN_ZONE, members) for members, label in names.items()]
    near = _near([zone], geography, minimum)
    past = released_sets(session, audiences(session, requester_id), near)
    others = _named(past, geography, names) + own  # "already released" says more than "own"
    return refusal([zone], others, _population(geography), minimum)


# --- helpers ---------------------------------------------------------------------------------


def _fewer(communes: Iterable[str], population: Callable[[str], int], minimum: int) -> bool:
    total = 0
    for commune in communes:
        total += population(commune)
        if total >= minimum:
            return False
    return True


def _refusal(zone: Known, other: Known, difference: list[str], minimum: int) -> SecrecyRefusal:
    listed = ", ".join(difference[:10]) + (" …" if len(difference) > 10 else "")
    remedy = other.source.remedy.format(other=other.name)
    return SecrecyRefusal(
        f"La zone {zone.name} ne diffère de {other.name}, {other.source.origin}, que par des "
        f"communes comptant moins de {minimum} habitants en tout ({listed}). Les comparer "
        "révélerait les chiffres de ces communes : refus décidé sur les seules populations, "
        "quelles que soient les valeurs.",
        [
            Refusal(
                RULE,
                f"zone {zone.name} trop proche de {other.name}",
                f"{remedy}, ou une zone qui diffère de {other.name} d'au moins {minimum} habitants",
            )
        ],
    )


def _cell_name(territory: TerritoryCell) -> str:
    if territory.level is GeoLevel.ZONE:
        kind = "total de la demande" if territory.code == TOTAL_KEY else f"zone n° {territory.code}"
    else:
        kind = f"{_LEVELS[territory.level]} {territory.code}"
    return f"« {territory.label} » ({kind})"


def _zone_names(session: Session, requester_id: int | None) -> dict[frozenset[str], str]:
    """Name the requester's zones by their communes, oldest first."""
    names: dict[frozenset[str], str] = {}
    for zone in sorted(requester_zones(session, requester_id).values(), key=lambda z: z.id):
        names.setdefault(zone.communes, f"« {zone.name} » (zone n° {zone.id})")
    return names


def _named(
    sets: Iterable[frozenset[str]], geography: Geography, zones: Mapping[frozenset[str], str]
) -> list[Known]:
    return [Known(zones.get(s) or _geo_name(s, geography), RELEASED, s) for s in sets]


def _geo_name(communes: frozenset[str], geography: Geography) -> str:
    """Name a released set: the territory of the geography it is, or its size and first codes."""
    first = min(communes)
    if geography.exists(GeoLevel.COMMUNE, first):
        row = geography.commune(first)
        for level, code in (
            (GeoLevel.COMMUNE, first),
            (GeoLevel.EPCI, row.epci),
            (GeoLevel.DEPARTEMENT, row.departement),
            (GeoLevel.REGION, row.region),
            (GeoLevel.FRANCE, FRANCE_CODE),
        ):
            if geography.exists(level, code) and communes == set(
                geography.communes_of(level, code)
            ):
                return f"« {geography.name(level, code)} » ({_LEVELS[level]} {code})"
    codes = ", ".join(sorted(communes)[:3]) + (" …" if len(communes) > 3 else "")
    return f"un territoire de {len(communes)} commune(s) ({codes})"


def _near(zones: Sequence[Known], geography: Geography, minimum: int) -> frozenset[str] | None:
    """Return the communes a close territory must share with a zone (None: read them all).

    A territory sharing no commune with a zone differs from it by the whole zone, which
    holds at least the minimum (checked at creation) unless the populations changed since.
    """
    if any(_fewer(z.communes, _population(geography), minimum) for z in zones):
        return None
    return frozenset().union(*(z.communes for z in zones))


def _population(geography: Geography) -> Callable[[str], int]:
    def population(commune: str) -> int:
        # A commune gone from the reference counts for nothing: the rule errs towards refusing.
        if not geography.exists(GeoLevel.COMMUNE, commune):
            return 0
        return geography.population(GeoLevel.COMMUNE, commune)

    return population
