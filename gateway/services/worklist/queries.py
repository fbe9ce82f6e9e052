"""The worklist of a Caf (or of every Caf): each waiting item with what it waits for.

Read only; each kind is capped (`LIMIT`) with its full count, so that a long backlog shows
its size without loading it. The console's first page (`gateway.web.admin.worklist_pages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gateway.db.models import (
    AccessRequestRecord,
    ConventionRecord,
    Extract,
    QuoteRecord,
    Requester,
)
from gateway.db.models.extracts import FAILED
from gateway.db.models.pricing import QuoteStatus
from gateway.services.accounts.values import AccessRequestStatus
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.values import to_value
from policies.conventions import ConventionStatus, missing_for_activation

#: Items shown per kind; the count says how many there are in all.
LIMIT = 25


@dataclass(frozen=True)
class Waiting:
    """One kind of waiting item: the first `LIMIT` rows, and how many there are."""

    rows: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class Worklist:
    access_requests: Waiting
    drafts: Waiting
    quotes: Waiting
    failed_extracts: Waiting

    @property
    def empty(self) -> bool:
        return not any(
            w.total for w in (self.access_requests, self.drafts, self.quotes, self.failed_extracts)
        )


def worklist(session: Session, caf_code: str | None, today: date) -> Worklist:
    """What waits for `caf_code`'s administrators (None: every Caf's, for national ones)."""
    return Worklist(
        access_requests=_access_requests(session, caf_code),
        drafts=_drafts(session, caf_code, today),
        quotes=_quotes(session, caf_code, today),
        failed_extracts=_failed_extracts(session, caf_code),
    )


def _capped(session: Session, query: Select[*tuple[Any, ...]]) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(session.execute(query.limit(LIMIT))), int(total or 0)


def _access_requests(session: Session, caf_code: str | None) -> Waiting:
    query = select(AccessRequestRecord).where(
        AccessRequestRecord.status == AccessRequestStatus.EN_ATTENTE.value
    )
    if caf_code is not None:
        query = query.where(AccessRequestRecord.caf_code == caf_code)
    rows, total = _capped(session, query.order_by(AccessRequestRecord.created_at))
    found = [
        {
            "id": r.id,
            "organisation": r.organisation,
            "contact": r.contact_name,
            "caf_code": r.caf_code,
            "since": r.created_at,
        }
        for (r,) in rows
    ]
    return Waiting(found, total)


def _drafts(session: Session, caf_code: str | None, today: date) -> Waiting:
    query = (
        select(ConventionRecord, Requester.name)
        .join(Requester, Requester.id == ConventionRecord.requester_id)
        .where(ConventionRecord.status == ConventionStatus.BROUILLON.value)
    )
    if caf_code is not None:
        query = query.where(ConventionRecord.caf_code == caf_code)
    rows, total = _capped(session, query.order_by(ConventionRecord.updated_at))
    clauses = mandatory_clauses(session) if rows else []
    found = [
        {
            "id": record.id,
            "label": f"{record.reference} v{record.version}",
            "requester": name,
            "caf_code": record.caf_code,
            "since": record.updated_at,
            "missing": missing_for_activation(to_value(record), today, clauses),
        }
        for record, name in rows
    ]
    return Waiting(found, total)


def _quotes(session: Session, caf_code: str | None, today: date) -> Waiting:
    query = (
        select(QuoteRecord, Requester.name)
        .join(Requester, Requester.id == QuoteRecord.requester_id)
        .where(QuoteRecord.status == QuoteStatus.PROPOSED.value, QuoteRecord.valid_until >= today)
    )
    if caf_code is not None:
        query = query.where(QuoteRecord.caf_code == caf_code)
    rows, total = _capped(session, query.order_by(QuoteRecord.valid_until))
    found = [
        {
            "id": quote.id,
            "requester": name,
            "caf_code": quote.caf_code,
            "total": quote.total,
            "valid_until": quote.valid_until,
        }
        for quote, name in rows
    ]
    return Waiting(found, total)


def _failed_extracts(session: Session, caf_code: str | None) -> Waiting:
    query = (
        select(Extract, Requester.name, Requester.caf_code)
        .join(Requester, Requester.id == Extract.requester_id)
        .where(Extract.status == FAILED)
    )
    if caf_code is not None:
        query = query.where(Requester.caf_code == caf_code)
    rows, total = _capped(session, query.order_by(Extract.created_at.desc()))
    found = [
        {
            "id": extract.id,
            "requester": name,
            "caf_code": caf,
            "since": extract.completed_at or extract.created_at,
            "error": _error_text(extract.error),
        }
        for extract, name, caf in rows
    ]
    return Waiting(found, total)


def _error_text(error: dict[str, Any] | None) -> str:
    if not error:
        return "erreur non décrite"
    return str(error.get("detail") or error.get("title") or "erreur non décrite")
