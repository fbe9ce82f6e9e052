"""An organisation's API keys in the console: create (shown once), revoke after confirmation.

The same service calls as `/api/v1/admin/requesters/{id}/keys` (`gateway.services.requesters
.keys`); the new key is on the creation's response only, never stored nor cached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Response, flash

from gateway.services.requesters import keys
from gateway.services.requesters.queries import get_requester
from gateway.state import request_session
from gateway.web.account.forms import Errors, form_values, page, see_other
from gateway.web.admin.common import actor_id, admin_gate, write
from gateway.web.admin.organisation_view import KEY_FIELDS, organisation_page, requester_caf
from policies.access import Action
from policies.errors import InvalidInput, NotFound

LABEL_MAX = 200


def read_day(raw: str) -> date | None:
    """Read a date as a browser sends it (2027-12-31) or as people write it (31/12/2027)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


@admin_gate(Action.API_KEY_CREATE, caf=requester_caf)
def key_create(requester_id: int) -> Response:
    """Issue a key and show it once, on this response only (no-store)."""
    values = {k: " ".join(v.split()) for k, v in form_values(*KEY_FIELDS).items()}
    errors: Errors = {}
    if len(values["label"]) > LABEL_MAX:
        errors["label"] = f"{LABEL_MAX} caractères au plus."
    day = read_day(values["expires_on"]) if values["expires_on"] else None
    if values["expires_on"] and day is None:
        errors["expires_on"] = "Saisissez une date valide, par exemple 31/12/2027."
    if errors:
        return organisation_page(requester_id, 422, errors=errors, form="key", values=values)
    expires_at = datetime.combine(day, time.min, UTC) if day else None
    try:
        issued = write(keys.create_key, actor_id(), requester_id, values["label"], expires_at)
    except InvalidInput as error:
        errors = {
            "expires_on" if k == "expires_at" else k: " ".join(m) for k, m in error.errors.items()
        }
        return organisation_page(requester_id, 422, errors=errors, form="key", values=values)
    requester = get_requester(request_session(), requester_id)
    return page(
        "admin/organisations/key_issued.html",
        201,
        private=True,
        requester=requester,
        issued=issued,
        label=values["label"],
    )


def _key(requester_id: int, prefix: str) -> keys.KeyView:
    found = [k for k in keys.list_keys(request_session(), requester_id) if k.prefix == prefix]
    if not found:
        raise NotFound(f"Aucune clé de préfixe « {prefix} » pour cette organisation.")
    return found[0]


@admin_gate(Action.API_KEY_READ, caf=requester_caf)
def key_revoke_form(requester_id: int, prefix: str) -> Response:
    """Ask to confirm: a revoked key stops working at once, for good."""
    requester = get_requester(request_session(), requester_id)
    key = _key(requester_id, prefix)
    return page("admin/organisations/key_revoke.html", private=True, requester=requester, key=key)


@admin_gate(Action.API_KEY_REVOKE, caf=requester_caf)
def key_revoke(requester_id: int, prefix: str) -> Response:
    write(keys.revoke_key, actor_id(), requester_id, prefix)
    flash(f"La clé « {prefix} » est révoquée : elle ne fonctionne plus.", "succes")
    return see_other("administration.organisation", requester_id=requester_id, _anchor="cles")


_KEY = "/organisations/<int:requester_id>/cles/<string:prefix>"
ROUTES = (
    ("/organisations/<int:requester_id>/cles", "key_create", key_create, ("POST",)),
    (f"{_KEY}/revocation", "key_revoke_form", key_revoke_form, ("GET",)),
    (f"{_KEY}/revocation", "key_revoke", key_revoke, ("POST",)),
)
