"""The Caf a delivery names: the requester's, else the one Caf of its territories, else the Cnaf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.pipeline.conftest import demo_headers


@pytest.fixture
def keys(sqlite_app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    return demo_headers(sqlite_app, tmp_path)


def _caf(client: FlaskClient, headers: dict[str, str], territories: dict[str, Any]) -> Any:
    body = {
        "indicators": ["ALLOC"],
        "territories": territories,
        "periods": [2024],
        "use": "usage_final",
    }
    response = client.post("/api/v1/extracts", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["extrait"]["caf"]


def test_a_request_over_several_caf_by_a_national_requester_names_the_cnaf(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    caf = _caf(sqlite_client, keys["admin_national"], {"level": "france", "codes": ["FR"]})
    assert caf == {
        "code": "cnaf",
        "nom": "Caisse nationale des allocations familiales (plusieurs Caf)",
    }
    two = {"level": "departement", "codes": ["01", "13"]}
    assert _caf(sqlite_client, keys["admin_national"], two)["code"] == "cnaf"


def test_a_request_within_one_caf_names_that_caf(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    caf = _caf(sqlite_client, keys["admin_national"], {"level": "departement", "codes": ["13"]})
    assert caf["code"] == "13"
    assert "Ain" not in caf["nom"]


def test_a_requester_with_a_caf_is_named_with_its_caf_whatever_the_territories(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    caf = _caf(sqlite_client, keys["service_etat"], {"level": "france", "codes": ["FR"]})
    assert caf["code"] == "13"


def test_delivered_amounts_are_in_cents_and_counts_in_units(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    body = {
        "indicators": ["RSA_MONTANT", "ALLOC"],
        "territories": {"level": "departement", "codes": ["01", "13", "59"]},
        "periods": [2023, 2024],
        "use": "usage_final",
        "format": "csv",
    }
    headers = keys["admin_national"]
    response = sqlite_client.post(
        "/api/v1/extracts", json={**body, "format": "json"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    cells = response.get_json()["cellules"]
    amounts = [c["valeur"] for c in cells if c["indicateur"] == "RSA_MONTANT"]
    counts = [c["valeur"] for c in cells if c["indicateur"] == "ALLOC"]
    assert amounts and all(len(repr(v).partition(".")[2]) <= 2 for v in amounts), amounts
    assert counts and all(isinstance(v, int) for v in counts), counts
    text = sqlite_client.post("/api/v1/extracts", json=body, headers=headers).get_data(as_text=True)
    for line in text.splitlines()[1:]:
        value = line.split(",")[-4]
        assert len(value.partition(".")[2]) <= 2, line
