"""What the organisation pages share: the target Caf of a path, labels, the organisation page.

The organisation page (details, people, keys) is shown by its own view and again, with the
errors beside the fields, by each form of it that fails (invite, key, edit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from gateway.services.accounts import people
from gateway.services.accounts.values import PersonRole, PersonStatus
from gateway.services.requesters import keys
from gateway.services.requesters.overview import territory_names
from gateway.services.requesters.queries import caf_of_requester, get_requester
from gateway.services.territories.queries import caf_name
from gateway.state import request_session
from gateway.web.account.forms import Errors, page
from policies.access.values import LEVEL_LABELS, type_label
from policies.domain import GeoLevel, RequesterType
from policies.errors import DomainError

#: How the console names a person's status, a role, a key's status.
PERSON_STATUSES: Mapping[str, str] = {
    PersonStatus.INVITE: "Invitée (n’a pas encore choisi son mot de passe)",
    PersonStatus.ACTIF: "Active",
    PersonStatus.DESACTIVE: "Désactivée",
}
ROLES: Mapping[str, str] = {
    PersonRole.LECTEUR: "Lecteur : demandes et téléchargements",
    PersonRole.GESTIONNAIRE: "Gestionnaire : demandes, clés d’API et personnes",
}
INVITE_FIELDS = ("email", "name", "role")
EDIT_FIELDS = ("name", "contact_name", "contact_email")
KEY_FIELDS = ("label", "expires_on")


def requester_caf(requester_id: int, **_values: Any) -> str | None:
    """The Caf of the requester a path names (None when unknown: national administrators only)."""
    return caf_of_requester(request_session(), requester_id)


def type_name(value: str) -> str:
    """A requester type as a page writes it ("Commune", "Conseil départemental")."""
    try:
        return first_up(type_label(RequesterType(value)))
    except ValueError:
        return value


def first_up(text: str) -> str:
    """Capitalise the first letter only ("EPCI" stays "EPCI", "Caf" stays "Caf")."""
    return text[:1].upper() + text[1:]


def level_name(value: str | None) -> str:
    try:
        return LEVEL_LABELS[GeoLevel(value)] if value else ""
    except ValueError:
        return value or ""


def level_title(value: str | None) -> str:
    """A level as a list's heading or option writes it ("Commune", "EPCI")."""
    return first_up(level_name(value))


def refusal_text(error: DomainError) -> str:
    """A refusal's reasons as one sentence, each with what would allow it."""
    parts = []
    for reason in error.reasons:
        if isinstance(reason, Mapping):
            solution = reason.get("solution")
            parts.append(f"{reason.get('message')}{f' ({solution})' if solution else ''}.")
        else:
            parts.append(str(reason))
    return " ".join(parts) or error.detail


def organisation_page(
    requester_id: int,
    status: int = 200,
    *,
    errors: Errors | None = None,
    form: str = "",
    values: Mapping[str, str] | None = None,
) -> Response:
    """Show an organisation: its details (an edit form), its people, its API keys.

    `form` names the form that failed ("edit", "invite", "key"), shown again with `values`
    and `errors`; the other forms are shown empty.
    """
    session = request_session()
    requester = get_requester(session, requester_id)
    place = (requester.territory_level, requester.territory_code)
    shown = {
        "edit": {name: getattr(requester, name) or "" for name in EDIT_FIELDS},
        "invite": {"email": "", "name": "", "role": PersonRole.LECTEUR.value},
        "key": dict.fromkeys(KEY_FIELDS, ""),
    }
    if form:
        shown[form] = {**shown[form], **(values or {})}
    return page(
        "admin/organisations/detail.html",
        status,
        private=True,
        requester=requester,
        caf_name=caf_name(session, requester.caf_code) if requester.caf_code else None,
        territory_name=territory_names(session, [place]).get(place),
        people=people.list_people(session, requester_id),
        keys=keys.list_keys(session, requester_id),
        errors=errors or {},
        form=form,
        shown=shown,
        **labels(),
    )


def labels() -> dict[str, Any]:
    """The label tables and helpers every organisation template reads."""
    return {
        "type_name": type_name,
        "level_name": level_name,
        "person_statuses": PERSON_STATUSES,
        "roles": ROLES,
    }
