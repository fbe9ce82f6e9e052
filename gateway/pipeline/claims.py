"""Identical requests share one extract: steps serialised per request and per quota, and keys.

Identical requests (same requester, fingerprint and store version) in flight share one
computation: synchronous ones queue on their ledger partitions and find the first one's
extract (`Pipeline._cached`); background ones claim their extract in a step serialised on the
request, so a twin finds the extract in flight instead of starting another. An
`Idempotency-Key` names the extract its first request gave, in the transaction that records
that extract (or serves it again): a retry with the key gets that extract, whatever happened
since (a new data version, a quota reached); the same key on another request is refused.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.db.models import Extract
from gateway.pipeline.prepare import Prepared
from gateway.services.extracts import queries
from gateway.services.extracts.queries import EXTRACTS_ENDPOINT as ENDPOINT


def quota_step(prepared: Prepared) -> str | None:
    """Name the step a delivery's commit is serialised on: its convention's quotas, if any."""
    convention, requester = prepared.convention, prepared.caller.requester_id
    if convention is None or requester is None:
        return None
    quotas = convention.quotas
    if quotas.extracts_per_month is None and quotas.cells_per_month is None:
        return None
    return f"quota|{requester}|{prepared.decision.convention_reference}"


def request_step(prepared: Prepared, version: str) -> str:
    """Name the step that claims the extract of one request (requester, fingerprint, version)."""
    return f"extrait|{prepared.caller.requester_id}|{prepared.request.fingerprint()}|{version}"


def twin(
    session: Session, prepared: Prepared, version: str, statuses: tuple[str, ...]
) -> Extract | None:
    """Return the oldest extract of the same request in one of `statuses`."""
    requester, fingerprint = prepared.caller.requester_id, prepared.request.fingerprint()
    return queries.twin(session, requester, fingerprint, version, statuses)


def remembered(session: Session, prepared: Prepared, key: str | None) -> Extract | None:
    """Return the extract a key already names; refuse a key its requester used for another one."""
    requester = prepared.caller.requester_id
    if key is None or requester is None:
        return None
    return queries.keyed_extract(session, requester, key, prepared.request.fingerprint())


def remember(session: Session, prepared: Prepared, key: str | None, extract_id: str) -> None:
    """Record, in the caller's transaction, that a key names an extract (the first one wins)."""
    requester = prepared.caller.requester_id
    if key is None or requester is None:
        return
    queries.store_key(session, requester, key, prepared.request.fingerprint(), extract_id)
    remembered(session, prepared, key)  # a twin stored it for another request: refused


__all__ = ["ENDPOINT", "quota_step", "remember", "remembered", "request_step", "twin"]
