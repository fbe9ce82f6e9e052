"""Every refusal of a route's gate is an entry of the audit chain, naming the rule that refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from gateway.db.models import AuditEntry
from gateway.services.audit import queries as audit_log
from tests.gateway.admin.conftest import World
from tests.support.state import get_database

A = "/api/v1/admin"


def _refusals(app: Flask) -> list[AuditEntry]:
    with app.app_context(), get_database().transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.decision == audit_log.REFUSED)
        ).all()
        assert audit_log.verify(session).ok  # the chain holds, refusals included
        session.expunge_all()
        return list(entries)


@pytest.mark.parametrize(
    ("who", "method", "path", "action", "rule"),
    [
        ("commune_13", "GET", "/conventions", "convention_read", "autorisation.role"),
        ("admin_13", "PUT", "/policy-matrix", "policy_update", "autorisation.role"),
        ("admin_13", "PATCH", "/indicators/ALLOC", "catalogue_update", "autorisation.role"),
    ],
)
def test_a_refused_role_is_in_the_audit_chain(
    sqlite_client: FlaskClient,
    sqlite_world: World,
    sqlite_app: Flask,
    who: str,
    method: str,
    path: str,
    action: str,
    rule: str,
) -> None:
    response = sqlite_client.open(
        A + path, method=method, json={"tier": "interne"}, headers=sqlite_world.headers(who)
    )
    assert response.status_code == 403
    (entry,) = _refusals(sqlite_app)
    assert (entry.action, entry.rules, entry.requester_id) == (action, [rule], sqlite_world.id(who))
    assert entry.details["requete"] == f"{method} {A}{path}"
    assert entry.key_prefix and entry.caf_code == "13"


def test_a_refused_target_caf_is_in_the_audit_chain_with_the_caf(
    sqlite_client: FlaskClient, sqlite_world: World, sqlite_app: Flask
) -> None:
    other = sqlite_world.id("commune_33")
    response = sqlite_client.get(
        f"{A}/requesters/{other}", headers=sqlite_world.headers("admin_13")
    )
    problem: dict[str, Any] = response.json
    assert response.status_code == 403 and problem["code"] == "acces_refuse"
    (entry,) = _refusals(sqlite_app)
    assert (entry.action, entry.rules) == ("requester_read", ["autorisation.caf"])
    assert entry.details["caf_cible"] == "33"
    assert entry.details["motifs"] == [r["message"] for r in problem["reasons"]]


def test_an_allowed_request_adds_no_refusal(
    sqlite_client: FlaskClient, sqlite_world: World, sqlite_app: Flask
) -> None:
    listed = sqlite_client.get(f"{A}/conventions", headers=sqlite_world.headers("admin_13"))
    assert listed.status_code == 200
    assert _refusals(sqlite_app) == []


def test_an_anonymous_caller_is_not_audited(sqlite_client: FlaskClient, sqlite_app: Flask) -> None:
    """401 is no decision of a gate (and anyone could fill the chain with them)."""
    assert sqlite_client.get(f"{A}/conventions").status_code == 401
    assert _refusals(sqlite_app) == []
