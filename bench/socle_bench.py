"""Benchmark: publish the France-wide socle commun of one data vintage.

A full demonstration instance (every commune of France, six periods) is prepared with
`python -m gateway init --demo`, which publishes the socle once against an empty ledger (the
first figure, read from the command's own report). Then a fresh process republishes it, as
`python -m gateway publish-socle` does, against a ledger that already holds the first
publication: the time and the peak memory of that process are the second figure.

    python -m bench.socle_bench [--instance DIR]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.instance import demo_environment, in_instance, init_demo
from gateway.config import REPO_ROOT


def run(folder: Path) -> None:
    started = time.perf_counter()
    init = init_demo(folder)
    print(f"init --demo : {time.perf_counter() - started:.1f} s au total")
    first = re.search(r"Socle commun publié .*\(([\d.]+) s\)", init.stdout)
    if first:
        print(f"première publication (registre vide) : {first.group(1)} s")
    child = subprocess.run(
        [sys.executable, "-m", "bench.socle_bench", "--child", str(folder)],
        cwd=REPO_ROOT,
        env=demo_environment(folder),
        check=True,
        capture_output=True,
        text=True,
    )
    print(child.stdout.strip())


def child(folder: Path) -> None:
    """Republish in this process; print its time and peak resident memory."""
    from gateway.app import create_app
    from gateway.db.models import Extract
    from gateway.state import app_state

    app = create_app({"env": "development", "instance_dir": folder, "log_level": "WARNING"})
    with app.app_context():
        runner = app_state(app).pipeline
        started = time.perf_counter()
        publication = runner.publisher.publish(runner.store)
        elapsed = time.perf_counter() - started
        with app_state().database.sessions() as session:
            extract = session.get(Extract, publication)
            assert extract is not None
            cells, secret = extract.cells_delivered, extract.cells_suppressed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"republication (registre non vide) : {elapsed:.1f} s, {cells} cellules dont "
        f"{secret} masquées, pic mémoire du processus {peak:.0f} Mo"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", type=Path, help="dossier d'instance à (ré)utiliser")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
    else:
        in_instance(args.instance, "bench-socle-", run)


if __name__ == "__main__":
    main()
