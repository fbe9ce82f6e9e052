"""The console's organisations: the Caf's requesters, one organisation, its creation and changes.

The same service calls as `/api/v1/admin/requesters` (`gateway.services.requesters.registry`),
gated by the same actions on the same Caf. `ROUTES` also lists the pages of an organisation's
people and keys, and of the access requests (their own modules).
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from sqlalchemy import select

from gateway.db.models import Caf
from gateway.services.accounts.values import normalise_email
from gateway.services.requesters import registry
from gateway.services.requesters.overview import caf_territories, list_organisations
from gateway.services.requesters.queries import get_requester
from gateway.state import request_session
from gateway.web.account.forms import Errors, errors_of, form_values, page, see_other
from gateway.web.admin import (
    access_request_pages,
    organisation_key_pages,
    organisation_people_pages,
)
from gateway.web.admin.common import actor_id, admin_gate, caf_scope, is_national, write
from gateway.web.admin.organisation_view import (
    EDIT_FIELDS,
    level_title,
    organisation_page,
    refusal_text,
    requester_caf,
    type_name,
)
from gateway.web.espace.common import api_call
from policies.access import Action
from policies.domain import GeoLevel, RequesterType
from policies.errors import AccessDenied, InvalidInput

PER_PAGE = 20
NAME_MAX = 200
NEW_FIELDS = ("name", "type", "caf_code", "territory_level", "territory_code", *EDIT_FIELDS[1:])
#: The types the console creates (a national administrator is appointed, not created here).
TYPES = tuple(t for t in RequesterType if t is not RequesterType.ADMIN_NATIONAL)
LEVELS = (GeoLevel.COMMUNE, GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


def _cafs() -> list[tuple[str, str]]:
    rows = request_session().execute(select(Caf.code, Caf.name).order_by(Caf.departement))
    return [(str(code), str(name)) for code, name in rows]


@admin_gate(Action.REQUESTER_READ)
def organisations() -> Response:
    """List the Caf's requesters (every Caf's, with a Caf filter, for a national administrator)."""
    q = request.args.get("q", "").strip()
    caf = request.args.get("caf", "").strip() if is_national() else ""
    scope = caf_scope() or caf or None
    found = list_organisations(
        request_session(), caf_code=scope, q=q, page=_page_number(), per_page=PER_PAGE
    )
    params = [(k, v) for k, v in (("q", q), ("caf", caf)) if v]
    return page(
        "admin/organisations/list.html",
        private=True,
        found=found,
        q=q,
        caf=caf,
        cafs=_cafs() if is_national() else [],
        params=params,
        api=api_call("/api/v1/admin/requesters"),
        type_name=type_name,
    )


def _choices() -> dict[str, Any]:
    return {
        "types": [("", "Choisissez un type")] + [(t.value, type_name(t.value)) for t in TYPES],
        "levels": [("", "Aucun territoire")]
        + [(lvl.value, level_title(lvl.value)) for lvl in LEVELS],
        "cafs": [("", "Choisissez une Caf"), *_cafs()] if is_national() else [],
    }


def _new_form(values: dict[str, str], errors: Errors, status: int = 200) -> Response:
    caf = caf_scope() or values.get("caf_code") or None
    q = request.args.get("q", "").strip()
    return page(
        "admin/organisations/new.html",
        status,
        private=True,
        values=values,
        errors=errors,
        choices=_choices(),
        national=is_national(),
        q=q,
        territories=caf_territories(request_session(), caf, q),
        level_title=level_title,
    )


@admin_gate(Action.REQUESTER_READ)  # showing is reading; the POST is gated by the creation
def organisation_new() -> Response:
    """Show the creation form; a search finds a territory of the Caf to fill it with."""
    values = {name: request.args.get(name, "").strip() for name in NEW_FIELDS}
    return _new_form(values, {})


@admin_gate(Action.REQUESTER_CREATE)
def organisation_create() -> Response:
    """Create the requester in the administrator's Caf (the service confines its territory)."""
    values = {k: v.strip() for k, v in form_values(*NEW_FIELDS).items()}
    if not is_national():
        values["caf_code"] = caf_scope() or ""
    errors = _check_new(values)
    if errors:
        return _new_form(values, errors, 422)
    fields: dict[str, Any] = {k: v or None for k, v in values.items()}
    fields["territory_code"] = "".join((values["territory_code"] or "").split()).upper() or None
    try:
        created = write(registry.create_requester, actor_id(), fields)
    except InvalidInput as error:
        return _new_form(values, errors_of(error), 422)
    except AccessDenied as error:
        return _new_form(values, {"territory_code": refusal_text(error)}, 403)
    flash(f"L’organisation « {created.name} » est créée.", "succes")
    return see_other("administration.organisation", requester_id=created.id)


