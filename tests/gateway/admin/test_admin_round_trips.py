"""Issue 11: the matrix read is the matrix sent back; bodies match the OpenAPI document; the
audit log names the rules that decided; refusals speak French, briefly."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from gateway.db.models import AuditEntry, Caf
from tests.gateway.admin.conftest import World, convention_body
from tests.support.state import get_database

A = "/api/v1/admin"


def test_the_matrix_read_is_accepted_back(client: FlaskClient, world: World) -> None:
    national = world.headers("admin_national")
    read = client.get(f"{A}/policy-matrix", headers=national)
    assert read.status_code == 200
    sent = client.put(f"{A}/policy-matrix", json=read.json, headers=national)
    assert sent.status_code == 200, sent.json
    assert sent.json["version"] == read.json["version"] + 1
    assert {k: v for k, v in sent.json.items() if k != "version"} == {
        k: v for k, v in read.json.items() if k != "version"
    }
    again = client.get(f"{A}/policy-matrix", headers=national).json
    assert again == sent.json


def test_a_stale_matrix_is_refused(sqlite_client: FlaskClient, sqlite_world: World) -> None:
    national = sqlite_world.headers("admin_national")
    read = sqlite_client.get(f"{A}/policy-matrix", headers=national).json
    assert sqlite_client.put(f"{A}/policy-matrix", json=read, headers=national).status_code == 200
    stale = sqlite_client.put(f"{A}/policy-matrix", json=read, headers=national)
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    assert "a changé depuis sa lecture" in stale.json["detail"]


def test_a_change_without_body_is_refused(sqlite_client: FlaskClient, sqlite_world: World) -> None:
    admin = sqlite_world.headers("admin_13")
    rid = sqlite_world.id("commune_13")
    draft = sqlite_client.post(f"{A}/conventions", json=convention_body(rid), headers=admin)
    expected = {
        f"{A}/requesters/{rid}": "Corps JSON attendu, avec au moins un champ à modifier.",
        f"{A}/conventions/{draft.json['id']}": "Corps JSON attendu, avec au moins un terme à "
        "modifier.",
    }
    for path, message in expected.items():
        for kwargs in ({}, {"json": {}}):
            response = sqlite_client.patch(path, headers=admin, **kwargs)
            assert response.status_code == 422, response.json
            assert response.mimetype == "application/problem+json"
            assert response.json["errors"] == {"corps": [message]}


def test_key_creation_body_is_optional_as_documented(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    admin = sqlite_world.headers("admin_13")
    rid = sqlite_world.id("commune_13")
    issued = sqlite_client.post(f"{A}/requesters/{rid}/keys", headers=admin)
    assert issued.status_code == 201 and issued.json["key"].startswith("cgw_")
    paths = sqlite_client.get("/api/v1/openapi.json").json["paths"]
    keys = paths[f"{A}/requesters/{{requester_id}}/keys"]["post"]
    assert keys["requestBody"]["required"] is False
    assert paths[f"{A}/requesters/{{requester_id}}"]["patch"]["requestBody"]["required"] is True
    for action in ("suspend", "terminate"):  # the reason is optional too
        post = paths[f"{A}/conventions/{{convention_id}}/{action}"]["post"]
        assert post["requestBody"]["required"] is False


def _extract(
    client: FlaskClient,
    headers: dict[str, str],
    indicator: str,
    territories: dict[str, Any],
    period: int = 2024,
) -> Any:
    body = {
        "indicators": [indicator],
        "use": "usage_final",
        "territories": territories,
        "periods": [period],
        "format": "json",
    }
    return client.post("/api/v1/extracts", json=body, headers=headers)


def test_the_audit_log_names_only_the_rules_that_decided(
    client: FlaskClient, world: World, app: Flask
) -> None:
    delivered = _extract(
        client, world.headers("admin_13"), "ALLOC", {"level": "departement", "codes": ["13"]}
    )
    assert delivered.status_code == 200, delivered.json
    with app.app_context(), get_database().transaction() as session:
        rules = session.scalars(
            select(AuditEntry.rules).where(AuditEntry.requester_id == world.id("admin_13"))
        ).all()
    assert rules == [["matrice.acces_libre"]]


def test_refusals_name_types_and_cafs_in_french(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    # A Caf administrator naming no Caf acts on its own (test_caf_territory); another Caf's
    # requester is refused with the Caf named in French.
    elsewhere = sqlite_client.post(
        f"{A}/requesters",
        json={"name": "Autre Caf", "type": "commune", "caf_code": "33"},
        headers=sqlite_world.headers("admin_13"),
    )
    assert elsewhere.status_code == 403
    message = elsewhere.json["reasons"][0]["message"]
    assert "(33)" in message and "Caf toutes" not in message
    denied = sqlite_client.get(f"{A}/requesters", headers=sqlite_world.headers("commune_13"))
    assert denied.status_code == 403
    assert "non permise au type « commune »" in denied.json["reasons"][0]["message"]
    cabinet = _cabinet(sqlite_client, sqlite_world)
    refused = _extract(sqlite_client, cabinet, "ALLOC", {"level": "commune", "codes": ["13005"]})
    assert refused.status_code == 403
    messages = [r["message"] for r in refused.json["reasons"]]
    assert "niveau commune plus fin que le niveau autorisé au type « cabinet privé » (EPCI)" in (
        messages
    )
    assert "cabinet_prive" not in refused.json["detail"]


def _cabinet(client: FlaskClient, world: World) -> dict[str, str]:
    """A cabinet privé of Caf 13 with a key, registered through the admin API."""
    admin = world.headers("admin_13")
    body = {"name": "Cabinet Études", "type": "cabinet_prive", "caf_code": "13"}
    created = client.post(f"{A}/requesters", json=body, headers=admin)
    assert created.status_code == 201, created.json
    key = client.post(f"{A}/requesters/{created.json['id']}/keys", headers=admin).json["key"]
    return {"Authorization": f"Bearer {key}"}


def _cd_with_convention(client: FlaskClient, world: World) -> dict[str, str]:
    """The conseil départemental 13 under an active convention over its own territory."""
    admin = world.headers("admin_13")
    body = convention_body(world.id("cd_13"))
    draft = client.post(f"{A}/conventions", json=body, headers=admin).json
    client.put(
        f"{A}/conventions/{draft['id']}/document",
        data={"document": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "c.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=admin,
    )
    activated = client.post(f"{A}/conventions/{draft['id']}/activate", headers=admin)
    assert activated.status_code == 200, activated.json
    return world.headers("cd_13")


def test_a_refusal_over_many_communes_is_summarised(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    cd = _cd_with_convention(sqlite_client, sqlite_world)
    other = {"parent_level": "departement", "parent_code": "84", "level": "commune"}
    refused = _extract(sqlite_client, cd, "ENF_MOINS_6", other, period=2023)
    assert refused.status_code == 403, refused.json
    (reason,) = refused.json["reasons"]
    assert reason["regle"] == "convention.hors_perimetre.territoire"
    assert "151 communes du département 84 (84001, 84002, 84003, …)" in reason["message"]
    assert len(refused.json["detail"]) < 400 and "84150" not in refused.json["detail"]


def test_a_refusal_on_another_caf_names_both_cafs(
    sqlite_app: Flask, sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    """Journey regression: "la Caf 33" told an administrator nothing; its name does."""
    other = sqlite_world.id("commune_33")
    refused = sqlite_client.get(f"{A}/requesters/{other}", headers=sqlite_world.headers("admin_13"))
    assert refused.status_code == 403
    with sqlite_app.app_context(), get_database().sessions() as session:
        names = {c.code: c.name for c in session.scalars(select(Caf))}
    message = refused.json["reasons"][0]["message"]
    assert f"{names['33']} (33)" in message and f"{names['13']} (13)" in message
