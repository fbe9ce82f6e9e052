"""The administration API of people and access requests: confined to the Caf, in one body."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.services.accounts import access_requests
from tests.gateway.accounts.test_access_requests import GOOD
from tests.gateway.admin.conftest import World
from tests.support.accounts import Outbox
from tests.support.state import get_database

PROBLEM = "application/problem+json"


def _people(requester_id: int) -> str:
    return f"/api/v1/admin/requesters/{requester_id}/people"


def _invite(client: FlaskClient, world: World, admin: str = "admin_13", **body: Any) -> Any:
    body = {"email": "camille@aubagne.fr", "name": "Camille Martin", **body}
    return client.post(_people(world.id("commune_13")), json=body, headers=world.headers(admin))


def test_an_administrator_invites_and_the_link_goes_to_the_outbox(
    client: FlaskClient, world: World, outbox: Outbox
) -> None:
    response = _invite(client, world, role="gestionnaire")
    assert response.status_code == 201, response.json
    person = response.json
    assert (person["email"], person["role"], person["status"]) == (
        "camille@aubagne.fr",
        "gestionnaire",
        "invite",
    )
    assert person["invitation_expires_at"] and "password_hash" not in person
    link = outbox.last_link("camille@aubagne.fr")
    assert link.startswith("http://localhost/compte/invitation/")
    listed = client.get(_people(world.id("commune_13")), headers=world.headers("admin_13"))
    assert [p["id"] for p in listed.json["items"]] == [person["id"]]
    again = client.post(
        f"{_people(world.id('commune_13'))}/{person['id']}/invitation",
        headers=world.headers("admin_13"),
    )
    assert again.status_code == 201 and outbox.last_link("camille@aubagne.fr") != link
    disabled = client.patch(
        f"{_people(world.id('commune_13'))}/{person['id']}",
        json={"active": False},
        headers=world.headers("admin_13"),
    )
    assert disabled.status_code == 200 and disabled.json["status"] == "desactive"


@pytest.mark.parametrize(
    ("caller", "status"),
    [("admin_13", 201), ("admin_national", 201), ("admin_33", 403), ("commune_13", 403)],
)
def test_only_the_caf_of_the_requester_invites(
    sqlite_client: FlaskClient, sqlite_world: World, caller: str, status: int
) -> None:
    response = _invite(sqlite_client, sqlite_world, admin=caller)
    assert response.status_code == status
    if status == 403:
        assert response.mimetype == PROBLEM and response.json["code"] == "acces_refuse"


def test_errors_are_french_problem_documents(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    bad = _invite(sqlite_client, sqlite_world, email="pas une adresse")
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert "adresse électronique valide" in bad.json["errors"]["email"][0]
    _invite(sqlite_client, sqlite_world)
    twice = _invite(sqlite_client, sqlite_world)
    assert twice.status_code == 409 and "existe déjà" in twice.json["detail"]
    empty = sqlite_client.patch(
        f"{_people(sqlite_world.id('commune_13'))}/1",
        json={},
        headers=sqlite_world.headers("admin_13"),
    )
    assert empty.status_code == 422


def _submit(app: Flask, **changes: Any) -> int:
    with app.app_context(), get_database().transaction() as session:
        return access_requests.submit_access_request(session, {**GOOD, **changes}).id


def test_access_requests_are_listed_and_decided_by_their_caf(
    app: Flask, client: FlaskClient, world: World, outbox: Outbox
) -> None:
    ours = _submit(app)
    theirs = _submit(app, caf_code="33", territory_code="33281", contact_email="m@merignac.fr")
    admin = world.headers("admin_13")
    listed = client.get("/api/v1/admin/access-requests", headers=admin)
    assert [r["id"] for r in listed.json["items"]] == [ours]
    assert client.get(f"/api/v1/admin/access-requests/{theirs}", headers=admin).status_code == 403
    refused = client.post(f"/api/v1/admin/access-requests/{theirs}/approve", headers=admin)
    assert refused.status_code == 403
    approved = client.post(f"/api/v1/admin/access-requests/{ours}/approve", headers=admin)
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approuvee" and approved.json["requester_id"]
    assert outbox.last_link("d.roux@laciotat.fr").startswith("http://localhost/compte/invitation/")
    twice = client.post(f"/api/v1/admin/access-requests/{ours}/approve", headers=admin)
    assert twice.status_code == 409 and twice.mimetype == PROBLEM
    national = world.headers("admin_national")
    rejected = client.post(
        f"/api/v1/admin/access-requests/{theirs}/reject",
        json={"reason": "Organisation inconnue du répertoire Sirene"},
        headers=national,
    )
    assert rejected.status_code == 200 and rejected.json["status"] == "rejetee"
    assert "Votre demande d'accès à la passerelle des Caf" in outbox.subjects()
    decided = client.get("/api/v1/admin/access-requests?status=rejetee", headers=national)
    assert [r["id"] for r in decided.json["items"]] == [theirs]
