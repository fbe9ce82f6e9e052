"""/compte: people's accounts on the portal, every page in one table.

Public pages (sign-in, forgotten password, single-use links, access request) and the pages
of a signed-in person ("Mon compte", the organisation's keys for a gestionnaire). Every POST
carries the form's CSRF token (`gateway.web.account.security`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from gateway.web.account import access_request_pages as requests
from gateway.web.account import key_pages as keys
from gateway.web.account import link_pages as links
from gateway.web.account import signin_pages as signin
from gateway.web.account.current import current_person

blp = Blueprint("compte", __name__, url_prefix="/compte")

GET, POST = ("GET",), ("POST",)
#: (rule, endpoint, view, methods); GET shows a form, POST sends it.
ROUTES = (
    ("", "my_account", signin.my_account, GET),
    ("/connexion", "sign_in", signin.sign_in_form, GET),
    ("/connexion", "sign_in_submit", signin.sign_in_submit, POST),
    ("/deconnexion", "sign_out", signin.sign_out_page, ("GET", "POST")),
    ("/mot-de-passe-oublie", "forgotten", links.forgotten_form, GET),
    ("/mot-de-passe-oublie", "forgotten_submit", links.forgotten_submit, POST),
    ("/mot-de-passe-oublie/envoye", "forgotten_sent", links.forgotten_sent, GET),
    ("/reinitialiser/<string:token>", "reset", links.reset_form, GET),
    ("/reinitialiser/<string:token>", "reset_submit", links.reset_submit, POST),
    ("/invitation/<string:token>", "invitation", links.invitation_form, GET),
    ("/invitation/<string:token>", "invitation_submit", links.invitation_submit, POST),
    ("/demande-acces", "access_request", requests.access_request_form, GET),
    ("/demande-acces", "access_request_submit", requests.access_request_submit, POST),
    ("/demande-acces/envoyee", "access_request_sent", requests.access_request_sent, GET),
    ("/cles", "keys", keys.keys_page, GET),
    ("/cles", "key_create", keys.key_create, POST),
    ("/cles/<string:prefix>/revocation", "key_revoke", keys.key_revoke_form, GET),
    ("/cles/<string:prefix>/revocation", "key_revoke_submit", keys.key_revoke, POST),
)
for rule, endpoint, view, methods in ROUTES:
    blp.add_url_rule(rule, endpoint, view, methods=list(methods))


@blp.app_context_processor
def account_context() -> dict[str, Any]:
    """Give every template the signed-in person (the header's `account/_nav.html`)."""
    return {"current_person": current_person}
