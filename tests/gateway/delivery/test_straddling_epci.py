"""EPCI of a département: the Métropole d'Aix-Marseille-Provence is never dropped silently.

It has 90 of the 119 communes of the Bouches-du-Rhône, plus Pertuis (Vaucluse) and
Saint-Zacharie (Var): it straddles. Asked for the EPCI under département 13, every requester
either gets it, marked as straddling in the JSON, the files and the note explicative, or sees
it listed as excluded with the reason, or gets a refusal naming it; each requester type below.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from gateway.db.models import ConventionRecord, Requester
from policies.domain import GeoLevel
from tests.gateway.delivery.readers import read_csv
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.state import get_database

AMP = "200054807"
INSIDE_13 = ["200035087", "241300375", "241300417"]
EPCI_13 = {"parent_level": "departement", "parent_code": "13", "level": "epci"}


@pytest.fixture
def keys(sqlite_app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    return demo_headers(sqlite_app, tmp_path)


def _body(use: str = "usage_final", **extra: Any) -> dict[str, Any]:
    return {
        "indicators": ["PLACES_EAJE"],
        "territories": EPCI_13,
        "periods": [2024],
        "use": use,
        **extra,
    }


def _extract(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = client.post("/api/v1/extracts", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _codes(document: Any) -> list[str]:
    return [c["code_territoire"] for c in document["cellules"]]


def _assert_included_and_marked(document: Any) -> None:
    assert _codes(document) == sorted([*INSIDE_13, AMP])
    marks = {c["code_territoire"]: c.get("a_cheval") for c in document["cellules"]}
    assert marks == {AMP: ["13", "83", "84"], **dict.fromkeys(INSIDE_13)}
    assert document["extrait"]["territoires_a_cheval"] == [
        {
            "niveau": "epci",
            "code": AMP,
            "libelle": "Métropole d'Aix-Marseille-Provence",
            "departements": ["13", "83", "84"],
        }
    ]
    assert document["extrait"]["territoires_exclus"] == []
    note = str(document["note"])
    assert "Territoires à cheval" in note
    assert (
        "Métropole d'Aix-Marseille-Provence (epci 200054807) : à cheval sur les départements"
        in note
    )


def _assert_excluded(document: Any, reason: str) -> None:
    assert _codes(document) == INSIDE_13
    [excluded] = document["extrait"]["territoires_exclus"]
    assert (excluded["code"], excluded["departements"]) == (AMP, ["13", "83", "84"])
    assert reason in excluded["motif"]
    note = str(document["note"])
    assert "Territoires exclus" in note and reason in note


@pytest.mark.parametrize(
    "slug",
    ["conseil_departemental", "service_etat", "organisme_mission_publique", "admin_national"],
)
def test_requesters_who_may_see_it_get_it_marked_as_straddling(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], slug: str
) -> None:
    _assert_included_and_marked(_extract(sqlite_client, keys[slug], _body()))


def test_the_mark_is_in_every_file_and_survives_a_download(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers = keys["conseil_departemental"]
    document = _extract(sqlite_client, headers, _body())
    extract_id = document["extrait"]["identifiant"]
    download = f"/api/v1/extracts/{extract_id}/download?format="

    csv = read_csv(sqlite_client.get(download + "csv", headers=headers).data)
    marks = dict(zip(csv["code_territoire"], csv["territoire_a_cheval"], strict=True))
    assert marks[AMP] == "à cheval sur 13, 83, 84"
    assert {marks[code] for code in INSIDE_13} == {""}

    workbook = load_workbook(io.BytesIO(sqlite_client.get(download + "xlsx", headers=headers).data))
    rows = list(workbook["Données"].iter_rows(values_only=True))
    column = rows[0].index("territoire_a_cheval")
    code = rows[0].index("code_territoire")
    assert {row[code]: row[column] for row in rows[1:]}[AMP] == "à cheval sur 13, 83, 84"
    note = "\n".join(
        str(row[0]) for row in workbook["Note explicative"].iter_rows(values_only=True)
    )
    assert "à cheval sur les départements 13, 83, 84" in note

    again = sqlite_client.get(download + "json", headers=headers).get_json()
    _assert_included_and_marked(again)


def test_a_conseil_departemental_whose_convention_says_otherwise_sees_it_excluded(
    sqlite_app: Flask, sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    with sqlite_app.app_context(), get_database().transaction() as session:
        requester = session.scalar(
            select(Requester).where(Requester.type == "conseil_departemental")
        )
        assert requester is not None
        for record in session.scalars(
            select(ConventionRecord).where(ConventionRecord.requester_id == requester.id)
        ):
            record.scope = {**record.scope, "epci_a_cheval": False}
    document = _extract(sqlite_client, keys["conseil_departemental"], _body())
    _assert_excluded(document, "ne couvre pas le territoire EPCI 200054807")


def test_a_caf_administrator_sees_it_excluded_as_outside_its_caf(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    document = _extract(sqlite_client, keys["admin_caf"], _body())
    _assert_excluded(document, "hors du territoire de la Caf 13")


def test_a_cabinet_prive_pays_for_the_three_and_sees_the_metropole_excluded(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers, body = keys["cabinet_prive"], _body("etudes")
    quoted = sqlite_client.post("/api/v1/extracts", json=body, headers=headers)
    assert quoted.status_code == 402
    accepted = sqlite_client.post(quoted.get_json()["devis"]["accepter"], headers=headers)
    assert accepted.status_code in (200, 201)
    document = _extract(sqlite_client, headers, body)
    _assert_excluded(document, "ne couvre pas le territoire EPCI 200054807")


@pytest.mark.parametrize("slug", ["commune", "epci"])
def test_requesters_without_the_departement_are_refused_not_served_a_part(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], slug: str
) -> None:
    response = sqlite_client.post("/api/v1/extracts", json=_body(), headers=keys[slug])
    assert response.status_code == 403
    assert "ne couvre pas" in response.get_json()["detail"]


def test_the_public_is_refused_the_epci_level_rather_than_served_a_part(
    sqlite_client: FlaskClient,
) -> None:
    response = sqlite_client.get(
        "/api/v1/socle/ALLOC?level=epci&parent_level=departement&parent_code=13&periods=2024"
    )
    assert response.status_code in (403, 422), response.get_json()
    assert response.get_json()["detail"]


def test_the_geography_names_the_straddling_epci_of_a_departement() -> None:
    from gateway.reference.geography import load_geography

    geography = load_geography()
    assert dict(geography.straddling(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, "13")) == {
        AMP: ("13", "83", "84")
    }
    assert geography.within(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, "13") == tuple(INSIDE_13)
    assert dict(geography.straddling(GeoLevel.EPCI, GeoLevel.FRANCE, "FR")) == {}
    assert geography.overlaps(GeoLevel.DEPARTEMENT, "84", GeoLevel.EPCI, AMP)
    assert not geography.overlaps(GeoLevel.DEPARTEMENT, "01", GeoLevel.EPCI, AMP)
