"""A gate refusing a caller (an API route's, a page's): appended to the audit chain, like
every decision."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from gateway.db.models import AuditEntry
from gateway.services.audit.queries import REFUSED, append_entry
from gateway.state import app_state
from policies.access import Action, Caller, Decision


def enforce(
    decision: Decision,
    *,
    caller: Caller,
    action: Action,
    request_line: str,
    target_caf: str | None = None,
) -> None:
    """Let an allowed decision pass; raise a refused one, once appended to the audit chain.

    The refusal is written in a transaction of its own: the request fails, the refusal stays.
    """
    if decision.allowed:
        return
    with app_state().database.transaction() as session:
        record_gate_refusal(
            session,
            caller=caller,
            action=action,
            decision=decision,
            request_line=request_line,
            target_caf=target_caf,
        )
    decision.raise_if_refused()


def record_gate_refusal(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    decision: Decision,
    request_line: str,
    target_caf: str | None,
) -> AuditEntry:
    """Append the refusal: who, which action, the rules that refused and what was asked.

    `request_line` ("PATCH /api/v1/admin/requesters/7") is what the fingerprint covers.
    """
    return append_entry(
        session,
        requester_id=caller.requester_id,
        key_prefix=caller.key_prefix,
        action=action,
        fingerprint=hashlib.sha256(request_line.encode()).hexdigest(),
        decision=REFUSED,
        rules=[str(rule) for rule in decision.refusal_rules],
        convention_ref=None,
        cells_delivered=0,
        cells_suppressed=0,
        price=None,
        details={
            "requete": request_line,
            "caf_cible": target_caf,
            "motifs": [refusal.message_fr for refusal in decision.refusals],
        },
    )
