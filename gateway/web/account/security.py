"""The portal's security settings: session cookies, CSRF on every form, the accounts' limits.

`init_accounts(app)` runs once, after the API is registered: the API's blueprints are
exempt from CSRF (they authenticate by a bearer key and never read the session cookie);
every other POST needs the form's token, and a missing or wrong one gets a French page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app
from flask_wtf.csrf import CSRFError, CSRFProtect

from gateway.api.ratelimit import Limiter, limiter
from gateway.config import Settings
from gateway.notify.mail import outbox_for
from gateway.services.accounts.passwords import Passwords
from gateway.services.accounts.values import RULES
from gateway.web.account.mail import OUTBOX_KEY
from gateway.web.errors import error_page

ACCOUNTS_KEY = "gateway.accounts"
SESSION_COOKIE = "passerelle_session"


@dataclass(frozen=True)
class Accounts:
    """What the account pages hold for the app's lifetime."""

    passwords: Passwords
    #: Failed sign-ins on addresses without an active account, counted per address so that
    #: they lock as a real account would (no way to tell them apart by trying).
    unknown_failures: Limiter
    #: Reset-link and access-request forms sent, per source address.
    public_forms: Limiter


def accounts() -> Accounts:
    found: Accounts = current_app.extensions[ACCOUNTS_KEY]
    return found


def address_failures() -> Limiter:
    """The API's limiter of failed authentications per address, shared with sign-ins."""
    found: Limiter = current_app.extensions["gateway.auth_failures"]
    return found


def init_accounts(app: Flask, settings: Settings) -> None:
    """Set the session cookie, protect every form against CSRF, attach the accounts' tools."""
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.is_development,  # HTTPS only, in production
        WTF_CSRF_TIME_LIMIT=int(RULES.session_lifetime.total_seconds()),
    )
    csrf = CSRFProtect(app)
    from gateway.api.blueprints import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)
    app.register_error_handler(CSRFError, _csrf_page)
    storage = settings.ratelimit_storage_uri
    minutes = int(RULES.lockout_duration.total_seconds() // 60)
    app.extensions[ACCOUNTS_KEY] = Accounts(
        passwords=Passwords.for_environment(settings.env),
        unknown_failures=limiter(
            storage, f"{RULES.lockout_threshold} per {minutes} minutes", "echecs-compte"
        ),
        public_forms=limiter(storage, f"{RULES.public_forms_per_hour}/hour", "formulaires"),
    )
    app.extensions[OUTBOX_KEY] = outbox_for(settings)


def _csrf_page(_error: CSRFError) -> Response:
    """A form without its token, or with a stale one: a French page, never JSON."""
    return error_page(
        400,
        "Formulaire expiré ou incomplet",
        "Ce formulaire n'a pas pu être vérifié : la page était peut-être ouverte depuis trop "
        "longtemps, ou les cookies sont bloqués. Revenez à la page précédente, rechargez-la, "
        "puis envoyez de nouveau le formulaire.",
    )
