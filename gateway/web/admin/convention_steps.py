"""A convention's lifecycle in the console: the signed PDF, activation, suspension (confirmed),
resumption, termination (confirmed), renewal, and the printable document to sign.

Each step is its API twin's service call (`gateway.services.conventions.*`), gated by the same
action on the convention's Caf; a refusal is shown on the page, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, request

from gateway.services.conventions import documents, lifecycle, queries
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.views import describe
from gateway.services.territories.queries import caf_name
from gateway.state import app_state, request_session
from gateway.web.account.forms import page, see_other
from gateway.web.admin.common import actor_id, admin_gate, write
from gateway.web.admin.convention_form import PARTY_NAMES, read_day
from gateway.web.admin.convention_view import STATUS_LABELS, detail_page, requester_of, words
from gateway.web.files import attachment
from policies.access import Action
from policies.conventions import Party
from policies.errors import Conflict, DomainError

TargetCaf = Callable[..., str | None]
Route = tuple[str, str, Callable[..., Any], tuple[str, ...]]
MAX_REASON = 2000


def _refused(convention_id: int, error: DomainError) -> Response:
    """Show the convention again with the service's refusal and every reason it gave."""
    return detail_page(convention_id, 409, refusal=[error.detail, *map(str, error.reasons)])


def _label(convention_id: int) -> str:
    record = queries.get_record(request_session(), convention_id)
    return f"{record.reference} v{record.version}"


def upload(convention_id: int) -> Response:
    """Attach the signed PDF (type and size checked); its SHA-256 is shown after."""
    sent = request.files.get("document")
    if sent is None or not sent.filename:
        return detail_page(convention_id, 422, upload_error="Choisissez le PDF signé à déposer.")
    limit = int(app_state().settings.extra.get("document_max_bytes", documents.DEFAULT_MAX_BYTES))
    try:
        record = write(
            documents.upload_document,
            actor_id(),
            convention_id,
            filename=sent.filename,
            content_type=sent.mimetype or "",
            content=sent.stream.read(limit + 1),
            max_bytes=limit,
        )
    except (documents.DocumentRejected, documents.DocumentTooLarge) as error:
        return detail_page(convention_id, 422, upload_error=error.detail)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(f"Document signé déposé. Empreinte SHA-256 : {record.document_sha256}.", "succes")
    return see_other("administration.convention", convention_id=convention_id)


def signed(convention_id: int) -> Response:
    """Send the signed PDF as it was deposited."""
    found = documents.get_document(request_session(), convention_id)
    response = attachment(found.content, "application/pdf", f"convention-{convention_id}.pdf")
    response.headers["X-Content-SHA256"] = found.sha256
    return response


def activate(convention_id: int) -> Response:
    """Activate a complete draft; otherwise list every missing piece, nothing changed."""
    try:
        write(lifecycle.activate_convention, actor_id(), convention_id)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(
        f"Convention {_label(convention_id)} activée : elle sert désormais les demandes.", "succes"
    )
    return see_other("administration.convention", convention_id=convention_id)


def resume(convention_id: int) -> Response:
    try:
        write(lifecycle.resume_convention, actor_id(), convention_id)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(
        f"Convention {_label(convention_id)} reprise : elle sert à nouveau les demandes.", "succes"
    )
    return see_other("administration.convention", convention_id=convention_id)


def _confirm_page(convention_id: int, step: str, status: int = 200, **context: Any) -> Response:
    session = request_session()
    found = describe(session, queries.get_record(session, convention_id))
    return page(
        f"admin/conventions/{step}.html",
        status,
        private=True,
        convention=found,
        statuses=STATUS_LABELS,
        errors=context.pop("errors", {}),
        console_section="administration.conventions",
        **context,
    )


SUSPEND, TERMINATE, RENEW = "suspend", "terminate", "renew"


def ask(step: str) -> Callable[..., Response]:
    """Return the view of a step's confirmation page (a question, answered by a POST form)."""

    def confirmation(convention_id: int) -> Response:
        return _confirm_page(convention_id, step, reason="", start="", end="")

    confirmation.__name__ = f"confirm_{step}"
    confirmation.__doc__ = f"Ask before the step « {step} »."
    return confirmation


def _reason(required: str | None) -> tuple[str, dict[str, str]]:
    reason = request.form.get("reason", "").strip()
    if required and not reason:
        return reason, {"reason": required}
    if len(reason) > MAX_REASON:
        return reason, {"reason": f"Le motif tient en {MAX_REASON} caractères au plus."}
    return reason, {}


