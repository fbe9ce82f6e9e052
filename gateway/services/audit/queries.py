"""The audit log: every decision and delivery appended to a hash chain, verified, queried.

Entries are signed with the key ring the session carries (`gateway.db.AUDIT_KEYS`, from the
settings, never from the database): a session without it cannot append.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.db import AUDIT_KEYS
from gateway.db.models import AuditEntry, AuditHead, Requester
from gateway.services.paging import Page, paginate, where_equal
from policies.access import Action
from policies.audit_chain import GENESIS_HASH, ChainEntry, ChainReport, entry_hash, verify_chain
from policies.audit_keys import AuditKeys, Checkpoint

HEAD_ID = 1
ALLOWED, REFUSED = "allowed", "refused"
_BATCH = 1000


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored in UTC); PostgreSQL, its session's zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def payload(entry: AuditEntry) -> dict[str, Any]:
    """Return what the entry's hash covers: every column but the id and the hashes."""
    return {
        "at": utc(entry.at).isoformat(),
        "requester_id": entry.requester_id,
        "caf_code": entry.caf_code,
        "key_prefix": entry.key_prefix,
        "action": entry.action,
        "fingerprint": entry.fingerprint,
        "decision": entry.decision,
        "rules": list(entry.rules),
        "convention_ref": entry.convention_ref,
        "cells_delivered": entry.cells_delivered,
        "cells_suppressed": entry.cells_suppressed,
        "price": entry.price,
        "details": entry.details,
    }


def session_keys(session: Session) -> AuditKeys:
    """Return the key ring the session carries; refuse to go on without one."""
    keys = session.info.get(AUDIT_KEYS)
    if not isinstance(keys, AuditKeys):
        raise RuntimeError("clé du journal d'audit absente : base ouverte sans trousseau")
    return keys


def _lock_head(session: Session) -> AuditHead:
    """Take the chain's write lock: the UPDATE row lock (PostgreSQL) or write lock (SQLite).

    Writing first, rather than SELECT ... FOR UPDATE, also makes SQLite take its write lock
    before reading the head, so two appends never read the same head.
    """
    lock = update(AuditHead).where(AuditHead.id == HEAD_ID).values(length=AuditHead.length)
    if not session.execute(lock).rowcount:  # type: ignore[attr-defined]
        # The first entry ever: two first appends at once both find no head, and the second
        # insert would fail. The second skips it (after the first's commit), then locks it.
        dialect = session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {"id": HEAD_ID, "length": 0, "last_hash": GENESIS_HASH}
        session.execute(insert(AuditHead).values(values).on_conflict_do_nothing())
        session.execute(lock)
    return session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).one()


def append_entry(
    session: Session,
    *,
    requester_id: int | None,
    key_prefix: str | None,
    action: Action,
    fingerprint: str,
    decision: str,
    rules: list[str],
    convention_ref: str | None,
    cells_delivered: int,
    cells_suppressed: int,
    price: Decimal | None,
    details: dict[str, Any],
) -> AuditEntry:
    """Append one entry in the caller's transaction; concurrent appends queue on the head.

    `action` is one of the gateway's actions (`ACTIONS`): an unknown name is refused.
    """
    action = Action(action)
    key = session_keys(session).current
    head = _lock_head(session)
    requester = session.get(Requester, requester_id) if requester_id is not None else None
    entry = AuditEntry(
        at=datetime.now(UTC),
        requester_id=requester_id,
        caf_code=requester.caf_code if requester else None,
        key_prefix=key_prefix,
        action=action.value,
        fingerprint=fingerprint,
        decision=decision,
        rules=[str(r) for r in rules],
        convention_ref=convention_ref,
        cells_delivered=cells_delivered,
        cells_suppressed=cells_suppressed,
        price=None if price is None else str(price),
        details=details,
        prev_hash=head.last_hash,
        hash="",
    )
    entry.hash = entry_hash(entry.prev_hash, payload(entry), key)
    session.add(entry)
    head.last_hash, head.length = entry.hash, head.length + 1
    session.flush()
    return entry


def _chain(session: Session, after_id: int = 0) -> Iterator[ChainEntry]:
    last = after_id
    while True:
        batch = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(_BATCH)
        ).all()
        if not batch:
            return
        for entry in batch:
            yield ChainEntry(entry.id, payload(entry), entry.prev_hash, entry.hash)
        last = batch[-1].id
        session.expunge_all()


def verify(session: Session, checkpoints: Iterable[Checkpoint] = ()) -> ChainReport:
    """Walk the chain in id order; name the first entry edited, removed, moved or rewritten.

    `checkpoints`: heads exported outside the database, which a rewrite made with the key
    does not reach.
    """
    head = session.get(AuditHead, HEAD_ID)
    return verify_chain(
        _chain(session),
        expected_head=head.last_hash if head else None,
        keys=session_keys(session),
        checkpoints=checkpoints,
    )


