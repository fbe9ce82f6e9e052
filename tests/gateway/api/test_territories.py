"""Territories API: the full geography, filters, pagination, parents and children."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("query", "expected_total"),
    [
        ("level=departement", 101),
        ("level=region", 18),
        ("level=france", 1),
        ("level=commune&parent_level=departement&parent_code=13", 119),
        ("level=departement&parent_level=region&parent_code=93", 6),
        # Marseille, Marseillette, Marseilles-lès-Aubigny, Marseille-en-Beauvaisis
        ("level=commune&q=marseille", 4),
        # accents and case folded: Évry, Évry-Courcouronnes, Évry-Grégy-sur-Yerre, Chevry...
        ("level=commune&q=EVRY", 9),
        ("level=commune&q=evry courcouronnes", 1),
    ],
)
def test_filters(client: FlaskClient, query: str, expected_total: int) -> None:
    response = client.get(f"/api/v1/territories?{query}")
    assert response.status_code == 200
    assert response.json["total"] == expected_total


def test_commune_count_and_pagination(client: FlaskClient) -> None:
    first = client.get("/api/v1/territories?level=commune&per_page=500").json
    assert 34_800 < first["total"] < 35_000
    assert first["pages"] == -(-first["total"] // 500)
    last = client.get(f"/api/v1/territories?level=commune&per_page=500&page={first['pages']}").json
    assert len(last["items"]) == first["total"] - 500 * (first["pages"] - 1)
    assert first["items"][0]["code"] < last["items"][-1]["code"]


def test_commune_detail_has_both_hierarchies(client: FlaskClient) -> None:
    body = client.get("/api/v1/territories/commune/13055").json
    assert body["name"] == "Marseille" and body["population"] > 800_000
    parents = {(p["level"], p["code"]) for p in body["parents"]}
    assert parents == {("departement", "13"), ("epci", "200054807")}


def test_epci_straddling_departements(client: FlaskClient) -> None:
    """An EPCI is linked to every département it touches: the hierarchies are not nested."""
    body = client.get("/api/v1/territories?level=epci&per_page=500").json
    straddling = 0
    for page in range(1, body["pages"] + 1):
        items = client.get(f"/api/v1/territories?level=epci&per_page=500&page={page}").json["items"]
        straddling += sum(1 for item in items if item["code"] == "200054807")
    detail = client.get("/api/v1/territories/epci/200054807").json
    assert straddling == 1
    assert {p["code"] for p in detail["parents"]} >= {"13"}
    assert len(detail["children"]) >= 90


def test_france_and_region_children(client: FlaskClient) -> None:
    france = client.get("/api/v1/territories/france/FR").json
    assert len(france["children"]) == 18 and france["parents"] == []
    region = client.get("/api/v1/territories/region/93").json
    assert {c["code"] for c in region["children"]} == {"04", "05", "06", "13", "83", "84"}
