"""The console's first page: what waits for the administrator's Caf, each with its next step."""

from __future__ import annotations

from flask import Response

from gateway.services.conventions.drafts import today
from gateway.services.territories.queries import caf_names
from gateway.services.worklist.queries import LIMIT, worklist
from gateway.state import request_session
from gateway.web.account.forms import page
from gateway.web.admin.common import admin, admin_gate, caf_scope
from policies.access import Action


@admin_gate(Action.WORKLIST_READ)
def home() -> Response:
    """Show the worklist: access requests, drafts missing pieces, quotes, failed extracts."""
    session, scope = request_session(), caf_scope()
    found = worklist(session, scope, today())
    cafs = caf_names(session, [scope]) if scope else {}
    return page(
        "admin/index.html",
        private=True,
        person=admin(),
        caf_name=cafs.get(scope or "", ""),
        work=found,
        limit=LIMIT,
    )


ROUTES = (("", "home", home, ("GET",)),)
