"""Limits: too fine, too big, quotas, rate limit; large extracts as background jobs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from gateway.db.models import ConventionRecord
from gateway.pipeline import run
from gateway.pipeline.limits import ExtractLimits, too_fine
from policies.domain import GeoLevel
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.state import get_database, pipeline

COMMUNES_48 = {
    "indicators": ["ENF_MOINS_3"],
    "territories": {"parent_level": "departement", "parent_code": "48", "level": "commune"},
    "periods": [2024],
    "use": "usage_final",
}
REGION_93 = {**COMMUNES_48, "territories": {"level": "region", "codes": ["93"]}}


def _limit(app: Flask, monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    with app.app_context():
        runner = pipeline(app)
    monkeypatch.setattr(runner, "limits", dataclasses.replace(runner.limits, **changes))


def test_too_fine_is_refused_with_a_coarser_level(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _limit(sqlite_app, monkeypatch, max_suppressed_share=0.01)
    response = sqlite_app.test_client().post(
        "/api/v1/extracts", json=COMMUNES_48, headers=keys["service_etat"]
    )
    assert response.status_code == 422
    assert response.json["code"] == "refus_secret_statistique"
    (reason,) = response.json["reasons"]
    assert reason["regle"] == "secret.trop_fin" and "epci" in reason["solution"]
    assert "plus de 1%" in response.json["detail"]  # the rule (part_masquee_maximale) only


def test_too_fine_refusal_states_no_share() -> None:
    """The share masked of a table never delivered is a probe of the data: never said."""
    limits = ExtractLimits(max_cells={}, background_above=1, max_suppressed_share=0.5)
    refusals = [too_fine(secret, 12, {GeoLevel.COMMUNE}, limits) for secret in (7, 11, 12)]
    said = [(r.detail, r.reasons) if r is not None else None for r in refusals]
    assert said[0] is not None and said == [said[0]] * 3


def test_too_fine_refusals_of_different_tables_are_identical(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _limit(sqlite_app, monkeypatch, max_suppressed_share=0.01)
    shares: list[float] = []

    def measured(secret: int, cells: int, *rest: Any) -> Any:
        shares.append(secret / cells)
        return too_fine(secret, cells, *rest)

    monkeypatch.setattr(run, "too_fine", measured)
    client, documents = sqlite_app.test_client(), []
    for departement in ("48", "84"):
        within = {**COMMUNES_48["territories"], "parent_code": departement}
        body = {**COMMUNES_48, "territories": within}
        response = client.post("/api/v1/extracts", json=body, headers=keys["service_etat"])
        assert response.status_code == 422
        documents.append(response.data.replace(response.json["request_id"].encode(), b""))
    assert shares[0] != shares[1]  # two tables masked in different shares...
    assert documents[0] == documents[1]  # ...refused in the same words, byte for byte


def test_too_many_cells(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from policies.domain import RequesterType

    with sqlite_app.app_context():
        limits = pipeline(sqlite_app).limits
    _limit(sqlite_app, monkeypatch, max_cells={**limits.max_cells, RequesterType.SERVICE_ETAT: 10})
    response = sqlite_app.test_client().post(
        "/api/v1/extracts", json=COMMUNES_48, headers=keys["service_etat"]
    )
    assert response.status_code == 422
    assert "au plus" in response.json["errors"]["territories"][0]


@pytest.mark.parametrize("idempotency", [{}, {"Idempotency-Key": "tableau-48"}])
def test_large_extract_runs_in_background(
    sqlite_app: Flask,
    keys: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    idempotency: dict[str, str],
) -> None:
    """Regression (with a key): the job took its own pending extract, remembered under the
    key, for one already delivered, and stayed "en_attente" at 0 % for good."""
    _limit(sqlite_app, monkeypatch, background_above=5)
    client, headers = sqlite_app.test_client(), {**keys["service_etat"], **idempotency}
    accepted = client.post("/api/v1/extracts", json=COMMUNES_48, headers=headers)
    assert accepted.status_code == 202
    job = accepted.headers["Location"]
    assert accepted.json["statut"] in ("en_attente", "en_cours", "livre")
    with sqlite_app.app_context():
        pipeline(sqlite_app).jobs.wait_all(timeout=60)
    status = client.get(job, headers=headers).json
    assert (status["statut"], status["progression"]) == ("livre", 100)
    csv = client.get(status["liens"]["csv"], headers=headers)
    assert csv.status_code == 200 and csv.data.count(b"\n") == status["cellules"] + 1
    csv.close()  # kept by the job, sent from its file: the test client leaves it open


def test_monthly_quota(sqlite_app: Flask, keys: dict[str, dict[str, str]]) -> None:
    headers = keys["organisme_mission_publique"]
    with sqlite_app.app_context(), get_database().transaction() as session:
        session.execute(update(ConventionRecord).values(extracts_per_month=1))
    client = sqlite_app.test_client()
    assert client.post("/api/v1/extracts", json=REGION_93, headers=headers).status_code == 200
    again = client.post("/api/v1/extracts", json=REGION_93, headers=headers)
    assert again.status_code == 200  # the same request is served again, not counted twice
    other = client.post("/api/v1/extracts", json={**REGION_93, "periods": [2023]}, headers=headers)
    assert other.status_code == 429 and other.json["code"] == "quota_depasse"


def test_rate_limit_per_key(sqlite_url: str, tmp_path: Path, demo_store_dir: Path) -> None:
    app = make_app(sqlite_url, tmp_path, store_dir=demo_store_dir, rate_limit="3/minute")
    headers = demo_headers(app, tmp_path)["commune"]
    client = app.test_client()
    statuses = [client.get("/api/v1/zones", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/zones", headers=headers)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json["code"] == "trop_de_requetes"


def test_background_job_is_private(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    response = sqlite_client.post("/api/v1/extracts", json=REGION_93, headers=keys["service_etat"])
    extract_id = response.headers["X-Extrait"]
    other = sqlite_client.get(f"/api/v1/extracts/{extract_id}", headers=keys["commune"])
    assert other.status_code == 404
