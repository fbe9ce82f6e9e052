"""The pipeline's view of the authenticated caller."""

from __future__ import annotations

from gateway.api.auth import Actor
from gateway.db import get_database
from gateway.db.models import Requester
from gateway.pipeline.prepare import Caller


def caller_of(actor: Actor) -> Caller:
    """Describe the caller for the pipeline (the public when anonymous)."""
    name = "Grand public"
    if actor.requester_id is not None:
        # A session of its own, closed at once: an extract may wait for a ledger lock, and
        # must not hold a pooled connection meanwhile (the request session would keep one).
        with get_database().sessions() as session:
            requester = session.get(Requester, actor.requester_id)
            name = requester.name if requester else name
    return Caller(actor.requester_id, actor.profile, actor.key_prefix, name)
