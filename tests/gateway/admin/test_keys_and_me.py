"""Keys at the door (one 401 body for unknown, expired and revoked keys; 429 after repeated
failures) and a requester's own view under /api/v1/me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gateway.services.audit import queries as audit_log
from gateway.services.requesters import keys as requester_keys
from gateway.services.requesters.api_keys import issue_key
from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.admin.conftest import PDF, World, convention_body
from tests.support.state import get_database


def _key(app, world: World, state: str) -> str:
    rid = world.id("commune_13")
    with app.app_context(), get_database().transaction() as session:
        if state == "inconnue":
            return "cgw_00000000_" + "x" * 43
        if state == "mal_formee":
            return "n'importe quoi"
        past = datetime.now(UTC) - timedelta(days=1) if state == "expiree" else None
        issued = issue_key(session, rid, expires_at=past)
        if state == "revoquee":
            requester_keys.revoke_key(session, None, rid, issued.prefix)
        return issued.plaintext


@pytest.mark.parametrize("state", ["inconnue", "mal_formee", "expiree", "revoquee"])
def test_every_bad_key_gets_the_same_401(sqlite_app, sqlite_world: World, state: str) -> None:
    client = sqlite_app.test_client()
    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {_key(sqlite_app, sqlite_world, state)}"}
    )
    assert response.status_code == 401
    body = {k: v for k, v in response.json.items() if k != "request_id"}
    reference = client.get("/api/v1/me", headers={"Authorization": "Bearer cgw_ffffffff_zz"}).json
    assert body == {k: v for k, v in reference.items() if k != "request_id"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_repeated_failures_get_429_with_retry_after(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, auth_failures_per_minute=3)
    client = app.test_client()
    bad = {"Authorization": "Bearer cgw_00000000_nope"}
    statuses = [client.get("/api/v1/me", headers=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    last = client.get("/api/v1/me", headers=bad)
    assert last.json["code"] == "trop_de_requetes"
    assert int(last.headers["Retry-After"]) >= 1
    app_state(app).database.dispose()


def test_me_shows_account_conventions_and_quota_use(client: FlaskClient, world: World, app) -> None:
    admin, me = world.headers("admin_13"), world.headers("commune_13")
    cid = client.post(
        "/api/v1/admin/conventions", json=convention_body(world.id("commune_13")), headers=admin
    ).json["id"]
    client.put(
        f"/api/v1/admin/conventions/{cid}/document",
        data={"document": (__import__("io").BytesIO(PDF), "c.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=admin,
    )
    label = client.post(f"/api/v1/admin/conventions/{cid}/activate", headers=admin).json["label"]
    with app.app_context(), get_database().transaction() as session:
        for cells in (120, 80):
            audit_log.append_entry(
                session,
                requester_id=world.id("commune_13"),
                key_prefix=None,
                action="extract_create",
                fingerprint="f" * 64,
                decision="allowed",
                rules=["convention.couverture"],
                convention_ref=label,
                cells_delivered=cells,
                cells_suppressed=0,
                price=None,
                details={},
            )
    account = client.get("/api/v1/me", headers=me).json
    assert (account["type"], account["territory_code"]) == ("commune", "13005")
    assert account["keys"][0]["status"] == "active"
    mine = client.get("/api/v1/me/conventions", headers=me).json["items"]
    assert [(c["label"], c["status"]) for c in mine] == [(label, "active")]
    assert (mine[0]["usage"]["extracts"], mine[0]["usage"]["cells"]) == (2, 200)
    assert mine[0]["quotas"] == {"extracts_per_month": 10, "cells_per_month": 50000}
    assert "notes" not in mine[0]
    other = client.get("/api/v1/me/conventions", headers=world.headers("cd_13")).json
    assert other["items"] == []
