"""Random sequences: whatever a requester asks, in whatever order, nothing becomes computable.

Each move is one kind of request on one département: the socle (any level, with a breakdown),
custom zones, communes with or without totals, EPCI, IMAJE history and comparison, a related
indicator on the same territories, a ratio with its terms, and a burst of two requests at the
same moment (the totals of two EPCI and their communes without totals).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from policies.domain import GeoLevel
from tests.attacks.player import Player
from tests.attacks.scenarios import SOCLE_BREAKDOWNS, body
from tests.attacks.sequences import INDICATORS, USE, communes, epcis_inside, table
from tests.attacks.served import burst

#: The other indicator of each declared relation, and a ratio each indicator is a term of.
PARTNER = {
    "ENF_MOINS_3": "ENF_MOINS_6",
    "ENF_MOINS_6": "ENF_MOINS_3",
    "ALLOC": "ALLOC_SITFAM",
    "ALLOC_SITFAM": "ALLOC",
}
RATIO = {
    "RSA": ("PART_ALLOC_RSA", "ALLOC_SITFAM"),
    "ALLOC": ("PART_ALLOC_RSA", "RSA"),
    "ALLOC_SITFAM": ("PART_ALLOC_RSA", "RSA"),
    "PLACES_EAJE": ("TAUX_COUV_EAJE", "ENF_MOINS_6"),
    "ENF_MOINS_3": ("TAUX_COUV_EAJE", "PLACES_EAJE"),
    "ENF_MOINS_6": ("TAUX_COUV_EAJE", "PLACES_EAJE"),
}
RANDOM_INDICATORS = (*INDICATORS, "ENF_MOINS_6", "PPA_MONTANT", "ENF_COUVERTS")


@dataclass
class Board:
    """What a random player plays on: its département, its communes and EPCI, its zones."""

    player: Player
    departement: str
    rng: random.Random
    members: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    zones: list[int] = field(default_factory=list)

    def epci_communes(self) -> list[str]:
        return communes(self.player.geography, GeoLevel.EPCI, self.rng.choice(self.epcis))


Move = Callable[[Board, str, list[int], int], None]


def _socle(b: Board, indicator: str, periods: list[int], step: int) -> None:
    geo, dep = b.player.geography, b.departement
    level, where = b.rng.choice(
        [
            ("departement", {"codes": dep}),
            ("departement", {"parent_level": "region", "parent_code": geo.departement(dep).region}),
            ("region", {"codes": geo.departement(dep).region}),
            ("france", {"codes": "FR"}),
        ]
    )
    extra = {"breakdowns": SOCLE_BREAKDOWNS[indicator]} if indicator in SOCLE_BREAKDOWNS else {}
    b.player.socle(indicator, level=level, periods=periods, **where, **extra)


def _zone(b: Board, indicator: str, periods: list[int], step: int) -> None:
    base = b.epci_communes()
    picked = b.rng.sample(base, max(1, len(base) - b.rng.randint(1, 2)))
    extra = b.rng.sample(b.members, b.rng.randint(0, 2))
    zone = b.player.zone(f"z{step}", [*picked, *extra])
    if zone is not None:
        b.zones.append(zone)
        request = table(indicator, "departement", [b.departement], periods, zones=b.zones[-3:])
        if b.rng.random() < 0.3:  # the zones alone, without their département
            del request["territories"]
        b.player.extract(request, "zones")


def _communes(b: Board, indicator: str, periods: list[int], step: int) -> None:
    base = b.epci_communes()
    codes = b.rng.sample(base, b.rng.randint(max(1, len(base) - 3), len(base)))
    # No parents: they reach the région, outside the convention.
    totals = b.rng.random() < 0.5
    b.player.extract(table(indicator, "commune", codes, periods, totals=totals), "communes")


def _epcis(b: Board, indicator: str, periods: list[int], step: int) -> None:
    codes = b.rng.sample(b.epcis, b.rng.randint(1, len(b.epcis)))
    b.player.extract(table(indicator, "epci", codes, periods, totals=True), "EPCI")


def _history(b: Board, indicator: str, periods: list[int], step: int) -> None:
    """Six years of an EPCI, or of one of the player's zones."""
    if b.zones and b.rng.random() < 0.5:
        b.player.history({"indicator": indicator, "zone": b.rng.choice(b.zones), "use": USE})
        return
    code = b.rng.choice(b.epcis)
    b.player.history({"indicator": indicator, "level": "epci", "code": code, "use": USE})


def _comparison(b: Board, indicator: str, periods: list[int], step: int) -> None:
    study = b.rng.sample(b.members, b.rng.randint(1, 4))
    request = {
        "indicator": indicator,
        "period": periods[-1],
        "use": USE,
        "study": {"level": "commune", "codes": study},
        "reference": {"level": "epci", "codes": [b.rng.choice(b.epcis)]},
    }
    b.player.comparison(request)


def _related(b: Board, indicator: str, periods: list[int], step: int) -> None:
    """The indicator and its relation's other one, on an EPCI's communes: together or in turn."""
    if indicator not in PARTNER:  # an indicator without relation: play one that has one
        indicator = b.rng.choice(sorted(PARTNER))
    pair = [indicator, PARTNER[indicator]]
    territories = {"level": "commune", "codes": b.epci_communes()}
    if b.rng.random() < 0.5:
        b.player.extract(body(pair, territories, periods, totals=True), "liés")
        return
    for code in b.rng.sample(pair, 2):
        b.player.extract(body([code], territories, periods, totals=True), f"lié {code}")


def _ratio(b: Board, indicator: str, periods: list[int], step: int) -> None:
    """A ratio with the indicator and the ratio's other term (or its family), on communes."""
    ratio, other = RATIO.get(indicator, ("PART_ALLOC_RSA", "RSA"))
    territories = {"level": "commune", "codes": b.epci_communes()}
    b.player.extract(body([ratio, indicator, other], territories, periods, totals=True), "taux")


def _burst(b: Board, indicator: str, periods: list[int], step: int) -> None:
    """The totals of two EPCI and their communes without totals, at the same moment."""
    epcis = b.rng.sample(b.epcis, 2)
    members = sorted(c for e in epcis for c in communes(b.player.geography, GeoLevel.EPCI, e))
    bodies = [
        body([indicator], {"level": "epci", "codes": epcis}, periods, totals=False),
        body([indicator], {"level": "commune", "codes": members}, periods, totals=False),
    ]
    burst(b.player, bodies, ["rafale EPCI", "rafale communes"])


#: (move, weight): how often each kind of request is played.
MOVES: tuple[tuple[Move, float], ...] = (
    (_socle, 0.12),
    (_zone, 0.12),
    (_communes, 0.16),
    (_epcis, 0.10),
    (_history, 0.07),
    (_comparison, 0.07),
    (_related, 0.14),
    (_ratio, 0.12),
    (_burst, 0.10),
)


def play_random(p: Player, dep: str, rng: random.Random, n: int) -> None:
    """Play n random moves on one département, on two indicators, over successive periods."""
    geo = p.geography
    board = Board(p, dep, rng, communes(geo, GeoLevel.DEPARTEMENT, dep), epcis_inside(geo, dep))
    indicators = [rng.choice(RANDOM_INDICATORS) for _ in range(2)]
    moves, weights = zip(*MOVES, strict=True)
    for step in range(n):
        indicator = rng.choice(indicators)
        periods = sorted(rng.sample([2022, 2023, 2024], rng.choice([1, 1, 2])))
        move = rng.choices(moves, weights)[0]
        move(board, indicator, periods, step)
