"""The extracts' records: requesters' zones, extracts in flight or delivered, idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.db.models import Extract, IdempotencyKey, TerritoryDefinition, Zone
from gateway.db.models.extracts import DELIVERED, PENDING, RUNNING
from gateway.services.pricing.idempotency import IdempotencyKeyReused, check_key

#: The endpoint an extract's idempotency key is scoped to.
EXTRACTS_ENDPOINT = "POST /extracts"


class ZoneRow(NamedTuple):
    """A requester's custom zone: its id, its name, its communes."""

    id: int
    name: str
    communes: frozenset[str]


def requester_zones(session: Session, requester_id: int | None) -> dict[int, ZoneRow]:
    """Return the requester's custom zones with their communes."""
    if requester_id is None:
        return {}
    rows = session.execute(
        select(Zone.id, Zone.name, TerritoryDefinition.communes)
        .join(TerritoryDefinition, TerritoryDefinition.id == Zone.definition_id)
        .where(Zone.requester_id == requester_id)
    )
    return {
        zone_id: ZoneRow(zone_id, name, frozenset(communes.split(",")))
        for zone_id, name, communes in rows
    }


# --- extracts ---------------------------------------------------------------------------------


def find_extract(session: Session, extract_id: str) -> Extract | None:
    return session.get(Extract, extract_id)


def extract_row(session: Session, extract_id: str, *, for_update: bool = False) -> Extract:
    """Return the extract's row, or a new one with that id (not yet added).

    `for_update`: locked until the transaction ends (PostgreSQL), so two deliveries of one
    queued extract commit one after the other and the second sees the first.
    """
    found = session.get(Extract, extract_id, with_for_update=for_update or None)
    return found or Extract(id=extract_id)


def live_workers(session: Session, schema: str, seconds: float) -> int:
    """Return how many queue workers (`schema`, PostgreSQL) said they were alive lately."""
    found = session.execute(
        text(
            f"SELECT count(*) FROM {schema}.procrastinate_workers"
            " WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
        ),
        {"seconds": seconds},
    ).scalar_one()
    return int(found)


def unqueued_in_flight(
    session: Session, schema: str, task: str, before: datetime
) -> list[tuple[str, int | None]]:
    """Return (id, requester) of the background extracts in flight since before `before` that
    no job of the queue (`schema`, PostgreSQL) waits to deliver or is delivering."""
    rows = session.execute(
        text(
            f"SELECT e.id, e.requester_id FROM extract e WHERE e.status IN (:pending, :running)"
            " AND e.job IS NOT NULL AND e.created_at < :before AND NOT EXISTS ("
            f" SELECT 1 FROM {schema}.procrastinate_jobs j WHERE j.task_name = :task"
            " AND j.args->>'extract_id' = e.id AND j.status IN ('todo', 'doing'))"
        ),
        {"pending": PENDING, "running": RUNNING, "before": before, "task": task},
    )
    return [(str(extract_id), requester) for extract_id, requester in rows]


def store_extract(session: Session, extract: Extract) -> None:
    """Write an extract's row now, in the caller's transaction (its ledger rows refer to it)."""
    session.add(extract)
    session.flush()


def twin(
    session: Session,
    requester_id: int | None,
    fingerprint: str,
    version: str,
    statuses: tuple[str, ...],
) -> Extract | None:
    """Return the oldest extract of the same request (requester, fingerprint, data version)."""
    return session.scalar(
        select(Extract)
        .where(
            Extract.requester_id == requester_id,
            Extract.fingerprint == fingerprint,
            Extract.store_version == version,
            Extract.status.in_(statuses),
        )
        .order_by(Extract.created_at, Extract.id)
        .limit(1)
    )


def latest_public(session: Session, fingerprint: str) -> str | None:
    """Return the id of the latest public extract delivered for a fingerprint (cells unread)."""
    return session.scalar(
        select(Extract.id)
        .where(
            Extract.requester_id.is_(None),
            Extract.fingerprint == fingerprint,
            Extract.status == DELIVERED,
        )
        .order_by(Extract.created_at.desc(), Extract.id)
        .limit(1)
    )


def record_progress(session: Session, extract_id: str, percent: int) -> None:
    """Show a background extract's progress (it runs until its delivery says 100)."""
    extract = session.get(Extract, extract_id)
    if extract is not None and extract.status in (PENDING, RUNNING):
        extract.status, extract.progress = RUNNING, min(99, percent)


def record_failure(session: Session, extract_id: str, status: str, error: dict[str, Any]) -> None:
    """Record why a background extract failed."""
    extract = session.get(Extract, extract_id)
    if extract is not None:
        extract.status = status
        extract.error = error


def copy_delivery(session: Session, extract_id: str, twin_id: str, completed_at: datetime) -> None:
    """Complete an extract with what its identical twin delivered (the same cells)."""
    extract, delivered = session.get(Extract, extract_id), session.get(Extract, twin_id)
    if extract is None or delivered is None:
        return
    extract.status, extract.result, extract.progress = DELIVERED, delivered.result, 100
    extract.cells_delivered = delivered.cells_delivered
    extract.cells_suppressed = delivered.cells_suppressed
    extract.completed_at = completed_at


# --- idempotency keys -------------------------------------------------------------------------


def keyed_extract(
    session: Session, requester_id: int, key: str, fingerprint: str
) -> Extract | None:
    """Return the extract a key already names; refuse a key its requester used for another one."""
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.requester_id == requester_id,
            IdempotencyKey.endpoint == EXTRACTS_ENDPOINT,
            IdempotencyKey.key == check_key(key),
        )
    )
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "Cette clé d'idempotence a déjà servi pour une autre demande d'extrait ; "
            "utilisez une nouvelle clé pour une nouvelle demande."
        )
    return session.get(Extract, row.response.get("extrait"))


def store_key(
    session: Session, requester_id: int, key: str, fingerprint: str, extract_id: str
) -> None:
    """Record, in the caller's transaction, that a key names an extract (the first one wins)."""
    values = {
        "requester_id": requester_id,
        "endpoint": EXTRACTS_ENDPOINT,
        "key": check_key(key),
        "request_hash": fingerprint,
        "status_code": 200,
        "response": {"extrait": extract_id},
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(IdempotencyKey)
        .values(values)
        .on_conflict_do_nothing(index_elements=["requester_id", "endpoint", "key"])
    )
