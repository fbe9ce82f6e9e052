"""Custom zones (validated, usable as territories) and the two IMAJE screens."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

# Aubagne, La Penne-sur-Huveaune, Auriol: a bassin de vie of the EPCI.
ZONE = {"name": "Vallée de l'Huveaune", "communes": ["13005", "13070", "13007"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Inconnue", "communes": ["99999"]}, "communes"),
        ({"name": "Trop petite", "communes": ["48001"]}, "communes"),  # fewer inhabitants
        ({"name": "", "communes": ["13005"]}, "name"),
        ({"communes": ["13005"]}, "name"),
        ({"name": "Code mal formé", "communes": ["1300"]}, "communes"),
    ],
)
def test_zone_validation(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], body: dict[str, Any], field: str
) -> None:
    response = sqlite_client.post("/api/v1/zones", json=body, headers=keys["epci"])
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_zone_is_private_and_unique(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    created = sqlite_client.post("/api/v1/zones", json=ZONE, headers=keys["epci"])
    assert created.status_code == 201 and created.json["population"] > 40_000
    assert sqlite_client.post("/api/v1/zones", json=ZONE, headers=keys["epci"]).status_code == 409
    zone_id = created.json["id"]
    assert sqlite_client.get(f"/api/v1/zones/{zone_id}", headers=keys["commune"]).status_code == 404
    listed = sqlite_client.get("/api/v1/zones", headers=keys["epci"]).json["items"]
    assert [z["id"] for z in listed] == [zone_id]


def test_zone_as_territory(sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    headers = keys["service_etat"]
    zone_id = sqlite_client.post("/api/v1/zones", json=ZONE, headers=headers).json["id"]
    body = {
        "indicators": ["ENF_MOINS_3"],
        "zones": [zone_id],
        "territories": {"level": "commune", "codes": ZONE["communes"]},
        "periods": [2024],
        "use": "usage_final",
    }
    response = sqlite_client.post("/api/v1/extracts", json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    cells = {c["code_territoire"]: c for c in response.json["cellules"]}
    zone, parts = cells[str(zone_id)], [cells[c] for c in ZONE["communes"]]
    assert zone["niveau"] == "zone"
    if all(p["statut"] == "" for p in parts) and zone["statut"] == "":
        assert zone["valeur"] == sum(p["valeur"] for p in parts)


def test_history_screen(sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    body = {"indicator": "ENF_MOINS_3", "level": "epci", "code": "200054807", "use": "usage_final"}
    response = sqlite_client.post("/api/v1/imaje/history", json=body, headers=keys["service_etat"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    (series,) = response.json["series"]
    assert [p["periode"] for p in series["points"]] == [2019, 2020, 2021, 2022, 2023, 2024]
    assert response.json["tableau"]["note"]["sections"]


def test_comparison_screen(sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    body = {
        "indicator": "ENF_MOINS_3",
        "study": {"level": "commune", "codes": ["13005"]},
        "reference": {"level": "departement", "codes": ["13"]},
        "period": 2024,
        "use": "usage_final",
    }
    response = sqlite_client.post(
        "/api/v1/imaje/comparison", json=body, headers=keys["service_etat"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert {s["code"] for s in response.json["series"]} == {"13005", "13"}
    assert set(response.json["tableau"]) == {"etude", "reference"}


def test_history_screen_of_several_indicators_of_one_axis(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    offre = ["ASSMAT_ACTIVES", "PLACES_EAJE"]
    body = {"indicators": offre, "level": "departement", "code": "48", "use": "usage_final"}
    response = sqlite_client.post("/api/v1/imaje/history", json=body, headers=keys["service_etat"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert [s["indicateur"] for s in response.json["series"]] == offre
    assert all(len(s["points"]) == 6 for s in response.json["series"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"indicators": ["ENF_MOINS_3", "PLACES_EAJE"]}, "indicators"),  # two axes
        ({"indicator": "ALLOC", "indicators": ["ALLOC"]}, "indicator"),  # both forms
        ({}, "indicator"),  # neither
        ({"indicators": ["ALLOC"] * 7}, "indicators"),  # more than a chart shows
    ],
)
def test_history_screen_indicators_are_checked(
    sqlite_client: FlaskClient,
    keys: dict[str, dict[str, str]],
    body: dict[str, Any],
    field: str,
) -> None:
    request = {"level": "departement", "code": "48", "use": "usage_final", **body}
    response = sqlite_client.post(
        "/api/v1/imaje/history", json=request, headers=keys["service_etat"]
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
