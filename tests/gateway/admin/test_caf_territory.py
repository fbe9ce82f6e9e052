"""Issue 11: a Caf administrator registers requesters and convention territories, and reads
data beyond the public socle commun, within its own Caf's territory only."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.gateway.admin.conftest import World, convention_body

REQUESTERS = "/api/v1/admin/requesters"
CONVENTIONS = "/api/v1/admin/conventions"
RULE = "autorisation.territoire_caf"


def _requester(level: str, code: str) -> dict[str, Any]:
    return {
        "name": f"Demandeur {level} {code}",
        "type": "commune" if level == "commune" else "epci",
        "caf_code": "13",
        "territory_level": level,
        "territory_code": code,
    }


@pytest.mark.parametrize(
    ("who", "level", "code", "status"),
    [
        ("admin_13", "commune", "59350", 403),  # Lille, in the Nord: not Caf 13's
        ("admin_13", "commune", "84089", 403),  # Pertuis, Vaucluse
        ("admin_13", "commune", "13005", 201),  # Aubagne
        # The Métropole d'Aix-Marseille-Provence reaches Pertuis (84), but nearly all its
        # inhabitants live in the Bouches-du-Rhône: it belongs to Caf 13.
        ("admin_13", "epci", "200054807", 201),
        ("admin_national", "commune", "59350", 201),
    ],
)
def test_requester_territory_within_the_admins_caf(
    client: FlaskClient, world: World, who: str, level: str, code: str, status: int
) -> None:
    response = client.post(REQUESTERS, json=_requester(level, code), headers=world.headers(who))
    assert response.status_code == status, response.json
    if status == 403:
        (reason,) = response.json["reasons"]
        assert reason["regle"] == RULE
        assert code in reason["message"] and "Caf des Bouches-du-Rhône" in reason["message"]


def test_a_caf_admin_naming_no_caf_registers_in_its_own(client: FlaskClient, world: World) -> None:
    """Journey regression: no `caf_code` meant "every Caf at once", refused for Aubagne."""
    body = {k: v for k, v in _requester("commune", "13005").items() if k != "caf_code"}
    response = client.post(REQUESTERS, json=body, headers=world.headers("admin_13"))
    assert response.status_code == 201, response.json
    assert response.json["caf_code"] == "13"
    lille = {k: v for k, v in _requester("commune", "59350").items() if k != "caf_code"}
    refused = client.post(REQUESTERS, json=lille, headers=world.headers("admin_13"))
    assert refused.status_code == 403 and refused.json["reasons"][0]["regle"] == RULE


def test_requester_moved_out_of_the_caf_is_refused(client: FlaskClient, world: World) -> None:
    rid = world.id("commune_13")
    moved = client.patch(
        f"{REQUESTERS}/{rid}",
        json={"territory_code": "59350"},
        headers=world.headers("admin_13"),
    )
    assert moved.status_code == 403 and moved.json["reasons"][0]["regle"] == RULE
    kept = client.get(f"{REQUESTERS}/{rid}", headers=world.headers("admin_13")).json
    assert kept["territory_code"] == "13005"
    renamed = client.patch(
        f"{REQUESTERS}/{rid}", json={"name": "Ville d'Aubagne"}, headers=world.headers("admin_13")
    )
    assert renamed.status_code == 200


@pytest.mark.parametrize(
    ("who", "territories", "status"),
    [
        ("admin_13", [{"level": "departement", "code": "59"}], 403),
        ("admin_13", [{"level": "region", "code": "93"}], 403),  # PACA: six départements
        ("admin_13", [{"level": "departement", "code": "13"}], 201),
        ("admin_national", [{"level": "departement", "code": "59"}], 201),
    ],
)
def test_convention_territories_within_the_admins_caf(
    sqlite_client: FlaskClient,
    sqlite_world: World,
    who: str,
    territories: list[dict[str, str]],
    status: int,
) -> None:
    body = convention_body(sqlite_world.id("commune_13"))
    body["scope"] = {**body["scope"], "own_territory": False, "territories": territories}
    response = sqlite_client.post(CONVENTIONS, json=body, headers=sqlite_world.headers(who))
    assert response.status_code == status, response.json
    if status == 403:
        assert response.json["reasons"][0]["regle"] == RULE
        listed = sqlite_client.get(CONVENTIONS, headers=sqlite_world.headers("admin_national"))
        assert listed.json["total"] == 0  # nothing half-written


def test_convention_widened_out_of_the_caf_is_refused(client: FlaskClient, world: World) -> None:
    admin = world.headers("admin_13")
    draft = client.post(CONVENTIONS, json=convention_body(world.id("commune_13")), headers=admin)
    assert draft.status_code == 201, draft.json
    scope = {**draft.json["scope"], "territories": [{"level": "departement", "code": "84"}]}
    path = f"{CONVENTIONS}/{draft.json['id']}"
    widened = client.patch(path, json={"scope": scope}, headers=admin)
    assert widened.status_code == 403 and widened.json["reasons"][0]["regle"] == RULE
    unchanged = client.get(f"{CONVENTIONS}/{draft.json['id']}", headers=admin).json
    assert unchanged["scope"]["territories"] == []


def _extract(indicator: str, territories: dict[str, Any]) -> dict[str, Any]:
    return {
        "indicators": [indicator],
        "use": "usage_final",
        "territories": territories,
        "periods": [2024],
        "format": "json",
    }


@pytest.mark.parametrize(
    ("who", "indicator", "territories", "status"),
    [
        # restricted tier, communes of another Caf's département: refused
        ("admin_13", "RSA_MONTANT", {"level": "commune", "codes": ["84089"]}, 403),
        # even the public socle commun, below the département, elsewhere: refused
        ("admin_13", "ALLOC", {"level": "commune", "codes": ["84089"]}, 403),
        # restricted tier in its own Caf, at commune level: delivered
        ("admin_13", "RSA_MONTANT", {"level": "commune", "codes": ["13005"]}, 200),
        # what the public gets anywhere (socle commun, département level): delivered
        ("admin_13", "ALLOC", {"level": "departement", "codes": ["84"]}, 200),
        ("admin_national", "RSA_MONTANT", {"level": "commune", "codes": ["84089"]}, 200),
    ],
)
def test_caf_admin_data_access_is_confined_to_its_caf(
    sqlite_client: FlaskClient,
    sqlite_world: World,
    who: str,
    indicator: str,
    territories: dict[str, Any],
    status: int,
) -> None:
    response = sqlite_client.post(
        "/api/v1/extracts",
        json=_extract(indicator, territories),
        headers=sqlite_world.headers(who),
    )
    assert response.status_code == status, response.json
    if status == 403:
        (reason,) = response.json["reasons"]
        assert reason["regle"] == RULE
        assert "84089" in reason["message"] and "Caf 13" in reason["message"]
