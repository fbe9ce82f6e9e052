"""Requesters and API keys through the admin API: create, list, change, keys shown once."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.gateway.admin.conftest import World

BASE = "/api/v1/admin/requesters"


def test_create_list_update_requester(client: FlaskClient, world: World) -> None:
    admin = world.headers("admin_13")
    body = {
        "name": "EPCI du Pays d'Aubagne",
        "type": "epci",
        "caf_code": "13",
        "territory_level": "epci",
        "territory_code": "200054807",
        "contact_email": "contact@exemple.fr",
    }
    created = client.post(BASE, json=body, headers=admin)
    assert created.status_code == 201, created.json
    rid = created.json["id"]
    listed = client.get(BASE, headers=admin).json
    assert rid in [r["id"] for r in listed["items"]]
    assert {r["caf_code"] for r in listed["items"]} == {"13"}
    changed = client.patch(f"{BASE}/{rid}", json={"active": False}, headers=admin)
    assert changed.status_code == 200
    assert changed.json["active"] is False


def test_field_errors_are_french(client: FlaskClient, world: World) -> None:
    body = {"name": "", "type": "inconnu", "caf_code": "13", "extra": 1}
    response = client.post(BASE, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "type", "extra"}
    assert response.json["errors"]["extra"] == ["Champ inconnu."]


def test_unknown_territory_is_a_field_error(client: FlaskClient, world: World) -> None:
    body = {
        "name": "X",
        "type": "commune",
        "caf_code": "13",
        "territory_level": "commune",
        "territory_code": "99999",
    }
    response = client.post(BASE, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 422
    assert "territory_code" in response.json["errors"]


def test_caf_admin_cannot_create_a_national_admin(client: FlaskClient, world: World) -> None:
    body = {"name": "Moi", "type": "admin_national"}
    response = client.post(BASE, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 403


def test_key_is_shown_once_and_never_listed_with_its_hash(
    client: FlaskClient, world: World
) -> None:
    admin = world.headers("admin_13")
    rid = world.id("commune_13")
    issued = client.post(f"{BASE}/{rid}/keys", json={"label": "tableau de bord"}, headers=admin)
    assert issued.status_code == 201
    plaintext, prefix = issued.json["key"], issued.json["prefix"]
    assert plaintext.startswith(f"cgw_{prefix}_") and issued.json["expires_at"]
    listed = client.get(f"{BASE}/{rid}/keys", headers=admin)
    text = listed.get_data(as_text=True)
    assert plaintext not in text and "hash" not in text
    mine = [k for k in listed.json["items"] if k["prefix"] == prefix]
    assert mine[0]["status"] == "active" and mine[0]["label"] == "tableau de bord"
    revoked = client.post(f"{BASE}/{rid}/keys/{prefix}/revoke", headers=admin)
    assert revoked.json["status"] == "revoquee"
    again = client.post(f"{BASE}/{rid}/keys/{prefix}/revoke", headers=admin)
    assert again.status_code == 409


def test_key_expiry_in_the_past_is_refused(client: FlaskClient, world: World) -> None:
    rid = world.id("commune_13")
    response = client.post(
        f"{BASE}/{rid}/keys",
        json={"expires_at": "2000-01-01T00:00:00Z"},
        headers=world.headers("admin_13"),
    )
    assert response.status_code == 422
    assert "expires_at" in response.json["errors"]
