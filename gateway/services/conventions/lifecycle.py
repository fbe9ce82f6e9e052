"""Convention lifecycle: activate, suspend, resume, terminate, renew, expire (history kept)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVarTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import ConventionRecord
from gateway.pipeline.locks import STEP_TIMEOUT, serialise
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.drafts import record_convention_change, today
from gateway.services.conventions.queries import get_record
from gateway.services.conventions.values import snapshot, store_value, to_value
from policies import conventions as lifecycle
from policies.access import Action
from policies.conventions import Convention, ConventionStatus
from policies.errors import Conflict, InvalidInput

Ts = TypeVarTuple("Ts")


def _apply(
    session: Session,
    actor_id: int | None,
    action: Action,
    convention_id: int,
    transition: Callable[[Convention, date, *Ts], Convention],
    *args: *Ts,
) -> ConventionRecord:
    """Run a pure transition (its arguments after the day: `args`) on the stored convention;
    refusals become 409 with reasons."""
    record = get_record(session, convention_id)
    before = snapshot(record)
    try:
        conv = transition(to_value(record), today(), *args)
    except (InvalidInput, Conflict) as refused:
        raise Conflict(refused.detail, refused.reasons) from None
    store_value(record, conv)
    session.flush()
    record_convention_change(session, actor_id, action, record, before)
    return record


def activate_convention(
    session: Session, actor_id: int | None, convention_id: int
) -> ConventionRecord:
    """Activate a draft (every missing clause, signatory, date or document is listed)."""
    clauses = mandatory_clauses(session)
    return _apply(
        session, actor_id, Action.CONVENTION_ACTIVATE, convention_id, lifecycle.activate, clauses
    )


def suspend_convention(
    session: Session, actor_id: int | None, convention_id: int, reason: str = ""
) -> ConventionRecord:
    return _apply(
        session, actor_id, Action.CONVENTION_SUSPEND, convention_id, lifecycle.suspend, reason
    )


def resume_convention(
    session: Session, actor_id: int | None, convention_id: int
) -> ConventionRecord:
    return _apply(session, actor_id, Action.CONVENTION_RESUME, convention_id, lifecycle.resume)


def terminate_convention(
    session: Session, actor_id: int | None, convention_id: int, reason: str = ""
) -> ConventionRecord:
    return _apply(
        session, actor_id, Action.CONVENTION_TERMINATE, convention_id, lifecycle.terminate, reason
    )


def renew_convention(
    session: Session, actor_id: int | None, convention_id: int, start: date, end: date
) -> ConventionRecord:
    """Create the next version as a draft with the same terms, to be signed again."""
    # Two renewals at once would both find no later version: one at a time per convention.
    serialise(session, f"renouvellement|{convention_id}", STEP_TIMEOUT)
    record = get_record(session, convention_id)
    later = session.scalar(
        select(ConventionRecord.id).where(
            ConventionRecord.reference == record.reference,
            ConventionRecord.version > record.version,
        )
    )
    if later is not None:
        raise Conflict(
            f"La convention {record.reference} v{record.version} a déjà été renouvelée.",
            [f"renouveler la dernière version (n° {later} ou suivante)"],
        )
    try:
        conv = lifecycle.renew(to_value(record), start, end, new_id="")
    except (InvalidInput, Conflict) as refused:
        raise Conflict(refused.detail, refused.reasons) from None
    renewed = ConventionRecord(
        reference=record.reference,
        version=conv.version,
        caf_code=record.caf_code,
        requester_id=record.requester_id,
        previous_id=record.id,
    )
    store_value(renewed, conv)
    session.add(renewed)
    session.flush()
    record_convention_change(session, actor_id, Action.CONVENTION_RENEW, renewed, None)
    return renewed


def expire_due_conventions(session: Session, day: date | None = None) -> list[str]:
    """Record the expiry of every live convention past its end date; return their labels."""
    day = day or today()
    live = (ConventionStatus.ACTIVE.value, ConventionStatus.SUSPENDUE.value)
    records = session.scalars(
        select(ConventionRecord)
        .where(ConventionRecord.status.in_(live), ConventionRecord.end < day)
        .order_by(ConventionRecord.id)
    ).all()
    expired = []
    for record in records:
        before = snapshot(record)
        conv = lifecycle.expire_if_due(to_value(record), day)
        store_value(record, conv)
        session.flush()
        record_convention_change(session, None, Action.CONVENTION_EXPIRE, record, before)
        expired.append(conv.label)
    return expired
