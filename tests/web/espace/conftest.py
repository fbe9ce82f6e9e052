"""Fixtures of "Mon espace": the demonstration requesters, and a person signed in for each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.services.accounts import links, people
from gateway.web.account.security import ACCOUNTS_KEY, Accounts
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.accounts import PASSWORD
from tests.support.state import get_database
from tests.web.account.conftest import Browser

Headers = dict[str, str]
#: A paid request of the Commune d'Aubagne (its convention prices each extract).
AUBAGNE = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}


@pytest.fixture
def keys(sqlite_app: Flask, tmp_path: Path) -> dict[str, Headers]:
    """The demonstration requesters, their conventions and keys (headers by slug)."""
    return demo_headers(sqlite_app, tmp_path)


@pytest.fixture
def api(sqlite_app: Flask) -> FlaskClient:
    return sqlite_app.test_client()


def requester_id(api: FlaskClient, headers: Headers) -> int:
    return int(api.get("/api/v1/me", headers=headers).json["id"])


def signed_in(app: Flask, requester: int, email: str, role: str = "lecteur") -> Browser:
    """Invite a person into a requester, open the account, sign in in a new browser."""
    fields: dict[str, Any] = {"email": email, "name": "Camille Martin", "role": role}
    with app.app_context(), get_database().transaction() as session:
        token = people.invite_person(session, None, requester, fields).token
    with app.app_context(), get_database().transaction() as session:
        accounts: Accounts = app.extensions[ACCOUNTS_KEY]
        links.accept_invitation(session, accounts.passwords, token, PASSWORD, PASSWORD)
    browser = Browser(app.test_client())
    assert browser.sign_in(email, PASSWORD).status_code == 303
    return browser


@pytest.fixture
def commune(sqlite_app: Flask, api: FlaskClient, keys: dict[str, Headers]) -> Browser:
    """A person of the Commune d'Aubagne, signed in."""
    return signed_in(sqlite_app, requester_id(api, keys["commune"]), "camille@aubagne.fr")


@pytest.fixture
def departement(sqlite_app: Flask, api: FlaskClient, keys: dict[str, Headers]) -> Browser:
    """A person of the Conseil départemental des Bouches-du-Rhône, signed in."""
    cd = requester_id(api, keys["conseil_departemental"])
    return signed_in(sqlite_app, cd, "dominique@departement13.fr")


def paid_quote(api: FlaskClient, headers: Headers, body: dict[str, Any] | None = None) -> int:
    """Ask a paid extract through the API: the 402's quote id."""
    asked = api.post("/api/v1/extracts", json=body or AUBAGNE, headers=headers)
    assert asked.status_code == 402, asked.get_data(as_text=True)[:300]
    return int(asked.json["devis"]["id"])


def paid_delivery(api: FlaskClient, headers: Headers) -> tuple[int, str, str]:
    """402, accept, deliver through the API: (quote id, extract id, invoice number)."""
    quote = paid_quote(api, headers)
    assert api.post(f"/api/v1/quotes/{quote}/accept", headers=headers).status_code == 201
    delivered = api.post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert delivered.status_code == 200, delivered.get_data(as_text=True)[:300]
    extract_id = delivered.headers["X-Extrait"]
    status = api.get(f"/api/v1/extracts/{extract_id}", headers=headers).json
    return quote, extract_id, status["facture"]
