"""A gestionnaire's page for the organisation's API keys: list, create (shown once), revoke.

The same service calls as `/api/v1/admin/requesters/{id}/keys` (the change log records the
organisation as the actor); only the gate differs: the person's role, not an admin's Caf.
"""

from __future__ import annotations

from flask import Response, flash, request

from gateway.services.requesters import keys
from gateway.state import app_state, request_session
from gateway.web.account.current import SignedInPerson, signed_in
from gateway.web.account.forms import page, person_gate, see_other
from policies.access import Action
from policies.errors import InvalidInput, NotFound

READ, MANAGE = Action.ORGANISATION_KEYS_READ, Action.ORGANISATION_KEYS_MANAGE
LABEL_MAX = 200


def _list(person: SignedInPerson, status: int = 200, **context: object) -> Response:
    listed = keys.list_keys(request_session(), person.requester_id)
    return page("account/keys.html", status, private=True, person=person, keys=listed, **context)


@person_gate(READ)
def keys_page() -> Response:
    """List the organisation's keys (prefix, label, dates, status; never the key)."""
    return _list(signed_in(), errors={}, values={"label": ""})


@person_gate(MANAGE)
def key_create() -> Response:
    """Issue a key and show it once, on this response only (never stored, never cached)."""
    person = signed_in()
    label = " ".join(request.form.get("label", "").split())
    if len(label) > LABEL_MAX:
        errors = {"label": f"{LABEL_MAX} caractères au plus."}
        return _list(person, 422, errors=errors, values={"label": label})
    try:
        with app_state().database.transaction() as session:
            issued = keys.create_key(session, person.requester_id, person.requester_id, label)
    except InvalidInput as error:
        errors = {field: " ".join(m) for field, m in error.errors.items()}
        return _list(person, 422, errors=errors, values={"label": label})
    return _list(person, 201, errors={}, values={"label": ""}, issued=issued)


@person_gate(READ)
def key_revoke_form(prefix: str) -> Response:
    """Ask to confirm: a revoked key stops working at once, for good."""
    person = signed_in()
    found = [
        k for k in keys.list_keys(request_session(), person.requester_id) if k.prefix == prefix
    ]
    if not found:
        raise NotFound(f"Aucune clé de préfixe « {prefix} » pour votre organisation.")
    return page("account/key_revoke.html", private=True, key=found[0])


@person_gate(MANAGE)
def key_revoke(prefix: str) -> Response:
    person = signed_in()
    with app_state().database.transaction() as session:
        keys.revoke_key(session, person.requester_id, person.requester_id, prefix)
    flash(f"La clé « {prefix} » est révoquée.", "succes")
    return see_other("compte.keys")
