"""Ledger-partition locks: stable keys, shared and exclusive, across processes, both backends."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from gateway.config import REPO_ROOT
from gateway.pipeline.compute import stored_terms
from gateway.pipeline.locks import (
    STRIPES,
    LedgerBusy,
    LedgerLocks,
    Partition,
    lock_plan,
    partition_key,
    partitions,
)
from gateway.pipeline.prepare import Prepared
from gateway.pipeline.request import parse_description
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from policies.access import Caller
from tests.support.state import get_database

AUBAGNE = {
    "indicators": ["PLACES_EAJE"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}


def locks_of(app: Flask) -> LedgerLocks:
    """Locks of the same instance, held apart from its pipeline's (another worker's)."""
    database = app_state(app).database
    return LedgerLocks(database, app_state(app).settings.instance_dir / "locks")


def test_partition_keys_are_stable_signed_64_bit_integers() -> None:
    # Pinned: two versions of the gateway running side by side must lock the same keys.
    assert partition_key((None, "ENF_MOINS_6", 2024)) == 1771081449120420485
    assert partition_key((7, "ENF_MOINS_6", 2024)) == -1231232990163385023
    keys = {
        partition_key((audience, family, period))
        for audience in (None, 0, 7, 8)
        for family in ("ENF_MOINS_6", "ALLOC")
        for period in (2023, 2024)
    }
    assert len(keys) == 16
    assert all(-(2**63) <= key < 2**63 for key in keys)


def test_lock_plan_is_sorted_and_takes_a_written_partition_exclusively() -> None:
    read, both, written = (None, "A", 2024), (7, "A", 2023), (7, "A", 2024)
    plan = lock_plan([read, both], [both, written])
    assert plan == sorted(plan)
    assert dict(plan) == {
        partition_key(read): False,
        partition_key(both): True,
        partition_key(written): True,
    }
    striped = lock_plan([read], [written], STRIPES)
    assert all(0 <= stripe < STRIPES for stripe, _ in striped)
    assert striped == sorted((partition_key(p) % STRIPES, p is written) for p in (read, written))


def _prepared(catalogue: Any, requester: int | None, audiences: tuple[int | None, ...]) -> Any:
    ratio = next(i for i in catalogue if i.is_ratio)
    body = {**AUBAGNE, "indicators": [ratio.code, "ENF_MOINS_6"]}
    caller = Caller(requester, None, None, "essai")  # type: ignore[arg-type]
    request = parse_description(body, {})
    return Prepared(caller, catalogue, request, (), None, (), 0, audiences)  # type: ignore[arg-type]


def test_partitions_of_a_delivery(app: Flask) -> None:
    with app.app_context(), get_database().sessions() as session:
        catalogue = current_catalogue(session)
    prepared = _prepared(catalogue, 7, (7, None, 3))
    terms = {t for code in prepared.request.indicators for t in stored_terms(catalogue.get(code))}
    families = {catalogue.family_code(t) for t in terms}
    assert len(terms) == 3  # the ratio's numerator and denominator, and the indicator
    reads, writes = partitions(prepared)
    assert writes == {(7, f, p) for f in families for p in (2023, 2024)}
    assert reads == {(a, f, p) for a in (None, 3) for f in families for p in (2023, 2024)}
    public_reads, public_writes = partitions(_prepared(catalogue, None, (None,)))
    assert not public_reads
    assert public_writes == {(None, f, p) for f in families for p in (2023, 2024)}


P, Q = (7, "ENF_MOINS_6", 2024), (7, "ENF_MOINS_6", 2023)

# (first held, second asked, blocked?): shared with shared passes, anything with exclusive waits.
SEMANTICS = [
    ("shared", "shared", P, False),
    ("shared", "exclusive", P, True),
    ("exclusive", "shared", P, True),
    ("exclusive", "exclusive", P, True),
    ("exclusive", "exclusive", Q, False),
]


def _modes(mode: str, partition: Partition) -> tuple[list[Partition], list[Partition]]:
    return ([partition], []) if mode == "shared" else ([], [partition])


@pytest.mark.parametrize(("first", "second", "asked", "blocked"), SEMANTICS)
def test_shared_and_exclusive(
    app: Flask, first: str, second: str, asked: Partition, blocked: bool
) -> None:
    assert partition_key(P) % STRIPES != partition_key(Q) % STRIPES
    holder, other = locks_of(app), locks_of(app)
    with holder.hold(*_modes(first, P), 1.0):
        if blocked:
            started = time.monotonic()
            with pytest.raises(LedgerBusy), other.hold(*_modes(second, asked), 0.3):
                pass
            assert time.monotonic() - started >= 0.3
        else:  # taken while the first is still held: it did not wait for it
            with other.hold(*_modes(second, asked), 5.0):
                pass
    with other.hold(*_modes(second, asked), 0.3):  # released at the end of the block
        pass


def test_locks_are_released_when_the_block_fails(app: Flask) -> None:
    locks = locks_of(app)
    with pytest.raises(RuntimeError), locks.hold((), [P], 1.0):
        raise RuntimeError("panne")
    with locks_of(app).hold((), [P], 0.3):
        pass


_OTHER_PROCESS = """
import sys
from pathlib import Path
from gateway.db import Database
from gateway.pipeline.locks import LedgerBusy, LedgerLocks
locks = LedgerLocks(Database(sys.argv[1]), Path(sys.argv[2]))
try:
    with locks.hold((), [(7, "ENF_MOINS_6", 2024)], 0.3):
        print("libre")
except LedgerBusy:
    print("occupe")
"""


def _other_process(app: Flask) -> str:
    """Try the partition exclusively from another process (another worker, another machine)."""
    engine = app_state(app).database.engine
    locks = locks_of(app)
    url = engine.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, url, str(locks.lock_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_locks_hold_across_processes(app: Flask) -> None:
    with locks_of(app).hold([P], (), 1.0):
        assert _other_process(app) == "occupe"
    assert _other_process(app) == "libre"


def _advisory_locks(app: Flask) -> set[tuple[int, str]]:
    """Return the granted advisory locks of the database: (64-bit key, mode)."""
    with app_state(app).database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT (classid::bigint << 32) | objid::bigint, mode FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted"
            )
        )
        return {(int(key), mode) for key, mode in rows}


def test_each_backend_locks_the_partition_keys(app: Flask) -> None:
    """PostgreSQL: advisory locks on the keys, for the transaction; SQLite: striped files."""
    locks = locks_of(app)
    if app_state(app).database.url.startswith("postgresql"):
        with locks.hold([Q], [P], 1.0):
            held = _advisory_locks(app)
        assert held == {(partition_key(P), "ExclusiveLock"), (partition_key(Q), "ShareLock")}
        assert not _advisory_locks(app)  # transaction-scoped: gone with the block
        return
    with locks.hold([Q], [P], 1.0):
        names = {path.name for path in locks.lock_dir.iterdir()}
    stripes = {partition_key(p) % STRIPES for p in (P, Q)}
    assert names >= {f"registre-{stripe:04d}.lock" for stripe in stripes}
