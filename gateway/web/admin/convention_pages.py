"""The console's convention pages: the list, a new draft from its requester type's template,
a convention's page with its draft form; the lifecycle steps are in `convention_steps`.

Each view is gated by its API twin's action (`gateway/api/admin/conventions.py`) on the
convention's Caf, or, on creation, the chosen requester's; each write is one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Response, flash, request

from gateway.services.conventions import drafts, queries
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.templates import TEMPLATES, draft_fields, template_for
from gateway.services.conventions.views import describe
from gateway.services.requesters.queries import caf_of_requester
from gateway.services.requesters.registry import list_requesters
from gateway.services.territories.queries import caf_names
from gateway.state import app_state, request_session
from gateway.web.account.forms import errors_of, page, see_other
from gateway.web.admin import convention_steps
from gateway.web.admin.common import actor_id, admin_gate, caf_scope, is_national, write
from gateway.web.admin.convention_form import edit_choices, read_form, stored_periods
from gateway.web.admin.convention_view import STATUS_LABELS, USE_WORDS, detail_page
from gateway.web.espace.convention_pages import PRICING_LABELS
from policies.access import Action
from policies.access.values import LEVEL_LABELS, TIER_LABELS, type_label
from policies.domain import RequesterType
from policies.errors import InvalidInput

PER_PAGE = 20
#: Service field errors shown beside the form field that holds them.
FIELD_OF = {"scope": "indicators", "requester_id": "requester_id", "caf_code": "caf_code"}


def convention_caf(convention_id: int, **_values: Any) -> str | None:
    return queries.caf_of_convention(request_session(), convention_id)


def chosen_requester_caf(**_values: Any) -> str | None:
    """The Caf of the requester a new convention is for (the administrator's own before)."""
    raw = request.form.get("requester_id", "") if request.method == "POST" else ""
    caf = caf_of_requester(request_session(), int(raw)) if raw.isdigit() else None
    return caf or (request.form.get("caf_code") if is_national() else None) or caf_scope()


def _requesters(caf_code: str | None) -> list[Any]:
    """Return the requesters a convention can be made with (no administrators, no public)."""
    found = list_requesters(request_session(), caf_code=caf_code, per_page=10_000).items
    return [r for r in found if template_for(r.type) is not None]


@admin_gate(Action.CONVENTION_READ)
def conventions() -> Response:
    """List the Caf's conventions (every Caf for a national administrator), with filters."""
    session, args = request_session(), request.args
    shown = {k: args.get(k, "").strip() for k in ("status", "requester_id", "caf_code", "page")}
    errors: dict[str, str] = {}
    if shown["status"] and shown["status"] not in STATUS_LABELS:
        errors["status"] = "Choisissez un statut de la liste."
    if shown["requester_id"] and not shown["requester_id"].isdigit():
        errors["requester_id"] = "Choisissez un demandeur de la liste."
    caf = caf_scope() or shown["caf_code"] or None
    number = int(shown["page"]) if shown["page"].isdigit() and int(shown["page"]) > 0 else 1
    found = queries.list_conventions(
        session,
        caf_code=caf,
        requester_id=None if errors.get("requester_id") else _int(shown["requester_id"]),
        status=None if errors.get("status") else shown["status"] or None,
        page=number,
        per_page=PER_PAGE,
    )
    requesters = _requesters(caf_scope())
    names = {r.id: r.name for r in requesters}
    return page(
        "admin/conventions/list.html",
        422 if errors else 200,
        private=True,
        rows=[describe(session, r) for r in found.items],
        found=found,
        shown=shown,
        errors=errors,
        names=names,
        requesters=[(str(r.id), r.name) for r in requesters],
        statuses=STATUS_LABELS,
        pricing=PRICING_LABELS,
        cafs=caf_names(session, {r.caf_code for r in found.items}),
        national=is_national(),
        caf_options=_caf_options(),
        params=lambda **changes: _params(shown, **changes),
    )


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _params(shown: dict[str, str], **changes: object) -> str:
    merged = {**shown, **{k: str(v) for k, v in changes.items()}}
    return urlencode([(k, v) for k, v in merged.items() if v and not (k == "page" and v == "1")])


def _new_page(status: int = 200, errors: dict[str, str] | None = None, **shown: str) -> Response:
    templates = [
        {
            "type": type_label(t.requester_type),
            "title": t.title,
            "tiers": ", ".join(TIER_LABELS[x] for x in sorted(t.tiers)),
            "uses": ", ".join(USE_WORDS[u.value] for u in sorted(t.uses)),
            "finest": LEVEL_LABELS[t.finest_level],
            "pricing": PRICING_LABELS[t.pricing.value],
        }
        for t in TEMPLATES.values()
    ]
    requesters = [
        (str(r.id), f"{r.name} ({type_label(RequesterType(r.type))})")
        for r in _requesters(caf_scope())
    ]
    return page(
        "admin/conventions/new.html",
        status,
        private=True,
        requesters=requesters,
        templates=templates,
        errors=errors or {},
        shown=shown,
        national=is_national(),
        cafs=_caf_options(),
        console_section="administration.conventions",
    )


def _caf_options() -> list[tuple[str, str]]:
    """Return every Caf (code, name) for a national administrator's choice; none otherwise."""
    if not is_national():
        return []
    codes = {d.caf.code for d in app_state().geography.departements}
    return sorted(caf_names(request_session(), codes).items())


@admin_gate(Action.CONVENTION_READ)
def convention_new() -> Response:
    """Offer the requesters of the Caf and the template each type brings."""
    return _new_page(requester_id=request.args.get("requester_id", ""))


@admin_gate(Action.CONVENTION_CREATE, caf=chosen_requester_caf)
def convention_create() -> Response:
    """Create a draft from the chosen requester's type template (mandatory clauses ticked)."""
    session = request_session()
    raw, caf_code = request.form.get("requester_id", ""), request.form.get("caf_code", "")
    requester = next((r for r in _requesters(caf_scope()) if str(r.id) == raw), None)
    if requester is None:
        return _new_page(
            422, {"requester_id": "Choisissez le demandeur dans la liste."}, requester_id=raw
        )
    template = template_for(requester.type)
    assert template is not None  # _requesters keeps only the types a template serves
    caf = requester.caf_code or (caf_code if is_national() else caf_scope())
    if not caf:
        return _new_page(422, {"caf_code": "Choisissez la Caf signataire."}, requester_id=raw)
    fields = draft_fields(
        template,
        caf_code=caf,
        requester_id=requester.id,
        has_territory=bool(requester.territory_level and requester.territory_code),
        clauses=mandatory_clauses(session),
        periods=stored_periods(),
    )
    try:
        record = write(drafts.create_convention, actor_id(), fields)
    except InvalidInput as error:
        found = {FIELD_OF.get(k, "requester_id"): v for k, v in errors_of(error).items()}
        return _new_page(422, found, requester_id=raw, caf_code=caf_code)
    flash(
        f"Brouillon {record.reference} v{record.version} créé depuis le modèle "
        f"« {template.title} » : complétez-le, faites-le signer, déposez le PDF signé, "
        "puis activez-le.",
        "succes",
    )
    return see_other("administration.convention", convention_id=record.id)


@admin_gate(Action.CONVENTION_READ, caf=convention_caf)
def convention(convention_id: int) -> Response:
    """Show everything about a convention; a draft's terms in a form."""
    return detail_page(convention_id)


@admin_gate(Action.CONVENTION_UPDATE, caf=convention_caf)
def convention_update(convention_id: int) -> Response:
    """Save a draft's terms (the whole form) through `drafts.update_convention`."""
    record = queries.get_record(request_session(), convention_id)
    values, fields, errors = read_form(
        request.form, edit_choices(request_session(), record.caf_code)
    )
    if not errors:
        try:
            write(drafts.update_convention, actor_id(), convention_id, fields)
        except InvalidInput as error:
            errors = {FIELD_OF.get(k, k): v for k, v in errors_of(error).items()}
    if errors:
        return detail_page(convention_id, 422, errors=errors, values=values)
    flash("Termes du brouillon enregistrés.", "succes")
    return see_other("administration.convention", convention_id=convention_id)


Route = tuple[str, str, Callable[..., Any], tuple[str, ...]]
#: (rule, endpoint, view, methods)
ROUTES: tuple[Route, ...] = (
    ("/conventions", "conventions", conventions, ("GET",)),
    ("/conventions/nouvelle", "convention_new", convention_new, ("GET",)),
    ("/conventions/nouvelle", "convention_create", convention_create, ("POST",)),
    ("/conventions/<int:convention_id>", "convention", convention, ("GET",)),
    ("/conventions/<int:convention_id>", "convention_update", convention_update, ("POST",)),
    *convention_steps.routes(convention_caf),
)
