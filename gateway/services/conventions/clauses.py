"""The mandatory clauses of a convention: a configurable list seeded from a readable file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db.models import MandatoryClauseRecord
from gateway.reference.seeds import CLAUSES_FILE, read_mandatory_clauses
from gateway.services.audit.changes import record_change
from policies.access import Action
from policies.conventions import MandatoryClause
from policies.errors import InvalidInput


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


#: A clause's code as stored on conventions: lower case, digits and underscores.
CLAUSE_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def clause_problems(clauses: Sequence[MandatoryClause]) -> dict[str, list[str]]:
    """List what is wrong with a clause list, by field ("clauses.2.code")."""
    errors: dict[str, list[str]] = {}
    if not clauses:
        errors["clauses"] = ["Une convention a au moins une clause obligatoire."]
    seen: set[str] = set()
    for i, clause in enumerate(clauses):
        if not CLAUSE_CODE.fullmatch(clause.code):
            errors[f"clauses.{i}.code"] = [
                "Code attendu : lettres minuscules sans accent, chiffres et _, 64 au plus."
            ]
        elif clause.code in seen:
            errors[f"clauses.{i}.code"] = [f"Le code « {clause.code} » figure deux fois."]
        seen.add(clause.code)
        if not clause.label_fr.strip() or len(clause.label_fr) > 200:
            errors[f"clauses.{i}.libelle"] = ["Libellé obligatoire, 200 caractères au plus."]
    return errors


def replace_clauses(
    session: Session, actor_id: int | None, clauses: Sequence[MandatoryClause]
) -> tuple[MandatoryClause, ...]:
    """Make `clauses` the mandatory clauses, in this order; return them.

    A clause left out is retired, not deleted: conventions that checked it keep a known code,
    and putting it back revives it. The change log records the list before and after, in the
    caller's transaction. Two edits at once wait for each other on the clause rows.
    """
    problems = clause_problems(clauses)
    if problems:
        raise InvalidInput("Liste des clauses obligatoires invalide.", errors=problems)
    seed_mandatory_clauses(session)
    stored = {r.code: r for r in session.scalars(select(MandatoryClauseRecord).with_for_update())}
    before = _listed(mandatory_clauses(session))
    for record in stored.values():
        record.active = False
    for position, clause in enumerate(clauses):
        record = stored.get(clause.code) or MandatoryClauseRecord(code=clause.code)
        record.position = position
        record.label = clause.label_fr.strip()
        record.description = clause.description_fr.strip()
        record.active = True
        session.add(record)
    session.flush()
    after = mandatory_clauses(session)
    record_change(
        session,
        actor_id=actor_id,
        action=Action.CLAUSE_UPDATE,
        entity="mandatory_clauses",
        entity_id="conventions",
        caf_code=None,
        before=before,
        after=_listed(after),
    )
    return after


def _listed(clauses: Sequence[MandatoryClause]) -> dict[str, Any]:
    return {
        "clauses": [
            {"code": c.code, "libelle": c.label_fr, "description": c.description_fr}
            for c in clauses
        ]
    }
