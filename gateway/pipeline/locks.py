"""Ledger-partition locks: protections that read what another one is writing wait for it.

A partition of the release ledger is (audience, family, period); audience None is the public.
A delivery reads the partitions of every audience its requester knows and writes its own: it
holds its own partitions exclusively and the others shared, from before its protection is
computed until its ledger rows are committed. Without that, two concurrent deliveries to one
requester would each be protected against a ledger without the other, and the two answers
together could be subtracted.

On PostgreSQL the locks are transaction-scoped advisory locks on a dedicated connection (they
hold across workers and machines); on SQLite, a single-machine database, `flock` on striped
lock files under the instance directory. Every delivery takes its keys in one sorted order, so
two deliveries never wait for each other in a cycle.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gateway.db import Database
from gateway.pipeline.compute import stored_terms
from policies.errors import DomainError

if TYPE_CHECKING:  # a type only: prepare reads conventions, whose writes take steps here
    from gateway.pipeline.prepare import Prepared

#: (audience, family, period): the unit of the ledger one protection reads or writes.
Partition = tuple[int | None, str, int]

STRIPES = 4096  # SQLite lock files; a collision only makes two unrelated deliveries wait
RETRY_AFTER_SECONDS = 5
_POLL_SECONDS = 0.01
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires


class LedgerBusy(DomainError):
    """Another delivery on the same data held its locks beyond the timeout."""

    code = "verrou_occupe"
    title = "Protection en cours sur les mêmes données"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(
            "Une autre livraison portant sur les mêmes données est en cours de protection au "
            "titre du secret statistique. Réessayez dans quelques secondes."
        )
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def partitions(prepared: Prepared) -> tuple[frozenset[Partition], frozenset[Partition]]:
    """Return (reads, writes): the partitions a delivery only reads, and those it writes."""
    catalogue = prepared.catalogue
    families = {
        catalogue.family_code(term)
        for code in prepared.request.indicators
        for term in stored_terms(catalogue.get(code))
    }
    own = prepared.caller.requester_id
    others = set(prepared.audiences) - {own}

    def of(audiences: Iterable[int | None]) -> frozenset[Partition]:
        return frozenset(
            (a, f, p) for a in audiences for f in families for p in prepared.request.periods
        )

    return of(others), of([own])


def partition_key(partition: Partition) -> int:
    """Return the stable signed 64-bit key of a partition (PostgreSQL advisory lock key)."""
    audience, family, period = partition
    canonical = f"registre|{'public' if audience is None else audience}|{family}|{period}"
    digest = hashlib.sha256(canonical.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_plan(
    reads: Iterable[Partition], writes: Iterable[Partition], slots: int | None = None
) -> list[tuple[int, bool]]:
    """Return the sorted (key, exclusive) pairs to take; a key written is not also read.

    With `slots`, keys are folded into that many stripes (the lock files of SQLite).
    """

    def slot(partition: Partition) -> int:
        key = partition_key(partition)
        return key if slots is None else key % slots

    plan = dict.fromkeys(map(slot, reads), False)
    plan.update(dict.fromkeys(map(slot, writes), True))
    return sorted(plan.items())


class LedgerLocks:
    """The ledger-partition locks of one gateway instance (one database)."""

    def __init__(self, database: Database, lock_dir: Path) -> None:
        self.lock_dir = lock_dir
        self.postgres = database.engine.dialect.name == "postgresql"
        self.engine = database.lock_engine if self.postgres else None  # its own pool

    @contextmanager
    def hold(
        self,
        reads: Iterable[Partition],
        writes: Iterable[Partition],
        timeout_seconds: float,
    ) -> Iterator[None]:
        """Hold `writes` exclusively and `reads` shared for the block; raise LedgerBusy."""
        deadline = time.monotonic() + timeout_seconds
        if self.postgres:
            with self._advisory(lock_plan(reads, writes), deadline):
                yield
        else:
            with self._files(lock_plan(reads, writes, STRIPES), deadline):
                yield

    @contextmanager
    def _advisory(self, plan: list[tuple[int, bool]], deadline: float) -> Iterator[None]:
        assert self.engine is not None
        with self.engine.connect() as connection, connection.begin():
            for key, exclusive in plan:
                wait_ms = max(1, int((deadline - time.monotonic()) * 1000))
                connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
                function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
                try:
                    connection.execute(text(f"SELECT {function}(:key)"), {"key": key})
                except OperationalError as error:
                    if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                        raise
                    raise LedgerBusy() from None
            yield  # the transaction, and its locks, end after the caller's commit

    @contextmanager
    def _files(self, plan: list[tuple[int, bool]], deadline: float) -> Iterator[None]:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            for stripe, exclusive in plan:
                path = self.lock_dir / f"registre-{stripe:04d}.lock"
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                stack.callback(os.close, descriptor)  # closing releases the lock
                _flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, deadline)
            yield


#: Seconds an administrator's write waits for another at the same step (then a 503 problem).
STEP_TIMEOUT = 30.0


def step_key(name: str) -> int:
    """Return the signed 64-bit advisory key of a serialised step (not a partition's)."""
    digest = hashlib.sha256(f"etape|{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def serialise(session: Session, name: str | None, timeout_seconds: float) -> None:
    """Make the rest of the session's transaction one step serialised on `name`; LedgerBusy.

    Call it first in the transaction (on SQLite, later is a no-op): what the transaction
    reads afterwards (a quota's count, an extract in flight) was committed by the previous
    holder, and what it writes commits
    before the next holder reads. PostgreSQL: a transaction-level advisory lock on the name
    (across workers and machines; released at commit or rollback; None takes none). SQLite,
    a single-machine database: the database's write lock, taken now (BEGIN IMMEDIATE) rather
    than at the first write: the reads that follow see every earlier commit, and no other
    writer commits before this transaction ends.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        if name is None:
            return
        wait_ms = max(1, int(timeout_seconds * 1000))
        connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
        try:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": step_key(name)})
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            raise LedgerBusy() from None
        connection.execute(text("SET LOCAL lock_timeout = DEFAULT"))
        return
    dbapi = connection.connection.dbapi_connection
    if getattr(dbapi, "in_transaction", False):
        # A caller composing several writes in one transaction (the demonstration seed, a
        # test's fixture) began it already: its first write takes the database lock, and a
        # writer that read before another's commit fails (busy) rather than write a stale
        # count. Requests always call this first, in a transaction of their own.
        return
    usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {max(1, int(timeout_seconds * 1000))}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout
    except OperationalError as error:
        if "locked" not in str(error.orig):
            raise
        raise LedgerBusy() from None
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")


def _flock(descriptor: int, mode: int, deadline: float) -> None:
    """Take a flock, polling until the deadline (flock itself has no timeout)."""
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LedgerBusy() from None
            time.sleep(_POLL_SECONDS)
