"""Issue 11: conventions with signature dates are read, created in one transaction, and
never activated without every signature date."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from gateway.api.admin import conventions as convention_views
from gateway.db.models import ConventionRecord
from gateway.services.demo.conventions import seed_demo_conventions
from gateway.services.demo.requesters import ensure_demo_requesters
from gateway.services.requesters.api_keys import issue_key
from tests.gateway.admin.conftest import PDF, World, convention_body
from tests.support.state import get_database

BASE = "/api/v1/admin/conventions"


def _demo_keys(app: Flask) -> dict[str, dict[str, str]]:
    """Seed the demonstration requesters and conventions (as `make serve` does); key each."""
    with app.app_context(), get_database().transaction() as session:
        seed_demo_conventions(session)
        requesters = ensure_demo_requesters(session)
        keys = {slug: issue_key(session, r.id).plaintext for slug, r in requesters.items()}
    return {slug: {"Authorization": f"Bearer {key}"} for slug, key in keys.items()}


def _count(app: Flask) -> int:
    with app.app_context(), get_database().transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ConventionRecord)) or 0)


def test_demo_conventions_are_read_with_their_signature_dates(client: FlaskClient, app) -> None:
    keys = _demo_keys(app)
    mine = client.get("/api/v1/me/conventions", headers=keys["commune"])
    assert mine.status_code == 200, mine.json
    (convention,) = mine.json["items"]
    assert [s["signed_on"] for s in convention["signatories"]] == ["2025-01-01", "2025-01-01"]
    listed = client.get(BASE, headers=keys["admin_caf"])
    assert listed.status_code == 200 and listed.json["total"] == 6
    detail = client.get(f"{BASE}/{convention['id']}", headers=keys["admin_national"])
    assert detail.status_code == 200
    assert detail.json["signatories"][0]["signed_on"] == "2025-01-01"


def test_created_with_signature_dates_then_read_back(client: FlaskClient, world: World) -> None:
    admin = world.headers("admin_13")
    created = client.post(BASE, json=convention_body(world.id("commune_13")), headers=admin)
    assert created.status_code == 201, created.json
    assert [s["signed_on"] for s in created.json["signatories"]] == ["2023-12-15", "2023-12-18"]
    changed = client.patch(
        f"{BASE}/{created.json['id']}",
        json={"signatories": [{"name": "Maire", "party": "demandeur", "signed_on": "2024-02-01"}]},
        headers=admin,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["signatories"][0]["signed_on"] == "2024-02-01"
    read = client.get(f"{BASE}/{created.json['id']}", headers=admin).json
    assert read["signatories"] == changed.json["signatories"]


def test_a_creation_that_cannot_be_answered_leaves_nothing_behind(
    sqlite_client: FlaskClient, sqlite_world: World, sqlite_app: Flask, monkeypatch
) -> None:
    """An error after the insert (here, describing the new draft) undoes the insert."""

    def broken(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise TypeError("réponse impossible à construire")

    body = convention_body(sqlite_world.id("commune_13"))
    headers = sqlite_world.headers("admin_13")
    before = _count(sqlite_app)
    monkeypatch.setattr(convention_views, "describe", broken)
    response = sqlite_client.post(BASE, json=body, headers=headers)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert _count(sqlite_app) == before


def _signed(client: FlaskClient, world: World, signatories: list[dict[str, str]]) -> int:
    """A complete draft with its signed document, but the given signatories."""
    admin = world.headers("admin_13")
    body = convention_body(world.id("commune_13"), signatories=signatories)
    draft = client.post(BASE, json=body, headers=admin)
    assert draft.status_code == 201, draft.json
    uploaded = client.put(
        f"{BASE}/{draft.json['id']}/document",
        data={"document": (io.BytesIO(PDF), "convention.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=admin,
    )
    assert uploaded.status_code == 200, uploaded.json
    cid: int = draft.json["id"]
    return cid


@pytest.mark.parametrize(
    ("caf_signed_on", "expected"),
    [
        (None, "date de signature manquante pour le signataire « Directrice » (Caf)"),
        (
            "2999-01-01",
            "date de signature du signataire « Directrice » (Caf) dans le futur (2999-01-01)",
        ),
    ],
)
def test_activation_refused_without_every_signature_date(
    sqlite_client: FlaskClient, sqlite_world: World, caf_signed_on: str | None, expected: str
) -> None:
    caf = {"name": "Directrice", "party": "caf"}
    if caf_signed_on:
        caf["signed_on"] = caf_signed_on
    cid = _signed(
        sqlite_client,
        sqlite_world,
        [caf, {"name": "Maire", "party": "demandeur", "signed_on": "2024-01-01"}],
    )
    admin = sqlite_world.headers("admin_13")
    shown = sqlite_client.get(f"{BASE}/{cid}", headers=admin).json
    assert shown["missing_for_activation"] == [expected]
    refused = sqlite_client.post(f"{BASE}/{cid}/activate", headers=admin)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert [r["message"] for r in refused.json["reasons"]] == [expected]
    assert "ne peut pas être activée" in refused.json["detail"]
    assert expected in refused.json["detail"]
    assert sqlite_client.get(f"{BASE}/{cid}", headers=admin).json["status"] == "brouillon"
