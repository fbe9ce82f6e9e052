"""Conventions through the admin API: drafts, activation refused with every missing piece,
lifecycle, renewal as a new version, signed PDF, automatic expiry."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from flask.testing import FlaskClient

from gateway.services.conventions import queries as conventions
from gateway.services.conventions.lifecycle import expire_due_conventions
from gateway.state import EXTENSION, app_state
from tests.gateway.admin.conftest import PDF, World, convention_body
from tests.support.state import get_database

BASE = "/api/v1/admin/conventions"


def _draft(client: FlaskClient, world: World, **overrides: object) -> dict:
    body = convention_body(world.id("commune_13"), **overrides)
    response = client.post(BASE, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 201, response.json
    return response.json


def _upload(
    client: FlaskClient, world: World, cid: int, data: bytes = PDF, mime: str = "application/pdf"
):
    return client.put(
        f"{BASE}/{cid}/document",
        data={"document": (io.BytesIO(data), "convention.pdf", mime)},
        content_type="multipart/form-data",
        headers=world.headers("admin_13"),
    )


def test_activation_lists_every_missing_piece(client: FlaskClient, world: World) -> None:
    draft = _draft(client, world, clauses=["parties"], signatories=[], end=None)
    assert draft["status"] == "brouillon" and draft["reference"].startswith("CONV-13-")
    response = client.post(f"{BASE}/{draft['id']}/activate", headers=world.headers("admin_13"))
    assert response.status_code == 409
    reasons = [r["message"] for r in response.json["reasons"]]
    assert "clause obligatoire non cochée : secret_statistique" in reasons
    assert "signataire manquant pour la partie « caf »" in reasons
    assert "date de fin manquante" in reasons
    assert "document signé manquant (empreinte SHA-256)" in reasons


def test_lifecycle_and_renewal(client: FlaskClient, world: World) -> None:
    admin = world.headers("admin_13")
    draft = _draft(client, world)
    cid = draft["id"]
    uploaded = _upload(client, world, cid)
    assert uploaded.status_code == 200, uploaded.json
    assert len(uploaded.json["document"]["sha256"]) == 64
    assert uploaded.json["missing_for_activation"] == []
    assert client.post(f"{BASE}/{cid}/activate", headers=admin).json["status"] == "active"
    assert client.patch(f"{BASE}/{cid}", json={"notes": "x"}, headers=admin).status_code == 409
    suspended = client.post(f"{BASE}/{cid}/suspend", json={"reason": "impayé"}, headers=admin)
    assert suspended.json["status"] == "suspendue"
    assert client.post(f"{BASE}/{cid}/activate", headers=admin).json["status"] == "active"
    renewed = client.post(
        f"{BASE}/{cid}/renew", json={"start": "2100-01-01", "end": "2102-12-31"}, headers=admin
    )
    assert renewed.status_code == 201
    assert (renewed.json["version"], renewed.json["previous_id"]) == (2, cid)
    assert renewed.json["reference"] == draft["reference"]
    again = client.post(
        f"{BASE}/{cid}/renew", json={"start": "2100-01-01", "end": "2102-12-31"}, headers=admin
    )
    assert again.status_code == 409
    ended = client.post(f"{BASE}/{cid}/terminate", json={}, headers=admin)
    assert ended.json["status"] == "resiliee"
    history = [(h["from"], h["to"]) for h in ended.json["history"]]
    assert history == [
        ("brouillon", "active"),
        ("active", "suspendue"),
        ("suspendue", "active"),
        ("active", "resiliee"),
    ]
    assert client.post(f"{BASE}/{cid}/activate", headers=admin).status_code == 409


@pytest.mark.parametrize(
    ("data", "mime", "status"),
    [
        (b"GIF89a....", "application/pdf", 415),
        (PDF, "image/png", 415),
        (b"%PDF-" + b"x" * 2048, "application/pdf", 413),
    ],
)
def test_document_checks(sqlite_app, data: bytes, mime: str, status: int) -> None:
    state = app_state(sqlite_app)
    sqlite_app.extensions[EXTENSION] = replace(
        state, settings=replace(state.settings, extra={"document_max_bytes": 1024})
    )
    client, world = sqlite_app.test_client(), World(sqlite_app)
    cid = _draft(client, world)["id"]
    response = _upload(client, world, cid, data, mime)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_document_download(sqlite_client: FlaskClient, sqlite_app) -> None:
    world = World(sqlite_app)
    cid = _draft(sqlite_client, world)["id"]
    _upload(sqlite_client, world, cid)
    response = sqlite_client.get(f"{BASE}/{cid}/document", headers=world.headers("admin_13"))
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"


def test_field_errors(client: FlaskClient, world: World) -> None:
    body = convention_body(world.id("commune_13"), uses=["vente"], scope={"periods": ["x"]})
    body["pricing"] = "gratuit"
    response = client.post(BASE, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"uses", "scope", "pricing"}
    unknown = convention_body(world.id("commune_13"), scope={"indicators": ["NOPE"]})
    response = client.post(BASE, json=unknown, headers=world.headers("admin_13"))
    assert response.status_code == 422 and "scope" in response.json["errors"]


def test_a_convention_names_an_existing_caf(client: FlaskClient, world: World) -> None:
    """Regression: a national requester (of no Caf) under an unknown Caf code gave a 500 (a
    foreign key refused at the insert), found by the stateful schemathesis run."""
    body = convention_body(world.id("admin_national"), caf_code="ZZ9")
    response = client.post(BASE, json=body, headers=world.headers("admin_national"))
    assert response.status_code == 422, response.json
    assert response.json["errors"] == {"caf_code": ["Aucune Caf de code ZZ9."]}


def test_expiry_when_reading_and_by_command(client: FlaskClient, world: World, app) -> None:
    admin = world.headers("admin_13")
    cid = _draft(client, world, start="2020-01-01", end="2099-01-01")["id"]
    _upload(client, world, cid)
    client.post(f"{BASE}/{cid}/activate", headers=admin)
    with app.app_context(), get_database().transaction() as session:
        expired = expire_due_conventions(session, date(2099, 6, 1))
        value = conventions.get_convention(session, cid)
    assert expired == [value.label]
    assert value.status.value == "expiree"
    assert value.history[-1].reason_fr == "date de fin atteinte"
