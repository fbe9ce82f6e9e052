"""Listings of extracts, quotes and invoices: the requester's own, and for its Caf's admins.

Issue 11: a requester could not list its own extracts, quotes or invoices (405/404).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.services.requesters import registry as requesters
from gateway.services.requesters.api_keys import issue_key
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.state import get_database

PROBLEM = "application/problem+json"
AUBAGNE = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}
FREE = {
    "indicators": ["ENF_MOINS_6"],
    "territories": {"level": "epci", "codes": ["241300417", "241300375"]},
    "periods": [2024],
    "use": "usage_final",
}
PAGE_KEYS = {"items", "page", "per_page", "total", "pages"}


@pytest.fixture
def keys(app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The demonstration requesters and conventions, and an administrator of another Caf."""
    headers = demo_headers(app, tmp_path)
    with app.app_context(), get_database().transaction() as session:
        other = requesters.create_requester(
            session, None, {"name": "Caf 33 (admin)", "type": "admin_caf", "caf_code": "33"}
        )
        headers["admin_33"] = {"Authorization": f"Bearer {issue_key(session, other.id).plaintext}"}
    return headers


def _id(client: FlaskClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=headers).json["id"])


def _paid_delivery(client: FlaskClient, headers: dict[str, str]) -> tuple[int, str, str]:
    """402, accept the quote, deliver: return (quote id, extract id, invoice number)."""
    quote = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers).json["devis"]
    assert client.post(quote["accepter"], headers=headers).status_code in (200, 201)
    delivered = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert delivered.status_code == 200, delivered.get_data(as_text=True)[:300]
    extract_id = delivered.headers["X-Extrait"]
    status = client.get(f"/api/v1/extracts/{extract_id}", headers=headers).json
    return int(quote["id"]), extract_id, status["facture"]


def test_a_requester_lists_its_extracts_quotes_and_invoices(
    client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers = keys["commune"]
    quote_id, extract_id, invoice = _paid_delivery(client, headers)
    extracts = client.get("/api/v1/me/extracts", headers=headers)
    assert extracts.status_code == 200
    assert set(extracts.json) == PAGE_KEYS
    assert [e["id"] for e in extracts.json["items"]] == [extract_id]
    item = extracts.json["items"][0]
    assert item["statut"] == "livre" and item["facture"] == invoice
    assert item["demande"]["indicators"] == AUBAGNE["indicators"]
    assert item["cree_le"].endswith("+00:00")
    assert item["liens"]["csv"].endswith("format=csv")
    quotes = client.get("/api/v1/me/quotes", headers=headers).json["items"]
    assert [(q["id"], q["statut"], q["commande"]["statut"]) for q in quotes] == [
        (quote_id, "accepte", "livree")
    ]
    assert client.get(quotes[0]["liens"]["devis"], headers=headers).status_code == 200
    invoices = client.get("/api/v1/me/invoices", headers=headers).json["items"]
    assert [(i["numero"], i["extrait"]) for i in invoices] == [(invoice, extract_id)]
    assert client.get(invoices[0]["liens"]["facture"], headers=headers).status_code == 200
    # Nobody else's: another requester's lists hold none of these.
    other = keys["conseil_departemental"]
    for kind in ("extracts", "quotes", "invoices"):
        assert client.get(f"/api/v1/me/{kind}", headers=other).json["items"] == []


def test_listings_filter_by_status_and_dates_and_paginate(
    client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers = keys["conseil_departemental"]
    for period in (2021, 2022, 2023):
        body = {**FREE, "periods": [period]}
        assert client.post("/api/v1/extracts", json=body, headers=headers).status_code == 200
    today, tomorrow = date.today(), date.today() + timedelta(days=1)
    cases: list[tuple[str, int]] = [
        ("", 3),
        ("?status=livre", 3),
        ("?status=echec", 0),
        (f"?since={today}&until={today}", 3),
        (f"?since={tomorrow}", 0),
        (f"?until={today - timedelta(days=1)}", 0),
    ]
    for query, total in cases:
        found = client.get(f"/api/v1/me/extracts{query}", headers=headers)
        assert found.status_code == 200, (query, found.json)
        assert found.json["total"] == total, query
    first = client.get("/api/v1/me/extracts?per_page=2", headers=headers).json
    second = client.get("/api/v1/me/extracts?per_page=2&page=2", headers=headers).json
    assert (first["pages"], len(first["items"]), len(second["items"])) == (2, 2, 1)
    seen = [e["id"] for e in first["items"] + second["items"]]
    assert len(set(seen)) == 3  # newest first, each once


@pytest.mark.parametrize(
    "query",
    [
        "?status=inconnu",
        "?since=hier",
        "?since=2026-02-01&until=2026-01-01",
        "?per_page=0",
    ],
)
def test_bad_listing_filters_are_422_problems(
    client: FlaskClient, keys: dict[str, dict[str, str]], query: str
) -> None:
    for kind in ("extracts", "quotes", "invoices"):
        answer = client.get(f"/api/v1/me/{kind}{query}", headers=keys["commune"])
        assert answer.status_code == 422, (kind, query)
        assert answer.mimetype == PROBLEM
        assert answer.json["errors"]


def test_quote_statuses_as_of_today(client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    headers = keys["commune"]
    asked = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert asked.status_code == 402
    proposed = client.get("/api/v1/me/quotes?status=propose", headers=headers).json["items"]
    assert [q["id"] for q in proposed] == [asked.json["devis"]["id"]]
    assert "accepter" in proposed[0]["liens"]
    assert client.get("/api/v1/me/quotes?status=accepte", headers=headers).json["total"] == 0
    assert client.get("/api/v1/me/quotes?status=expire", headers=headers).json["total"] == 0


def _listing(client: FlaskClient, who: dict[str, str], requester: int, kind: str) -> Any:
    return client.get(f"/api/v1/admin/requesters/{requester}/{kind}", headers=who)


@pytest.mark.parametrize("kind", ["extracts", "quotes", "invoices"])
def test_admins_list_a_requester_of_their_caf_only(
    client: FlaskClient, keys: dict[str, dict[str, str]], kind: str
) -> None:
    owner = keys["commune"]
    _paid_delivery(client, owner)
    requester = _id(client, owner)
    mine = client.get(f"/api/v1/me/{kind}", headers=owner).json["items"]
    for admin in ("admin_caf", "admin_national"):  # the Caf 13's, and the Cnaf's
        seen = _listing(client, keys[admin], requester, kind)
        assert seen.status_code == 200, seen.json
        assert seen.json["items"] == mine
    refused = _listing(client, keys["admin_33"], requester, kind)
    assert refused.status_code == 403
    assert refused.mimetype == PROBLEM
    assert refused.json["code"] == "acces_refuse"
    # Not an administrator: even of the same Caf, a requester reads no one else's.
    assert _listing(client, keys["conseil_departemental"], requester, kind).status_code == 403
    unknown = _listing(client, keys["admin_national"], 999_999, kind)
    assert unknown.status_code == 404
    assert unknown.mimetype == PROBLEM
    assert _listing(client, {}, requester, kind).status_code == 401