def verify_since(session: Session, checkpoint: Checkpoint) -> ChainReport:
    """Verify only what follows an exported head: the entries after it must chain from it."""
    head = session.get(AuditHead, HEAD_ID)
    if checkpoint.entry_id:
        exported = session.get(AuditEntry, checkpoint.entry_id)
        if exported is None or exported.hash != checkpoint.head:
            return verify(session, (checkpoint,))  # names the rewrite, or the missing entry
    return verify_chain(
        _chain(session, checkpoint.entry_id),
        expected_head=head.last_hash if head else None,
        keys=session_keys(session),
        after=checkpoint.head,
    )


def current_head(session: Session) -> tuple[int, str]:
    """Return the id and hash of the chain's last entry ((0, genesis) when empty)."""
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (0, GENESIS_HASH) if last is None else (last.id, last.hash)


def seal(session: Session) -> AuditEntry | None:
    """Sign the chain's head with the current key, unless its last entry already is.

    Run by `init` and `migrate`: from this entry on, a chain recomputed without the key (or
    with a retired key) no longer verifies, even before the next decision is logged.
    """
    keys = session_keys(session)
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is None or entry_hash(last.prev_hash, payload(last), keys.current) == last.hash:
        return None
    return append_entry(
        session,
        requester_id=None,
        key_prefix=None,
        action=Action.AUDIT_SEAL,
        fingerprint=hashlib.sha256(last.hash.encode()).hexdigest(),
        decision=ALLOWED,
        rules=[],
        convention_ref=None,
        cells_delivered=0,
        cells_suppressed=0,
        price=None,
        details={"cle": keys.current_id, "entree_precedente": last.id},
    )


@dataclass(frozen=True)
class AuditFilter:
    requester_id: int | None = None
    caf_code: str | None = None
    decision: str | None = None
    action: Action | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _query(filters: AuditFilter) -> Select[Any]:
    query = where_equal(
        select(AuditEntry).order_by(AuditEntry.id),
        (AuditEntry.requester_id, filters.requester_id),
        (AuditEntry.caf_code, filters.caf_code),
        (AuditEntry.decision, filters.decision),
        (AuditEntry.action, filters.action),
    )
    if filters.since is not None:
        query = query.where(AuditEntry.at >= _day_start(filters.since))
    if filters.until is not None:
        query = query.where(
            AuditEntry.at < _day_start(date.fromordinal(filters.until.toordinal() + 1))
        )
    return query


def query_entries(session: Session, filters: AuditFilter, page: int, per_page: int) -> Page:
    """Return one page of entries matching the filters, oldest first."""
    return paginate(session, _query(filters), page, per_page)


def latest_entries(session: Session, filters: AuditFilter, page: int, per_page: int) -> Page:
    """Return one page of entries matching the filters, newest first (the console's order)."""
    query = _query(filters).order_by(None).order_by(AuditEntry.id.desc())
    return paginate(session, query, page, per_page)


def iter_entries(session: Session, filters: AuditFilter) -> Iterator[AuditEntry]:
    """Yield every matching entry, in batches (for the CSV export)."""
    last = 0
    while True:
        batch = session.scalars(_query(filters).where(AuditEntry.id > last).limit(_BATCH)).all()
        yield from batch
        if len(batch) < _BATCH:
            return
        last = batch[-1].id


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    year, next_month = divmod(month.month, 12)
    return start, datetime(month.year + year, next_month + 1, 1, tzinfo=UTC)


def monthly_usage(
    session: Session, requester_id: int, convention_ref: str | None, month: date
) -> tuple[int, int]:
    """Return (extracts, cells delivered) allowed this month under a convention (quota use)."""
    start, end = month_bounds(month)
    query = select(func.count(AuditEntry.id), func.sum(AuditEntry.cells_delivered)).where(
        AuditEntry.requester_id == requester_id,
        AuditEntry.action == Action.EXTRACT_CREATE,
        AuditEntry.decision == ALLOWED,
        AuditEntry.at >= start,
        AuditEntry.at < end,
    )
    if convention_ref is not None:
        query = query.where(AuditEntry.convention_ref == convention_ref)
    extracts, cells = session.execute(query).one()
    return int(extracts or 0), int(cells or 0)


def requester_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Return the names of the requesters the log (or the change log) names, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Requester.id, Requester.name).where(Requester.id.in_(wanted)))
    return {int(rid): str(name) for rid, name in rows}
