"""Attacks across releases that an identity ties together (issue 10), as request sequences.

- publication order: communes without totals, then the public département (and the mirror);
- related indicators: ENF_MOINS_3 is the 0_2 category of ENF_MOINS_6, ALLOC the total of
  ALLOC_SITFAM, asked together or one after the other;
- ratios: PART_ALLOC_RSA = RSA / ALLOC, TAUX_COUV_EAJE = PLACES_EAJE / ENF_MOINS_3, with
  their terms and the terms' families;
- other hierarchies: EPCI straddling two départements against the public départements,
  every EPCI of a département against its public total, IMAJE screens against extracts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.domain import GeoLevel
from tests.attacks.player import Player
from tests.attacks.sequences import USE, by_population, communes, epcis_inside

#: Socle indicators with a breakdown, and the breakdown the public may ask.
SOCLE_BREAKDOWNS = {"ALLOC_SITFAM": "situation_familiale", "ENF_COUVERTS": "age_enfant"}
BREAKDOWN_OF = {
    "ENF_MOINS_6": "age_jeune_enfant",
    "ALLOC_SITFAM": "situation_familiale",
    "ENF_COUVERTS": "age_enfant",
}


def body(
    indicators: Sequence[str],
    territories: dict[str, Any],
    periods: Sequence[int],
    *,
    totals: bool,
) -> dict[str, Any]:
    """Describe an extract, each indicator with its breakdown."""
    breakdowns = sorted({BREAKDOWN_OF[i] for i in indicators if i in BREAKDOWN_OF})
    return {
        "indicators": list(indicators),
        "territories": territories,
        "periods": list(periods),
        "breakdowns": breakdowns,
        "use": USE,
        "totals": totals,
    }


def communes_of(level: str, code: str) -> dict[str, str]:
    return {"parent_level": level, "parent_code": code, "level": "commune"}


# --- publication order ---------------------------------------------------------------------


def read_socle(p: Player, dep: str, indicators: Sequence[str], periods: Sequence[int]) -> None:
    """GET /socle/{indicator} for the département, with its breakdown when it has one."""
    for indicator in indicators:
        extra = {"breakdowns": SOCLE_BREAKDOWNS[indicator]} if indicator in SOCLE_BREAKDOWNS else {}
        p.socle(
            indicator,
            f"socle {indicator}",
            level="departement",
            codes=dep,
            periods=list(periods),
            **extra,
        )


def private_then_public(
    p: Player, dep: str, indicators: Sequence[str], periods: Sequence[int]
) -> None:
    """The communes of the département without totals, then the public département figure."""
    p.extract(body(indicators, communes_of("departement", dep), periods, totals=False), "communes")
    read_socle(p, dep, indicators, periods)


def public_then_private(
    p: Player, dep: str, indicators: Sequence[str], periods: Sequence[int]
) -> None:
    """The mirror: the public département figure first, then its communes without totals."""
    read_socle(p, dep, indicators, periods)
    p.extract(body(indicators, communes_of("departement", dep), periods, totals=False), "communes")


# --- related indicators ----------------------------------------------------------------------


def related_together(
    p: Player, territories: dict[str, Any], pair: Sequence[str], period: int
) -> None:
    """Both indicators of a relation in one extract, same territories, with totals."""
    p.extract(body(pair, territories, [period], totals=True), "+".join(pair))


def related_in_turn(
    p: Player, territories: dict[str, Any], pair: Sequence[str], period: int
) -> None:
    """One indicator of a relation, then the other, same territories, with totals."""
    for indicator in pair:
        p.extract(body([indicator], territories, [period], totals=True), indicator)


# --- other hierarchies -------------------------------------------------------------------------


def straddling_epcis(p: Player, dep: str, indicator: str, period: int) -> None:
    """Every EPCI touching the département, straddling ones included, then its communes.

    An EPCI across two départements is a second hierarchy over the communes: its total, the
    public départements and the communes on one side give the communes on the other side.
    """
    geo = p.geography
    members = communes(geo, GeoLevel.DEPARTEMENT, dep)
    epcis = sorted({geo.commune(c).epci for c in members if geo.commune(c).epci})
    read_socle(p, dep, [indicator], [period])
    p.extract(body([indicator], {"level": "epci", "codes": epcis}, [period], totals=False), "EPCI")
    straddling = [e for e in epcis if not set(geo.communes_of(GeoLevel.EPCI, e)) <= set(members)]
    for epci in straddling:
        inside = sorted(set(geo.communes_of(GeoLevel.EPCI, epci)) & set(members))
        p.extract(
            body([indicator], {"level": "commune", "codes": inside}, [period], totals=False),
            f"communes de {epci} dans {dep}",
        )


def history_then_communes(p: Player, dep: str, indicator: str, period: int) -> None:
    """IMAJE history of an EPCI (six years), then its communes but the smallest, each year."""
    epci = epcis_inside(p.geography, dep)[0]
    p.history({"indicator": indicator, "level": "epci", "code": epci, "use": USE})
    members = by_population(p.geography, communes(p.geography, GeoLevel.EPCI, epci))
    for year in (period - 1, period):
        p.extract(
            body([indicator], {"level": "commune", "codes": members[1:]}, [year], totals=False),
            f"communes {year}",
        )


def nested_comparisons(p: Player, dep: str, indicator: str, period: int) -> None:
    """IMAJE comparisons: every EPCI of the département but one against the département, the
    last one against it, then the last one's communes but the smallest against that EPCI."""
    epcis = epcis_inside(p.geography, dep)
    members = by_population(p.geography, communes(p.geography, GeoLevel.EPCI, epcis[0]))
    screens = [
        ({"level": "epci", "codes": epcis[1:]}, {"level": "departement", "codes": [dep]}),
        ({"level": "epci", "codes": epcis[:1]}, {"level": "departement", "codes": [dep]}),
        ({"level": "commune", "codes": members[1:]}, {"level": "epci", "codes": epcis[:1]}),
    ]
    for study, reference in screens:
        p.comparison(
            {
                "indicator": indicator,
                "period": period,
                "use": USE,
                "study": study,
                "reference": reference,
            }
        )
