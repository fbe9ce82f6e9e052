"""The adversary, long version: many requesters play every class of attack, then are judged.

    python -m bench.attacks --requests 500 --seed 7

Each requester (a conseil départemental with a free convention on its département, or every
fifth one a State service with a national convention) plays two crafted differencing
sequences, two attacks across releases (publication order against the socle, related
indicators, ratios with their terms, straddling EPCI, IMAJE screens), then random moves
(socle reads at every level, zones, communes, EPCI, successive periods, related indicators,
ratios, bursts of two requests at the same moment). Everything it received, its ledger, the
public ledger and the catalogue's relations are attacked with linear programs. Prints the
requests played by class, the unsafe cells bounded, the tightest relative interval, and
every disclosure found; exits 1 on a disclosure.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from gateway.app import create_app
from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.state import app_state
from gateway.store import CellStore
from gateway.store.demo import load_demo
from policies.geography import Geography
from tests.attacks import scenarios
from tests.attacks.moves import play_random
from tests.attacks.player import Player
from tests.attacks.sequences import CRAFTED, INDICATORS, epcis_inside
from tests.attacks.verdict import Verdict, describe
from tests.attacks.world import (
    conventioned_departement,
    conventioned_national,
    judge,
    ratio_leaks,
)
from tests.support.database import prepare_template

DEPARTEMENTS = ("48", "13", "84")
RANDOM_BATCH = 10  # random moves a requester plays after its crafted sequences
NATIONAL_EVERY = 5  # every fifth requester holds a national convention
Attack = Callable[[Player, str, random.Random], None]


def _epci_communes(p: Player, dep: str, rng: random.Random) -> dict[str, str]:
    return scenarios.communes_of("epci", rng.choice(epcis_inside(p.geography, dep)))


#: The attacks across releases of issue 10, as (name, play).
ACROSS: tuple[tuple[str, Attack], ...] = (
    (
        "privé puis public",
        lambda p, d, r: scenarios.private_then_public(
            p, d, r.sample(["PPA", "PPA_MONTANT", "RSA", "AL"], 2), [2023, 2024]
        ),
    ),
    (
        "public puis privé",
        lambda p, d, r: scenarios.public_then_private(
            p, d, [r.choice(["ALLOC_SITFAM", "ENF_COUVERTS", "AAH"])], [r.choice([2023, 2024])]
        ),
    ),
    (
        "indicateurs liés",
        lambda p, d, r: scenarios.related_in_turn(
            p, _epci_communes(p, d, r), r.sample(list(r.choice(list(RELATED_PAIRS))), 2), 2023
        ),
    ),
    (
        "taux et termes",
        lambda p, d, r: p.extract(
            scenarios.body(r.choice(RATIOS), _epci_communes(p, d, r), [2024], totals=True), "taux"
        ),
    ),
    (
        "historique puis communes",
        lambda p, d, r: scenarios.history_then_communes(p, d, "RSA", 2023),
    ),
    ("comparaisons emboîtées", lambda p, d, r: scenarios.nested_comparisons(p, d, "ALLOC", 2023)),
)
RELATED_PAIRS = (("ENF_MOINS_3", "ENF_MOINS_6"), ("ALLOC", "ALLOC_SITFAM"))
RATIOS = (
    ("PART_ALLOC_RSA", "RSA", "ALLOC_SITFAM"),
    ("TAUX_COUV_EAJE", "PLACES_EAJE", "ENF_MOINS_6"),
    ("TAUX_COUV_ASSMAT", "PLACES_ASSMAT", "ENF_MOINS_3"),
)
#: Request classes, read from the labels the sequences give their requests.
CLASSES = (
    ("socle", "lectures du socle"),
    ("rafale", "rafales simultanées"),
    ("lié", "indicateurs liés"),
    ("ENF_MOINS", "indicateurs liés"),
    ("ALLOC", "indicateurs liés"),
    ("taux", "taux"),
    ("zone", "zones"),
    ("historique", "historiques IMAJE"),
    ("comparaison", "comparaisons IMAJE"),
)


def _class(label: str) -> str:
    return next((name for prefix, name in CLASSES if label.startswith(prefix)), "extraits")


def _play(
    app: Flask, geography: Geography, rng: random.Random, number: int
) -> tuple[Player, list[str]]:
    """Create one requester and play its sequences; return it and the attacks played."""
    national = number % NATIONAL_EVERY == NATIONAL_EVERY - 1
    dep = rng.choice(DEPARTEMENTS)
    requester = conventioned_national(app) if national else conventioned_departement(app, dep)
    player = Player(app.test_client(), geography, requester.headers, requester.id)
    played = []
    for name in rng.sample(sorted(CRAFTED), 2):
        CRAFTED[name](player, dep, rng.choice(INDICATORS), 2023)
        played.append(name)
    for name, attack in rng.sample(ACROSS, 2):
        attack(player, dep, rng)
        played.append(name)
    if national:
        scenarios.straddling_epcis(player, rng.choice(["84", "48"]), rng.choice(INDICATORS), 2023)
        played.append("EPCI à cheval")
    play_random(player, dep, rng, RANDOM_BATCH)
    return player, played


def _app(root: Path, geography: Geography) -> Flask:
    """A fresh gateway on SQLite over the three départements, its socle published."""
    load_demo(root / "store", geography, departements=DEPARTEMENTS)
    prepare_template(f"sqlite:///{root / 'gateway.sqlite3'}", root / "store")
    return create_app(
        {
            "env": "test",
            "database_url": f"sqlite:///{root / 'gateway.sqlite3'}",
            "instance_dir": root / "instance",
            "store_dir": root / "store",
            "log_level": "ERROR",
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Run the attack; exit 1 when a disclosure (or a ratio without its terms) is found."""
    parser = argparse.ArgumentParser(prog="python -m bench.attacks", description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="requests to play (about)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    geography = load_geography(REPO_ROOT / "data" / "reference")
    catalogue = load_catalogue()
    total, classes, attacks, leaks = Verdict(), Counter[str](), Counter[str](), []
    played = refused = players = 0
    with tempfile.TemporaryDirectory(prefix="attaques-") as tmp:
        app = _app(Path(tmp), geography)
        store = CellStore(Path(tmp) / "store")
        rng = random.Random(args.seed)
        while played < args.requests:
            player, names = _play(app, geography, rng, players)
            broken = player.unexpected()
            if broken:
                print(f"requêtes en échec inattendu : {broken}", file=sys.stderr)
                return 2
            total.merge(judge(app, player, store, catalogue))
            leaks += ratio_leaks(app, player, catalogue)
            requests = [o for o in player.log if not o.label.startswith("zone ")]
            classes.update(_class(o.label) for o in requests)
            attacks.update(names)
            played, refused = played + player.requests, refused + len(player.refusals)
            players += 1
            print(f"  demandeur {players}: {played} requêtes, {len(total.disclosures)} divulguées")
        app_state(app).database.dispose()
    elapsed = time.perf_counter() - started
    print(
        f"{played} requêtes jouées par {players} demandeurs ({refused} refusées), {elapsed:.1f} s"
    )
    print("par classe : " + ", ".join(f"{k} {v}" for k, v in classes.most_common()))
    print("attaques : " + ", ".join(f"{k} {v}" for k, v in sorted(attacks.items())))
    print(describe(total))
    print(f"taux publiés sans leurs deux termes au registre : {len(leaks)}", *leaks[:10], sep="\n")
    return 1 if total.disclosures or leaks else 0


if __name__ == "__main__":
    sys.exit(main())
