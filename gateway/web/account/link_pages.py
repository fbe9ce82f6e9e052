"""Single-use link pages: accept an invitation, forgotten password, reset the password."""

from __future__ import annotations

from flask import Response, flash, request

from gateway.services.accounts.links import (
    accept_invitation,
    link_holder,
    request_reset,
    reset_password,
)
from gateway.services.accounts.values import TokenPurpose
from gateway.state import app_state, request_session
from gateway.web.account.current import open_session
from gateway.web.account.forms import errors_of, form_values, page, see_other
from gateway.web.account.mail import send_link
from gateway.web.account.security import accounts
from policies.errors import InvalidInput

_TEMPLATES = {
    TokenPurpose.INVITATION: "account/invitation.html",
    TokenPurpose.REINITIALISATION: "account/reset.html",
}
_WELCOME = {
    TokenPurpose.INVITATION: "Bienvenue : votre compte est ouvert.",
    TokenPurpose.REINITIALISATION: "Votre mot de passe a été changé ; vos autres sessions sont "
    "fermées.",
}


def invitation_form(token: str) -> Response:
    return _password_form(token, TokenPurpose.INVITATION)


def invitation_submit(token: str) -> Response:
    return _password_submit(token, TokenPurpose.INVITATION)


def reset_form(token: str) -> Response:
    return _password_form(token, TokenPurpose.REINITIALISATION)


def reset_submit(token: str) -> Response:
    return _password_submit(token, TokenPurpose.REINITIALISATION)


def _password_form(token: str, purpose: TokenPurpose) -> Response:
    """Show who the link is for and the password fields (a dead link: the 410 page)."""
    holder = link_holder(request_session(), token, purpose)
    return page(_TEMPLATES[purpose], private=True, holder=holder, errors={})


def _password_submit(token: str, purpose: TokenPurpose) -> Response:
    """Set the password, spend the link and sign the person in."""
    values = form_values("password", "confirmation")
    change = accept_invitation if purpose is TokenPurpose.INVITATION else reset_password
    try:
        with app_state().database.transaction() as session:
            person = change(
                session,
                accounts().passwords,
                token,
                values["password"],
                values["confirmation"],
            )
            person_id, generation = person.id, person.session_generation
    except InvalidInput as error:
        holder = link_holder(request_session(), token, purpose)
        return page(_TEMPLATES[purpose], 422, private=True, holder=holder, errors=errors_of(error))
    open_session(person_id, generation)
    flash(_WELCOME[purpose], "succes")
    return see_other("compte.my_account")


def forgotten_form() -> Response:
    return page("account/forgotten.html", values={"email": ""}, errors={})


def forgotten_submit() -> Response:
    """Send a reset link if the address has an account; answer the same either way."""
    values = form_values("email")
    source = request.remote_addr or "inconnue"
    limits = accounts().public_forms
    if not limits.hit(source):
        wait = max(1, -(-(limits.retry_after(source) or 60) // 60))
        errors = {"": f"Trop de demandes depuis votre adresse : réessayez dans {wait} minutes."}
        return page("account/forgotten.html", 429, values=values, errors=errors)
    try:
        with app_state().database.transaction() as session:
            issued = request_reset(session, values["email"])
    except InvalidInput as error:
        return page("account/forgotten.html", 422, values=values, errors=errors_of(error))
    if issued is not None:
        send_link(issued)  # committed: the link works when it arrives
    return see_other("compte.forgotten_sent")


def forgotten_sent() -> Response:
    return page("account/forgotten_sent.html")
