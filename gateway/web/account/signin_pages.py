"""Sign in, sign out, and "Mon compte"."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Response, flash, request

from gateway.services.accounts.signin import Attempt, Outcome, sign_in, sign_out
from gateway.services.accounts.values import RULES
from gateway.state import app_state
from gateway.web.account.current import close_session, current_person, open_session, safe_next
from gateway.web.account.forms import (
    errors_of,
    form_values,
    missing,
    page,
    person_gate,
    see_other,
    see_other_path,
)
from gateway.web.account.security import accounts, address_failures
from policies.access import Action
from policies.errors import InvalidInput

REFUSED = "Adresse électronique ou mot de passe incorrect."
_REQUIRED = {
    "email": "Saisissez votre adresse électronique.",
    "password": "Saisissez votre mot de passe.",
}


def sign_in_form() -> Response:
    """Show the sign-in form (a signed-in person goes to their account)."""
    if current_person() is not None:
        return see_other("compte.my_account")
    back = safe_next(request.args.get("suivant"))
    return page("account/sign_in.html", values={"email": ""}, errors={}, suivant=back)


def sign_in_submit() -> Response:
    """Check the address and password, then open a new session."""
    back = safe_next(request.values.get("suivant"))
    source = request.remote_addr or "inconnue"
    wait = address_failures().retry_after(source)
    if wait is not None:
        return _form({"email": request.form.get("email", "")}, {"": _too_many(wait)}, back, 429)
    values = form_values("email", "password")
    errors = missing(values, _REQUIRED)
    if errors:
        return _form(values, errors, back, 422)
    try:
        with app_state().database.transaction() as session:
            attempt = sign_in(session, accounts().passwords, values["email"], values["password"])
    except InvalidInput as error:
        return _form(values, errors_of(error), back, 422)
    if attempt.outcome is Outcome.SIGNED_IN:
        assert attempt.person_id is not None
        open_session(attempt.person_id, attempt.generation)
        return see_other_path(back) if back else see_other("compte.my_account")
    address_failures().hit(source)
    return _form(values, {"password": _refusal(attempt)}, back, 401)


def _refusal(attempt: Attempt) -> str:
    """The message of a refused attempt; an unknown address reads as a wrong password."""
    outcome, until = attempt.outcome, attempt.locked_until
    if outcome is Outcome.UNKNOWN:
        # Unknown addresses lock as accounts do (at the same failure, for as long), so that
        # trying cannot tell them apart.
        failures, key = accounts().unknown_failures, hashlib.sha256(attempt.email.encode())
        failures.hit(key.hexdigest())
        wait = failures.retry_after(key.hexdigest())
        if wait is not None:
            outcome, until = Outcome.LOCKED, datetime.now(UTC) + timedelta(seconds=wait)
    if outcome is not Outcome.LOCKED:
        return REFUSED
    minutes = int(RULES.lockout_duration.total_seconds() // 60)
    if until is not None:
        minutes = max(1, int((until - datetime.now(UTC)).total_seconds() // 60) + 1)
    return (
        f"Après {RULES.lockout_threshold} essais infructueux, ce compte est verrouillé pendant "
        f"{minutes} minute{'s' if minutes > 1 else ''}. Attendez, ou choisissez un nouveau mot "
        "de passe avec « Mot de passe oublié »."
    )


def _too_many(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return (
        "Trop de tentatives de connexion depuis votre adresse : réessayez dans "
        f"{minutes} minute{'s' if minutes > 1 else ''}."
    )


def _form(
    values: dict[str, str], errors: dict[str, str], back: str | None, status: int
) -> Response:
    shown = {"email": values.get("email", "")}  # never send a password back
    response = page("account/sign_in.html", status, values=shown, errors=errors, suivant=back)
    if status == 429:
        response.headers["Retry-After"] = str(
            address_failures().retry_after(request.remote_addr or "inconnue") or 60
        )
    return response


def sign_out_page() -> Response:
    """Ask to sign out (GET); sign out of every session of the account (POST)."""
    person = current_person()
    if request.method == "GET":
        if person is None:
            return see_other("compte.sign_in")
        return page("account/sign_out.html")
    if person is not None:
        with app_state().database.transaction() as session:
            sign_out(session, person.id)
    close_session()
    flash("Vous êtes déconnecté(e).", "succes")
    return see_other("compte.sign_in")


@person_gate(Action.ME_READ)
def my_account() -> Response:
    """Show who is signed in, for which organisation, with which role."""
    return page("account/my_account.html", person=current_person())
