"""An organisation's people in the console: invite, send the invitation again, disable, enable.

The same service calls as `/api/v1/admin/requesters/{id}/people` (`gateway.services.accounts
.people`), and the same message: the invitation link is sent once the change is committed
(in development, written to the log).
"""

from __future__ import annotations

from flask import Response, flash

from gateway.services.accounts import people
from gateway.services.accounts.values import PersonRole, normalise_email
from gateway.state import request_session
from gateway.web.account.forms import Errors, form_values, page, see_other
from gateway.web.account.mail import send_invitation
from gateway.web.admin.common import actor_id, admin_gate, write
from gateway.web.admin.organisation_view import INVITE_FIELDS, organisation_page, requester_caf
from policies.access import Action
from policies.errors import Conflict, InvalidInput

#: The invitation is recorded but its e-mail did not leave (the log says why).
NOT_SENT = (
    "La personne est invitée, mais le courriel d’invitation à {who} n’a pas pu partir (serveur "
    "de messagerie injoignable ou refus) : envoyez de nouveau l’invitation depuis cette page."
)


def _sent(invitation: people.Invitation) -> None:
    if not send_invitation(invitation):  # committed: the link works when it arrives
        flash(NOT_SENT.format(who=invitation.person.email), "info")
        return
    until = invitation.expires_at.strftime("%d/%m/%Y")
    flash(
        f"Invitation envoyée à {invitation.person.name} ({invitation.person.email}) : "
        f"le lien pour choisir son mot de passe vaut jusqu’au {until}.",
        "succes",
    )


@admin_gate(Action.PERSON_INVITE, caf=requester_caf)
def person_invite(requester_id: int) -> Response:
    """Invite a person into the organisation; errors beside the invitation's fields."""
    values = form_values(*INVITE_FIELDS)
    errors = _check(values)
    if errors:
        return organisation_page(requester_id, 422, errors=errors, form="invite", values=values)
    try:
        invitation = write(people.invite_person, actor_id(), requester_id, dict(values))
    except InvalidInput as error:
        errors = {f"invite-{k}": " ".join(m) for k, m in error.errors.items()}
        return organisation_page(requester_id, 422, errors=errors, form="invite", values=values)
    except Conflict as error:
        errors = {"invite-email": error.detail}
        return organisation_page(requester_id, 409, errors=errors, form="invite", values=values)
    _sent(invitation)
    return see_other("administration.organisation", requester_id=requester_id, _anchor="personnes")


def _check(values: dict[str, str]) -> Errors:
    """Every field's error at once (the service stops at the first)."""
    errors: Errors = {}
    try:
        normalise_email(values["email"])
    except InvalidInput as error:
        errors["invite-email"] = " ".join(error.errors.get("email", [error.detail]))
    if not values["name"].strip():
        errors["invite-name"] = "Saisissez le prénom et le nom de la personne."
    if values["role"] not in {r.value for r in PersonRole}:
        errors["invite-role"] = "Choisissez le rôle de la personne."
    return errors


@admin_gate(Action.PERSON_INVITE, caf=requester_caf)
def person_reinvite(requester_id: int, person_id: int) -> Response:
    """Send a new invitation link (the previous one stops working)."""
    try:
        invitation = write(people.reinvite_person, actor_id(), requester_id, person_id)
    except Conflict as error:
        return organisation_page(requester_id, 409, errors={"": error.detail})
    _sent(invitation)
    return see_other("administration.organisation", requester_id=requester_id, _anchor="personnes")


@admin_gate(Action.PERSON_READ, caf=requester_caf)
def person_disable_form(requester_id: int, person_id: int) -> Response:
    """Ask to confirm: a disabled person is signed out everywhere and can no longer sign in."""
    person = people.get_person(request_session(), requester_id, person_id)
    return page("admin/organisations/person_disable.html", private=True, person=person)


@admin_gate(Action.PERSON_UPDATE, caf=requester_caf)
def person_disable(requester_id: int, person_id: int) -> Response:
    return _set_active(requester_id, person_id, False)


@admin_gate(Action.PERSON_UPDATE, caf=requester_caf)
def person_enable(requester_id: int, person_id: int) -> Response:
    return _set_active(requester_id, person_id, True)


def _set_active(requester_id: int, person_id: int, active: bool) -> Response:
    changes = {"active": active}
    person = write(people.update_person, actor_id(), requester_id, person_id, changes)
    done = "réactivé" if active else "désactivé"
    flash(f"Le compte de {person.name} ({person.email}) est {done}.", "succes")
    return see_other("administration.organisation", requester_id=requester_id, _anchor="personnes")


_PERSON = "/organisations/<int:requester_id>/personnes/<int:person_id>"
ROUTES = (
    ("/organisations/<int:requester_id>/personnes", "person_invite", person_invite, ("POST",)),
    (f"{_PERSON}/invitation", "person_reinvite", person_reinvite, ("POST",)),
    (f"{_PERSON}/desactivation", "person_disable_form", person_disable_form, ("GET",)),
    (f"{_PERSON}/desactivation", "person_disable", person_disable, ("POST",)),
    (f"{_PERSON}/reactivation", "person_enable", person_enable, ("POST",)),
)