def _check_new(values: dict[str, str]) -> Errors:
    errors = _check_edit(values)
    if values["type"] not in {t.value for t in TYPES}:
        errors["type"] = "Choisissez le type de l’organisation."
    if is_national() and not values["caf_code"]:
        errors["caf_code"] = "Choisissez la Caf de rattachement."
    if values["territory_level"] and values["territory_level"] not in {v.value for v in LEVELS}:
        errors["territory_level"] = "Choisissez un niveau de la liste."
    if values["territory_level"] and not values["territory_code"]:
        errors["territory_code"] = "Saisissez le code du territoire, ou cherchez-le ci-dessus."
    if values["territory_code"] and not values["territory_level"]:
        errors["territory_level"] = "Choisissez le niveau du territoire."
    return dict(sorted(errors.items(), key=lambda kv: NEW_FIELDS.index(kv[0])))


def _check_edit(values: dict[str, str]) -> Errors:
    """Check the name and the contact (the API's schema rules, in the form's words)."""
    errors: Errors = {}
    if not values["name"]:
        errors["name"] = "Saisissez le nom de l’organisation."
    elif len(values["name"]) > NAME_MAX:
        errors["name"] = f"{NAME_MAX} caractères au plus."
    if len(values["contact_name"]) > NAME_MAX:
        errors["contact_name"] = f"{NAME_MAX} caractères au plus."
    if values["contact_email"]:
        try:
            values["contact_email"] = normalise_email(values["contact_email"], "contact_email")
        except InvalidInput as error:
            errors.update(errors_of(error))
    return errors


@admin_gate(Action.REQUESTER_READ, caf=requester_caf)
def organisation(requester_id: int) -> Response:
    """Show an organisation: details (editable), people, API keys, links to the rest."""
    return organisation_page(requester_id)


@admin_gate(Action.REQUESTER_UPDATE, caf=requester_caf)
def organisation_update(requester_id: int) -> Response:
    """Change the name and the contact."""
    values = {k: " ".join(v.split()) for k, v in form_values(*EDIT_FIELDS).items()}
    errors = _check_edit(values)
    if errors:
        return organisation_page(requester_id, 422, errors=errors, form="edit", values=values)
    fields = {k: v or None for k, v in values.items()}
    try:
        write(registry.update_requester, actor_id(), requester_id, fields)
    except InvalidInput as error:
        errors = errors_of(error)
        return organisation_page(requester_id, 422, errors=errors, form="edit", values=values)
    flash("Les informations de l’organisation sont enregistrées.", "succes")
    return see_other("administration.organisation", requester_id=requester_id)


@admin_gate(Action.REQUESTER_READ, caf=requester_caf)
def organisation_deactivate_form(requester_id: int) -> Response:
    """Ask to confirm: a deactivated organisation's keys and people stop working."""
    requester = get_requester(request_session(), requester_id)
    own = requester.id == actor_id()
    return page("admin/organisations/deactivate.html", private=True, requester=requester, own=own)


@admin_gate(Action.REQUESTER_UPDATE, caf=requester_caf)
def organisation_deactivate(requester_id: int) -> Response:
    return _set_active(requester_id, False)


@admin_gate(Action.REQUESTER_UPDATE, caf=requester_caf)
def organisation_reactivate(requester_id: int) -> Response:
    return _set_active(requester_id, True)


def _set_active(requester_id: int, active: bool) -> Response:
    changed = write(registry.update_requester, actor_id(), requester_id, {"active": active})
    done = "réactivée" if active else "désactivée"
    flash(f"L’organisation « {changed.name} » est {done}.", "succes")
    return see_other("administration.organisation", requester_id=requester_id)


_OWN = (
    ("/organisations", "organisations", organisations, ("GET",)),
    ("/organisations/nouvelle", "organisation_new", organisation_new, ("GET",)),
    ("/organisations/nouvelle", "organisation_create", organisation_create, ("POST",)),
    ("/organisations/<int:requester_id>", "organisation", organisation, ("GET",)),
    ("/organisations/<int:requester_id>", "organisation_update", organisation_update, ("POST",)),
    (
        "/organisations/<int:requester_id>/desactivation",
        "organisation_deactivate_form",
        organisation_deactivate_form,
        ("GET",),
    ),
    (
        "/organisations/<int:requester_id>/desactivation",
        "organisation_deactivate",
        organisation_deactivate,
        ("POST",),
    ),
    (
        "/organisations/<int:requester_id>/reactivation",
        "organisation_reactivate",
        organisation_reactivate,
        ("POST",),
    ),
)

#: (rule, endpoint, view, methods): this module's, then its people's, keys' and access requests'.
ROUTES = (
    *_OWN,
    *organisation_people_pages.ROUTES,
    *organisation_key_pages.ROUTES,
    *access_request_pages.ROUTES,
)
