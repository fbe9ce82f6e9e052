"""Sequences of requests an adversary plays: crafted differencing attacks, and random ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from policies.domain import GeoLevel
from policies.geography import Geography
from tests.attacks.player import Player

USE = "usage_final"
Sequence_ = Callable[[Player, str, str, int], None]

#: Indicators played: counts of foyers (FREQ, zero cells unsafe for RSA), a convention-tier
#: count, a capacity with dominance, an amount (NK/P), a breakdown with exclusive categories.
INDICATORS = ("RSA", "ENF_MOINS_3", "PLACES_EAJE", "AL_MONTANT", "ALLOC_SITFAM", "ALLOC")
BREAKDOWN = {"ALLOC_SITFAM": "situation_familiale", "ENF_MOINS_6": "age_jeune_enfant"}


def communes(geo: Geography, level: GeoLevel, code: str) -> list[str]:
    return sorted(geo.communes_of(level, code))


def by_population(geo: Geography, codes: Sequence[str]) -> list[str]:
    """Return the communes from the smallest population to the largest."""
    return sorted(codes, key=lambda c: (geo.population(GeoLevel.COMMUNE, c), c))


def population(geo: Geography, codes: Sequence[str]) -> int:
    return sum(geo.population(GeoLevel.COMMUNE, c) for c in set(codes))


def epcis_inside(geo: Geography, departement: str) -> list[str]:
    """Return the EPCIs whose communes all lie in the département, smallest first."""
    inside = set(geo.communes_of(GeoLevel.DEPARTEMENT, departement))
    found = {geo.commune(c).epci for c in inside}
    return sorted(
        (e for e in found if e and set(geo.communes_of(GeoLevel.EPCI, e)) <= inside),
        key=lambda e: (len(geo.communes_of(GeoLevel.EPCI, e)), e),
    )


def table(
    indicator: str,
    level: str,
    codes: Sequence[str] = (),
    periods: Sequence[int] = (2023,),
    *,
    zones: Sequence[int] = (),
    breakdown: bool = True,
    **flags: Any,
) -> dict[str, Any]:
    """Describe one extract request."""
    body: dict[str, Any] = {"indicators": [indicator], "periods": list(periods), "use": USE}
    body["territories"] = {"level": level, "codes": list(codes)}
    if zones:
        # Zones with their département: the zone against its parent (zones alone: moves.py).
        body["zones"] = list(zones)
    if breakdown and indicator in BREAKDOWN:
        body["breakdowns"] = [BREAKDOWN[indicator]]
    return body | flags


# --- crafted sequences -------------------------------------------------------------------


def epci_minus_one(p: Player, dep: str, indicator: str, period: int) -> None:
    """A zone = an EPCI minus its smallest commune, the EPCI, then its communes with a total."""
    epci = epcis_inside(p.geography, dep)[len(epcis_inside(p.geography, dep)) // 2]
    members = by_population(p.geography, communes(p.geography, GeoLevel.EPCI, epci))
    p.extract(table(indicator, "epci", [epci], [period]), "EPCI")
    zone = p.zone("EPCI moins une", members[1:])
    if zone is not None:
        p.extract(
            table(indicator, "departement", [dep], zones=[zone], periods=[period]), "EPCI moins une"
        )
    p.extract(table(indicator, "commune", members, [period], totals=True), "communes + total")


def zones_differing_by_one(p: Player, dep: str, indicator: str, period: int) -> None:
    """Two zones of large communes, one with a small commune more; then both together."""
    members = by_population(p.geography, communes(p.geography, GeoLevel.DEPARTEMENT, dep))
    big = members[-4:-1]  # large enough for the minimum population, not the chef-lieu
    small = members[:2]
    zone_a = p.zone("grandes + petite", [*big, small[0]])
    zone_b = p.zone("grandes", big)
    zone_c = p.zone("grandes + deux petites", [*big, *small])
    for zone, label in ((zone_a, "A"), (zone_b, "B"), (zone_c, "C")):
        if zone is not None:
            p.extract(
                table(indicator, "departement", [dep], zones=[zone], periods=[period]),
                f"zone {label}",
            )
    both = [z for z in (zone_a, zone_b, zone_c) if z is not None]
    p.extract(
        table(indicator, "departement", [dep], zones=both, periods=[period]), "zones ensemble"
    )


def parent_minus_child(p: Player, dep: str, indicator: str, period: int) -> None:
    """The public département total, then every commune but the smallest; same in an EPCI."""
    p.socle(indicator, level="departement", codes=dep, periods=[period])
    members = by_population(p.geography, communes(p.geography, GeoLevel.DEPARTEMENT, dep))
    p.extract(table(indicator, "commune", members[1:], [period]), "département moins une")
    epci = epcis_inside(p.geography, dep)[0]
    children = by_population(p.geography, communes(p.geography, GeoLevel.EPCI, epci))
    p.extract(table(indicator, "epci", [epci], [period]), "EPCI")
    p.extract(table(indicator, "commune", children[1:], [period]), "EPCI moins une")


def zone_against_epci(p: Player, dep: str, indicator: str, period: int) -> None:
    """A zone = an EPCI plus one small commune of a neighbour; the EPCI, the neighbour, both."""
    epcis = epcis_inside(p.geography, dep)
    epci, other = epcis[0], epcis[1]
    outsider = by_population(p.geography, communes(p.geography, GeoLevel.EPCI, other))[0]
    zone = p.zone("EPCI plus une", [*communes(p.geography, GeoLevel.EPCI, epci), outsider])
    if zone is not None:
        p.extract(table(indicator, "departement", [dep], zones=[zone], periods=[period]), "zone")
    p.extract(table(indicator, "epci", [epci], [period]), "EPCI")
    p.extract(table(indicator, "epci", [other], [period]), "EPCI voisin")
    p.extract(table(indicator, "epci", [epci, other], [period], totals=True), "deux EPCI")


def successive_periods(p: Player, dep: str, indicator: str, period: int) -> None:
    """The same EPCI table for one year, then the next, then a six-year history."""
    epcis = epcis_inside(p.geography, dep)
    for year in (period - 1, period):
        p.extract(table(indicator, "epci", epcis, [year], totals=True), f"EPCI {year}")
    p.extract(table(indicator, "epci", epcis, [period - 1, period]), "EPCI deux ans")
    history = {"indicator": indicator, "level": "epci", "code": epcis[0], "use": USE}
    p.history(history)
    # The history of a custom zone: moves.py (`_history`).


def socle_against_convention(p: Player, dep: str, indicator: str, period: int) -> None:
    """Public socle figures, then convention extracts of the same département."""
    region = p.geography.departement(dep).region
    p.socle(indicator, level="departement", codes=dep, periods=[period])
    p.socle(indicator, level="departement", parent_level="region", parent_code=region)
    members = communes(p.geography, GeoLevel.DEPARTEMENT, dep)
    p.extract(table(indicator, "commune", members, [period]), "communes")
    p.extract(table(indicator, "epci", epcis_inside(p.geography, dep), [period]), "EPCI")
    comparison = {
        "indicator": indicator,
        "period": period,
        "use": USE,
        "study": {"level": "commune", "codes": by_population(p.geography, members)[:5]},
        "reference": {"level": "departement", "codes": [dep]},
    }
    p.comparison(comparison)


CRAFTED: dict[str, Sequence_] = {
    "epci_moins_une_commune": epci_minus_one,
    "zones_differant_d_une_commune": zones_differing_by_one,
    "parent_moins_un_enfant": parent_minus_child,
    "zone_contre_epci": zone_against_epci,
    "periodes_successives": successive_periods,
    "socle_contre_convention": socle_against_convention,
}
