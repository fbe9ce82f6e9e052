"""Access requests in the console: the Caf's, one of them, accepted or refused with a reason.

The same service calls as `/api/v1/admin/access-requests` (`gateway.services.accounts
.access_requests`) and the same messages: accepting invites the contact (the link sent once
committed), refusing tells them the reason.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from sqlalchemy import select

from gateway.db.models import Person, Requester
from gateway.services.accounts import access_requests as service
from gateway.services.accounts.values import AccessRequestStatus
from gateway.services.requesters.overview import territory_names
from gateway.services.territories.queries import caf_name
from gateway.state import request_session
from gateway.web.account.forms import Errors, page, see_other
from gateway.web.account.mail import send_invitation, send_rejection
from gateway.web.admin.common import actor_id, admin_gate, caf_scope, write
from gateway.web.admin.organisation_view import level_name, refusal_text, type_name
from gateway.web.espace.common import api_call
from policies.access import Action
from policies.errors import AccessDenied, Conflict, InvalidInput

PER_PAGE = 20
STATUSES = {
    AccessRequestStatus.EN_ATTENTE.value: "En attente",
    AccessRequestStatus.APPROUVEE.value: "Acceptée",
    AccessRequestStatus.REJETEE.value: "Refusée",
}
ALL = "toutes"


def request_caf(request_id: int, **_values: Any) -> str | None:
    """The Caf deciding a request (None when unknown: national administrators only)."""
    return service.caf_of_access_request(request_session(), request_id)


@admin_gate(Action.ACCESS_REQUEST_READ)
def access_requests() -> Response:
    """List the Caf's access requests (those waiting, unless another status is chosen)."""
    status = request.args.get("statut", AccessRequestStatus.EN_ATTENTE.value)
    errors: Errors = {}
    if status not in (*STATUSES, ALL):
        errors["statut"] = "Choisissez un statut de la liste."
        status = AccessRequestStatus.EN_ATTENTE.value
    raw = request.args.get("page", "1")
    found = service.list_access_requests(
        request_session(),
        caf_code=caf_scope(),
        status=None if status == ALL else status,
        page=max(1, int(raw)) if raw.isdigit() else 1,
        per_page=PER_PAGE,
    )
    query = [] if status == ALL else [("status", status)]
    return page(
        "admin/organisations/access_requests.html",
        422 if errors else 200,
        private=True,
        found=found,
        chosen=status,
        statuses=[*STATUSES.items(), (ALL, "Toutes")],
        status_names=STATUSES,
        errors=errors,
        api=api_call("/api/v1/admin/access-requests", query),
        type_name=type_name,
    )


def _detail(
    request_id: int,
    status: int = 200,
    errors: Errors | None = None,
    *,
    reason: str = "",
    joined: str = "",
) -> Response:
    """Show a request, with the forms to decide it while it waits (`reason`, `joined`: theirs)."""
    session = request_session()
    record = service.get_access_request(session, request_id)
    place = (record.territory_level, record.territory_code)
    created = session.get(Requester, record.requester_id) if record.requester_id else None
    invited = session.get(Person, record.person_id) if record.person_id else None
    existing = session.execute(
        select(Requester.id, Requester.name)
        .where(Requester.caf_code == record.caf_code, Requester.type == record.requester_type)
        .order_by(Requester.name)
    ).all()
    return page(
        "admin/organisations/access_request.html",
        status,
        private=True,
        record=record,
        caf_name=caf_name(session, record.caf_code),
        territory_name=territory_names(session, [place]).get(place),
        created=created,
        invited=invited,
        existing=[(str(id_), name) for id_, name in existing],
        errors=errors or {},
        status_names=STATUSES,
        type_name=type_name,
        level_name=level_name,
        reason=reason,
        joined=joined,
    )


@admin_gate(Action.ACCESS_REQUEST_READ, caf=request_caf)
def access_request(request_id: int) -> Response:
    """Show a request: organisation, SIREN/SIRET, type, territory, purpose, contact, date."""
    return _detail(request_id)


@admin_gate(Action.ACCESS_REQUEST_APPROVE, caf=request_caf)
def access_request_approve(request_id: int) -> Response:
    """Create the requester (or join an existing one of the Caf) and invite the contact."""
    joined = request.form.get("requester_id", "").strip()
    options: dict[str, Any] = {}
    if joined:
        if not joined.isdigit():
            return _detail(request_id, 422, {"requester_id": "Choisissez dans la liste."})
        options["requester_id"] = int(joined)
    try:
        approval = write(service.approve_access_request, actor_id(), request_id, **options)
    except InvalidInput as error:
        errors = {k: " ".join(m) for k, m in error.errors.items()} or {"": error.detail}
        return _detail(request_id, 422, errors, joined=joined)
    except AccessDenied as error:
        return _detail(request_id, 403, {"": refusal_text(error)}, joined=joined)
    except Conflict as error:
        return _detail(request_id, 409, {"": error.detail}, joined=joined)
    sent = send_invitation(approval.invitation)
    person, requester = approval.invitation.person, approval.invitation.requester
    said = (
        f"invitation envoyée à {person.name} ({person.email})"
        if sent
        else f"le courriel d’invitation à {person.email} n’a pas pu partir : envoyez de nouveau "
        "l’invitation depuis la page de l’organisation"
    )
    flash(
        f"Demande acceptée : l’organisation « {requester.name} » a son compte ; {said}.", "succes"
    )
    return see_other("administration.access_request", request_id=request_id)


@admin_gate(Action.ACCESS_REQUEST_REJECT, caf=request_caf)
def access_request_reject(request_id: int) -> Response:
    """Refuse a request with a reason, which the contact is told."""
    reason = " ".join(request.form.get("reason", "").split())
    if not reason:
        errors = {"reason": "Donnez le motif du refus : il est communiqué au contact."}
        return _detail(request_id, 422, errors, reason=reason)
    try:
        record = write(service.reject_access_request, actor_id(), request_id, reason)
    except InvalidInput as error:
        errors = {k: " ".join(m) for k, m in error.errors.items()} or {"": error.detail}
        return _detail(request_id, 422, errors, reason=reason)
    except Conflict as error:
        return _detail(request_id, 409, {"": error.detail}, reason=reason)
    if send_rejection(record):
        flash(f"Demande refusée : {record.contact_email} est prévenu du motif.", "succes")
    else:
        flash(
            f"Demande refusée, mais le courriel à {record.contact_email} n’a pas pu partir : "
            "prévenez le contact du motif par un autre moyen.",
            "info",
        )
    return see_other("administration.access_request", request_id=request_id)


_ONE = "/demandes-acces/<int:request_id>"
ROUTES = (
    ("/demandes-acces", "access_requests", access_requests, ("GET",)),
    (_ONE, "access_request", access_request, ("GET",)),
    (f"{_ONE}/accepter", "access_request_approve", access_request_approve, ("POST",)),
    (f"{_ONE}/refuser", "access_request_reject", access_request_reject, ("POST",)),
)
