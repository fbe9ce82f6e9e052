"""Indicators API: the catalogue with filters, and each indicator's complete fiche."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

FICHE_FIELDS = (
    "objectif",
    "definition",
    "actualisation",
    "construction",
    "source",
    "interpretation",
)


def test_lists_the_whole_catalogue(sqlite_client: FlaskClient) -> None:
    body = sqlite_client.get("/api/v1/indicators").json
    assert body["total"] >= 24
    assert {item["axis"] for item in body["items"]} >= {
        "public",
        "offre",
        "usage",
        "adequation_tension",
    }


@pytest.mark.parametrize(
    ("query", "code_in", "code_out"),
    [
        ("tier=socle_commun", "ALLOC", "PLACES_EAJE"),
        ("tier=interne", "INDUS_MONTANT", "ALLOC"),
        ("source=acoss_cnt_paje", "ASSMAT_ACTIVES", "ALLOC"),
        ("axis=offre", "PLACES_EAJE", "ALLOC"),
        ("axis=adequation_tension&tier=convention", "TAUX_COUV_EAJE", "PLACES_EAJE"),
    ],
)
def test_filters(sqlite_client: FlaskClient, query: str, code_in: str, code_out: str) -> None:
    codes = {
        item["code"] for item in sqlite_client.get(f"/api/v1/indicators?{query}").json["items"]
    }
    assert code_in in codes
    assert code_out not in codes


def test_fiche_is_complete(sqlite_client: FlaskClient) -> None:
    items = sqlite_client.get("/api/v1/indicators").json["items"]
    for item in items:
        detail = sqlite_client.get(f"/api/v1/indicators/{item['code']}").json
        assert all(detail["fiche"][field].strip() for field in FICHE_FIELDS), item["code"]
        assert detail["secret"]["rules"] or detail["kind"] == "ratio"


def test_breakdowns_are_expanded(sqlite_client: FlaskClient) -> None:
    detail = sqlite_client.get("/api/v1/indicators/ENF_MOINS_6").json
    assert detail["breakdowns"] == [
        {
            "code": "age_jeune_enfant",
            "label": detail["breakdowns"][0]["label"],
            "categories": detail["breakdowns"][0]["categories"],
        }
    ]
    assert [c["code"] for c in detail["breakdowns"][0]["categories"]] == ["0_2", "3_5"]
