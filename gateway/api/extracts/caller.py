"""The pipeline's view of the authenticated caller."""

from __future__ import annotations

from gateway.api.auth import Actor
from gateway.db import request_session
from gateway.db.models import Requester
from gateway.pipeline.prepare import Caller


def caller_of(actor: Actor) -> Caller:
    """Describe the caller for the pipeline (the public when anonymous)."""
    name = "Grand public"
    if actor.requester_id is not None:
        requester = request_session().get(Requester, actor.requester_id)
        name = requester.name if requester else name
    return Caller(actor.requester_id, actor.profile, actor.key_prefix, name)
