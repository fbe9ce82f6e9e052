"""Conventions in the database, read as pure values; whose releases a requester knows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db.models import AdminChange, ConventionRecord
from gateway.services.conventions.values import to_value
from gateway.services.paging import Page, paginate, where_equal
from policies.conventions import Convention, ConventionStatus
from policies.errors import NotFound


def get_record(session: Session, convention_id: int) -> ConventionRecord:
    record = session.get(ConventionRecord, convention_id)
    if record is None:
        raise NotFound(f"Aucune convention n° {convention_id}.")
    return record


def get_convention(session: Session, convention_id: int | str) -> Convention:
    """Return one convention version as a pure value (NotFound if absent)."""
    try:
        number = int(convention_id)
    except ValueError:
        raise NotFound(f"Aucune convention n° {convention_id}.") from None
    return to_value(get_record(session, number))


def conventions_for(session: Session, requester_id: int | str) -> list[Convention]:
    """Return every version of the requester's conventions (the decision picks and explains)."""
    records = session.scalars(
        select(ConventionRecord)
        .where(ConventionRecord.requester_id == int(requester_id))
        .order_by(ConventionRecord.reference, ConventionRecord.version)
    )
    return [to_value(r) for r in records]


def caf_of_convention(session: Session, convention_id: int) -> str | None:
    record = session.get(ConventionRecord, convention_id)
    return record.caf_code if record else None


def list_conventions(
    session: Session,
    *,
    caf_code: str | None,
    requester_id: int | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List convention versions; `caf_code` restricts to one Caf (None: all)."""
    query = where_equal(
        select(ConventionRecord).order_by(ConventionRecord.id),
        (ConventionRecord.caf_code, caf_code),
        (ConventionRecord.requester_id, requester_id),
        (ConventionRecord.status, status),
    )
    return paginate(session, query, page, per_page)


def versions_of(session: Session, reference: str) -> list[ConventionRecord]:
    """Return every version of a convention (same reference), oldest first."""
    return list(
        session.scalars(
            select(ConventionRecord)
            .where(ConventionRecord.reference == reference)
            .order_by(ConventionRecord.version)
        )
    )


def changes_of(session: Session, convention_id: int, limit: int = 50) -> list[AdminChange]:
    """Return the admin change log's entries about one convention version, newest first."""
    return list(
        session.scalars(
            select(AdminChange)
            .where(AdminChange.entity == "convention", AdminChange.entity_id == str(convention_id))
            .order_by(AdminChange.id.desc())
            .limit(limit)
        )
    )


def next_reference(session: Session, caf_code: str, year: int) -> str:
    prefix = f"CONV-{caf_code}-{year}-"
    count = session.scalar(
        select(func.count(func.distinct(ConventionRecord.reference))).where(
            ConventionRecord.reference.startswith(prefix)
        )
    )
    return f"{prefix}{(count or 0) + 1:03d}"


def audiences(session: Session, requester_id: int | None) -> tuple[int | None, ...]:
    """Return whose releases this requester knows: its own, the public's, and rediffused ones."""
    if requester_id is None:
        return (None,)
    partners = session.execute(
        select(ConventionRecord.requester_id, ConventionRecord.rediffusion_to).where(
            ConventionRecord.status == ConventionStatus.ACTIVE.value
        )
    )
    shared = sorted(
        {owner for owner, targets in partners if str(requester_id) in map(str, targets or ())}
        - {requester_id}
    )
    return (requester_id, None, *shared)
