"""Benchmark: append entries to the audit chain, one transaction each, then verify the chain.

A fresh SQLite instance (migrated, nothing else loaded) or `--database-url` (a migrated,
empty database of one's own); each append is what a decision costs the chain: take the
head's write lock, hash the entry, insert it, move the head, commit. Prints appends per
second (median of `--repeat` runs) and the verification's entries per second.

    python -m bench.audit_bench [--appends 2000] [--repeat 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gateway.app import create_app
from gateway.db import Database
from gateway.db.migrate import upgrade
from gateway.services.audit.queries import ALLOWED, append_entry, verify
from gateway.state import app_state
from policies.access import Action


def append_many(database: Database, count: int) -> float:
    """Append `count` entries, one transaction each; return the seconds taken."""
    started = time.perf_counter()
    for number in range(count):
        with database.transaction() as session:
            append_entry(
                session,
                requester_id=None,
                key_prefix="bench",
                action=Action.EXTRACT_CREATE,
                fingerprint=f"{number:064x}",
                decision=ALLOWED,
                rules=["bench"],
                convention_ref=None,
                cells_delivered=number,
                cells_suppressed=0,
                price=None,
                details={"extrait": f"bench-{number}"},
            )
    return time.perf_counter() - started


def verify_seconds(database: Database) -> tuple[float, int]:
    """Verify the whole chain; return the seconds taken and the entries checked."""
    started = time.perf_counter()
    with database.transaction() as session:
        report = verify(session)
    if not report.ok:
        raise SystemExit(f"chaîne altérée : {report.reason}")
    return time.perf_counter() - started, report.checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    url = args.database_url or f"sqlite:///{root / 'gateway.sqlite3'}"
    upgrade(url)
    app = create_app(
        {"env": "test", "database_url": url, "instance_dir": root, "log_level": "WARNING"}
    )
    database = app_state(app).database
    rates = []
    for _ in range(args.repeat):
        seconds = append_many(database, args.appends)
        rates.append(args.appends / seconds)
        print(f"{args.appends} ajouts en {seconds:.2f} s : {rates[-1]:.0f} ajouts/s")
    seconds, checked = verify_seconds(database)
    print(f"vérification : {checked} entrées en {seconds:.2f} s ({checked / seconds:.0f} /s)")
    print(
        f"ajouts/s médian {statistics.median(rates):.0f} "
        f"(min {min(rates):.0f}, max {max(rates):.0f}) ; vérification {checked / seconds:.0f} /s"
    )
    database.dispose()


if __name__ == "__main__":
    main()
