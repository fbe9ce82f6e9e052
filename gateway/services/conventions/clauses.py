"""The mandatory clauses of a convention: a configurable list seeded from a readable file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db.models import MandatoryClauseRecord
from gateway.reference.seeds import CLAUSES_FILE, read_mandatory_clauses
from policies.conventions import MandatoryClause


def seed_mandatory_clauses(session: Session, path: Path = CLAUSES_FILE) -> int:
    """Store the seed's clauses unless some are stored; return how many were added."""
    if session.scalar(select(func.count()).select_from(MandatoryClauseRecord)):
        return 0
    clauses = read_mandatory_clauses(path)
    for position, clause in enumerate(clauses):
        session.add(
            MandatoryClauseRecord(
                code=clause.code,
                position=position,
                label=clause.label_fr,
                description=clause.description_fr,
            )
        )
    session.flush()
    return len(clauses)


def mandatory_clauses(session: Session) -> tuple[MandatoryClause, ...]:
    """Return the clauses in force, in order (the seed file when none is stored)."""
    records = session.scalars(
        select(MandatoryClauseRecord)
        .where(MandatoryClauseRecord.active.is_(True))
        .order_by(MandatoryClauseRecord.position)
    ).all()
    if not records:
        return read_mandatory_clauses()
    return tuple(MandatoryClause(r.code, r.label, r.description) for r in records)
