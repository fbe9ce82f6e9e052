"""The adversary, long version: many requesters play crafted and random sequences, then attack.

    python -m bench.attacks --requests 300 --seed 7

Each requester (a conseil départemental with a free convention on its département) plays the
crafted sequences on a few indicators, then random requests; everything it received, plus
everything public, is attacked with linear programs. Prints the requests and cells tried,
the unsafe cells bounded, the tightest relative interval, and every disclosure found.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from gateway import create_app
from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.store import CellStore
from gateway.store.demo import load_demo
from tests.attacks.oracle import Verdict, describe
from tests.attacks.player import Player
from tests.attacks.sequences import CRAFTED, INDICATORS, play_random
from tests.attacks.world import conventioned_departement, judge
from tests.support.database import prepare_template

DEPARTEMENTS = ("48", "13", "84")
RANDOM_BATCH = 10  # random requests a requester plays after its crafted sequences


def main(argv: list[str] | None = None) -> int:
    """Run the attack; exit 1 when a disclosure is found."""
    parser = argparse.ArgumentParser(prog="python -m bench.attacks", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests to play (about)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--departement", default="48", choices=DEPARTEMENTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="attaques-") as tmp:
        root = Path(tmp)
        geography = load_geography(REPO_ROOT / "data" / "reference")
        load_demo(root / "store", geography, departements=DEPARTEMENTS)
        prepare_template(f"sqlite:///{root / 'gateway.sqlite3'}")
        app = create_app(
            {
                "env": "test",
                "database_url": f"sqlite:///{root / 'gateway.sqlite3'}",
                "instance_dir": root / "instance",
                "store_dir": root / "store",
                "log_level": "ERROR",
            }
        )
        store = CellStore(root / "store")
        catalogue = load_catalogue()
        rng = random.Random(args.seed)
        total, played, refused, players = Verdict(), 0, 0, 0
        while played < args.requests:
            requester = conventioned_departement(app, args.departement)
            player = Player(app.test_client(), geography, requester.headers)
            for name in rng.sample(sorted(CRAFTED), 2):
                CRAFTED[name](player, args.departement, rng.choice(INDICATORS), 2023)
            play_random(player, args.departement, rng, RANDOM_BATCH)
            broken = player.unexpected()
            if broken:
                print(f"requêtes en échec inattendu : {broken}", file=sys.stderr)
                return 2
            total.merge(judge(app, player, store, catalogue))
            played, refused = played + player.requests, refused + len(player.refusals)
            players += 1
            print(f"  demandeur {players}: {played} requêtes, {len(total.disclosures)} divulguées")
        app.extensions["gateway.db"].dispose()
    elapsed = time.perf_counter() - started
    print(
        f"{played} requêtes jouées par {players} demandeurs ({refused} refusées), {elapsed:.1f} s"
    )
    print(describe(total))
    return 1 if total.disclosures else 0


if __name__ == "__main__":
    sys.exit(main())
