"""National administrators edit an indicator's tier and secrecy rules, applied at once."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.gateway.admin.conftest import World

A = "/api/v1/admin"


def _fiche(client: FlaskClient, code: str) -> dict[str, object]:
    response = client.get(f"/api/v1/indicators/{code}")
    assert response.status_code == 200
    fiche: dict[str, object] = response.json
    return fiche


def test_a_national_administrator_changes_a_tier_applied_at_once(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    national = sqlite_world.headers("admin_national")
    before = _fiche(sqlite_client, "AL")
    edited = sqlite_client.patch(
        f"{A}/indicators/AL", json={"tier": "convention"}, headers=national
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["tier"] == "convention"
    assert _fiche(sqlite_client, "AL")["tier"] == "convention"  # the next request sees it
    (change,) = sqlite_client.get(f"{A}/changes?entity=indicator", headers=national).json["items"]
    assert (change["action"], change["entity_id"]) == ("catalogue_update", "AL")
    assert change["before"]["tier"] == before["tier"] and change["after"]["tier"] == "convention"


def test_secrecy_parameters_change_one_by_one(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    before = _fiche(sqlite_client, "AL")["secret"]
    assert isinstance(before, dict)
    edited = sqlite_client.patch(
        f"{A}/indicators/AL",
        json={"secret": {"rules": ["FREQ(11,10)"]}},
        headers=sqlite_world.headers("admin_national"),
    )
    assert edited.status_code == 200, edited.json
    secret = _fiche(sqlite_client, "AL")["secret"]
    assert secret == {**before, "rules": ["FREQ(11,10)"]}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"secret": {"rules": ["FREQ(5"]}}, "secrecy.rules"),  # the catalogue's own check
        ({"tier": "restreint"}, "restricted_to"),  # a restricted indicator names its types
        ({"tier": "public"}, "tier"),  # the schema's
        ({}, "corps"),
    ],
)
def test_an_invalid_edit_is_refused_in_french_and_changes_nothing(
    sqlite_client: FlaskClient, sqlite_world: World, body: dict[str, object], where: str
) -> None:
    before = _fiche(sqlite_client, "AL")
    response = sqlite_client.patch(
        f"{A}/indicators/AL", json=body, headers=sqlite_world.headers("admin_national")
    )
    assert response.status_code == 422
    problem = response.json
    assert where in problem["detail"] or where in problem.get("errors", {}), problem
    assert _fiche(sqlite_client, "AL") == before


def test_an_unknown_indicator_is_a_404(sqlite_client: FlaskClient, sqlite_world: World) -> None:
    response = sqlite_client.patch(
        f"{A}/indicators/INCONNU",
        json={"tier": "convention"},
        headers=sqlite_world.headers("admin_national"),
    )
    assert response.status_code == 404 and "INCONNU" in response.json["detail"]


@pytest.mark.parametrize("who", ["admin_13", "commune_13"])
def test_only_national_administrators_edit_the_catalogue(
    sqlite_client: FlaskClient, sqlite_world: World, who: str
) -> None:
    response = sqlite_client.patch(
        f"{A}/indicators/AL", json={"tier": "convention"}, headers=sqlite_world.headers(who)
    )
    assert response.status_code == 403
    assert response.json["reasons"][0]["regle"] == "autorisation.role"