def suspend(convention_id: int) -> Response:
    """Ask, then suspend an active convention with its reason (no request served meanwhile)."""
    reason, errors = _reason("Indiquez le motif de la suspension.")
    if errors:
        return _confirm_page(convention_id, "suspend", 422, reason=reason, errors=errors)
    try:
        write(lifecycle.suspend_convention, actor_id(), convention_id, reason)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(f"Convention {_label(convention_id)} suspendue : {reason}", "succes")
    return see_other("administration.convention", convention_id=convention_id)


def terminate(convention_id: int) -> Response:
    """Ask, then terminate a convention for good."""
    reason, errors = _reason(None)
    if errors:
        return _confirm_page(convention_id, "terminate", 422, reason=reason, errors=errors)
    try:
        write(lifecycle.terminate_convention, actor_id(), convention_id, reason)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(f"Convention {_label(convention_id)} résiliée.", "succes")
    return see_other("administration.convention", convention_id=convention_id)


def renew(convention_id: int) -> Response:
    """Ask the new dates, then create the next version as a draft and open it."""
    shown = {name: request.form.get(name, "").strip() for name in ("start", "end")}
    errors: dict[str, str] = {}
    start, end = (read_day(shown[n], n, errors) for n in ("start", "end"))
    for name, day in (("start", start), ("end", end)):
        if day is None and name not in errors:
            errors[name] = "Indiquez la date." if name == "start" else "Indiquez la date de fin."
    if start and end and end < start:
        errors["end"] = "La date de fin précède la date de début."
    if errors or start is None or end is None:
        return _confirm_page(convention_id, "renew", 422, errors=errors, **shown)
    try:
        renewed = write(lifecycle.renew_convention, actor_id(), convention_id, start, end)
    except Conflict as error:
        return _refused(convention_id, error)
    flash(
        f"Version {renewed.version} créée en brouillon : cochez les clauses, faites-la signer, "
        "déposez le PDF signé, puis activez-la.",
        "succes",
    )
    return see_other("administration.convention", convention_id=renewed.id)


def printable(convention_id: int) -> Response:
    """Show the convention to sign, from its data: parties, terms, clauses, signatures."""
    session = request_session()
    record = queries.get_record(session, convention_id)
    found = describe(session, record)
    requester = requester_of(session, record.requester_id)
    known = {c.code: c for c in mandatory_clauses(session)}
    clauses = [
        (c.label_fr, c.description_fr) for code, c in known.items() if code in record.clauses
    ]
    clauses += [(code, "") for code in record.clauses if code not in known]
    signatories = found["signatories"] or [
        {"name": "", "role": "", "party": p.value, "signed_on": None} for p in Party
    ]
    return page(
        "admin/conventions/document.html",
        private=True,
        convention=found,
        requester=requester,
        caf_name=caf_name(session, record.caf_code) or f"Caf {record.caf_code}",
        said=words(session, found, requester),
        clauses=clauses,
        signatories=signatories,
        parties=PARTY_NAMES,
    )


def routes(convention_caf: TargetCaf) -> tuple[Route, ...]:
    """Return the steps' routes, each gated by its API twin's action on the convention's Caf."""
    base = "/conventions/<int:convention_id>"

    def gated(action: Action, view: Callable[..., Response]) -> Callable[..., Response]:
        return admin_gate(action, caf=convention_caf)(view)

    read = Action.CONVENTION_READ
    return (
        (f"{base}/document", "convention_document", gated(read, printable), ("GET",)),
        (f"{base}/document-signe", "convention_signed_document", gated(read, signed), ("GET",)),
        (
            f"{base}/document-signe",
            "convention_upload",
            gated(Action.CONVENTION_DOCUMENT, upload),
            ("POST",),
        ),
        (
            f"{base}/activer",
            "convention_activate",
            gated(Action.CONVENTION_ACTIVATE, activate),
            ("POST",),
        ),
        (
            f"{base}/reprendre",
            "convention_resume",
            gated(Action.CONVENTION_RESUME, resume),
            ("POST",),
        ),
        # A confirmation page is shown (a read), then the step is confirmed (its own action).
        (f"{base}/suspendre", "convention_suspend", gated(read, ask(SUSPEND)), ("GET",)),
        (
            f"{base}/suspendre",
            "convention_suspended",
            gated(Action.CONVENTION_SUSPEND, suspend),
            ("POST",),
        ),
        (f"{base}/resilier", "convention_terminate", gated(read, ask(TERMINATE)), ("GET",)),
        (
            f"{base}/resilier",
            "convention_terminated",
            gated(Action.CONVENTION_TERMINATE, terminate),
            ("POST",),
        ),
        (f"{base}/renouveler", "convention_renew", gated(read, ask(RENEW)), ("GET",)),
        (
            f"{base}/renouveler",
            "convention_renewed",
            gated(Action.CONVENTION_RENEW, renew),
            ("POST",),
        ),
    )
