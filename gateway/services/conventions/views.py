"""Conventions as the API shows them: effective status, missing pieces, document, quota use."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import ConventionDocument, ConventionRecord
from gateway.services.audit.queries import monthly_usage
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.drafts import today
from gateway.services.conventions.values import signatories_shown, to_value
from policies.conventions import ConventionStatus, effective_status, missing_for_activation


def describe(session: Session, record: ConventionRecord, day: date | None = None) -> dict[str, Any]:
    """Return the convention with its status as of today (expired past its end date)."""
    day = day or today()
    conv = to_value(record)
    document = session.get(ConventionDocument, record.id)
    missing: list[str] = []
    if conv.status is ConventionStatus.BROUILLON:
        missing = missing_for_activation(conv, day, mandatory_clauses(session))
    return {
        "id": record.id,
        "reference": record.reference,
        "version": record.version,
        "label": conv.label,
        "caf_code": record.caf_code,
        "requester_id": record.requester_id,
        "status": effective_status(conv, day).value,
        "stored_status": record.status,
        "finalite": record.finalite,
        "uses": record.uses,
        "scope": record.scope,
        "start": record.start,
        "end": record.end,
        "quotas": {
            "extracts_per_month": record.extracts_per_month,
            "cells_per_month": record.cells_per_month,
        },
        "pricing": record.pricing,
        "clauses": record.clauses,
        "signatories": signatories_shown(conv.signatories),
        "document": None
        if document is None
        else {"filename": document.filename, "size": document.size, "sha256": document.sha256},
        "notes": record.notes,
        "rediffusion_to": record.rediffusion_to,
        "previous_id": record.previous_id,
        "history": record.history,
        "missing_for_activation": missing,
    }


def describe_page(session: Session, page: Any) -> dict[str, Any]:
    data: dict[str, Any] = page.as_dict()
    data["items"] = [describe(session, r) for r in page.items]
    return data


def my_conventions(session: Session, requester_id: int, day: date | None = None) -> list[Any]:
    """Return the requester's own conventions with this month's quota use (notes left out)."""
    day = day or today()
    records = session.scalars(
        select(ConventionRecord)
        .where(ConventionRecord.requester_id == requester_id)
        .order_by(ConventionRecord.reference, ConventionRecord.version)
    )
    out = []
    for record in records:
        data = describe(session, record, day)
        extracts, cells = monthly_usage(session, requester_id, data["label"], day)
        data["usage"] = {"month": day.strftime("%Y-%m"), "extracts": extracts, "cells": cells}
        del data["notes"], data["missing_for_activation"]
        out.append(data)
    return out
