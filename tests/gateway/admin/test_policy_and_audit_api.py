"""The policy matrix and the audit log through the admin API; demonstration conventions."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

from gateway.services.access.queries import current_matrix
from gateway.services.audit import queries as audit_log
from gateway.services.conventions.queries import conventions_for
from gateway.services.demo.conventions import seed_demo_conventions
from policies.access import Access
from policies.domain import RequesterType, Tier
from tests.gateway.admin.conftest import World
from tests.support.state import get_database

A = "/api/v1/admin"


def test_national_admin_changes_the_matrix(client: FlaskClient, world: World, app) -> None:
    national = world.headers("admin_national")
    current = client.get(f"{A}/policy-matrix", headers=world.headers("admin_13")).json
    assert current["version"] == 1
    document = {k: v for k, v in current.items() if k != "version"}
    document["types"]["cabinet_prive"]["acces"]["convention"] = "interdit"
    changed = client.put(f"{A}/policy-matrix", json=document, headers=national)
    assert changed.status_code == 200 and changed.json["version"] == 2
    with app.app_context(), get_database().transaction() as session:
        matrix = current_matrix(session)
    assert matrix.access(RequesterType.CABINET_PRIVE, Tier.CONVENTION) is Access.INTERDIT
    changes = client.get(f"{A}/changes?entity=policy_matrix", headers=national).json["items"]
    assert changes[0]["before"]["types"]["cabinet_prive"]["acces"]["convention"] == "convention"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["types"].pop("epci"), "epci"),
        (lambda d: d["types"]["commune"]["acces"].update(interne="libre"), "interne"),
        (lambda d: d["types"]["commune"].update(niveau_le_plus_fin="canton"), "canton"),
    ],
)
def test_invalid_matrix_is_refused_in_french(
    sqlite_client: FlaskClient, sqlite_world: World, edit, where: str
) -> None:
    national = sqlite_world.headers("admin_national")
    document = sqlite_client.get(f"{A}/policy-matrix", headers=national).json
    document.pop("version")
    edit(document)
    response = sqlite_client.put(f"{A}/policy-matrix", json=document, headers=national)
    assert response.status_code == 422
    assert where in response.json["detail"]


def _log(app, world: World) -> None:
    ids = {who: world.id(who) for who in ("commune_13", "commune_33")}
    with app.app_context(), get_database().transaction() as session:
        for who, decision in [
            ("commune_13", "allowed"),
            ("commune_13", "refused"),
            ("commune_33", "allowed"),
        ]:
            audit_log.append_entry(
                session,
                requester_id=ids[who],
                key_prefix="k",
                action="extract_create",
                fingerprint="0" * 64,
                decision=decision,
                rules=["matrice.acces_libre"],
                convention_ref=None,
                cells_delivered=10,
                cells_suppressed=1,
                price=None,
                details={"note": "é"},
            )


def test_audit_query_filters_and_caf_scope(client: FlaskClient, world: World, app) -> None:
    _log(app, world)
    caf13 = client.get(f"{A}/audit", headers=world.headers("admin_13")).json
    assert caf13["total"] == 2 and {e["caf_code"] for e in caf13["items"]} == {"13"}
    refused = client.get(
        f"{A}/audit?decision=refused", headers=world.headers("admin_national")
    ).json
    assert refused["total"] == 1
    everything = client.get(
        f"{A}/audit?per_page=1&page=4", headers=world.headers("admin_national")
    ).json
    # The three entries above, and the publication of the socle commun the template holds.
    assert (everything["total"], everything["pages"], len(everything["items"])) == (4, 4, 1)
    none = client.get(
        f"{A}/audit?since=2001-01-01&until=2001-12-31", headers=world.headers("admin_national")
    )
    assert none.json["total"] == 0


def test_audit_csv_export(sqlite_client: FlaskClient, sqlite_world: World, sqlite_app) -> None:
    _log(sqlite_app, sqlite_world)
    response = sqlite_client.get(f"{A}/audit.csv", headers=sqlite_world.headers("admin_13"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2 and rows[0]["details"] == '{"note": "é"}'
    assert rows[1]["hash_precedent"] == rows[0]["hash"]


def test_demo_conventions_are_active_and_idempotent(db) -> None:
    with db.transaction() as session:
        created = seed_demo_conventions(session)
        assert len(created) == 6
        assert seed_demo_conventions(session) == []
        from gateway.services.demo.requesters import ensure_demo_requesters

        requesters = ensure_demo_requesters(session)
        cd = conventions_for(session, requesters["conseil_departemental"].id)
        cabinet = conventions_for(session, requesters["cabinet_prive"].id)
    assert [c.status.value for c in cd] == ["active"]
    assert cd[0].pricing.value == "gratuit_exoneration" and cd[0].scope.periods == frozenset(
        range(2019, 2025)
    )
    assert cabinet[0].scope.finest_level.value == "epci"
    assert {u.value for u in cabinet[0].uses} == {"etudes"}
