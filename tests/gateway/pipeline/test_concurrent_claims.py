"""Identical requests share one extract; an Idempotency-Key names one extract (issue 11)."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from gateway.db.models import ConventionRecord, Extract, ReleasedCell, Requester
from tests.gateway.pipeline.test_locks import locks_of
from tests.support.state import finish_jobs, get_database, pipeline

SLUG = "conseil_departemental"
BODY = {
    "indicators": ["ENF_MOINS_6"],
    "territories": {"parent_level": "epci", "parent_code": "241300417", "level": "commune"},
    "periods": [2024],
    "breakdowns": ["age_jeune_enfant"],
    "use": "usage_final",
    "totals": True,
}


def _requester(app: Flask) -> int:
    with app.app_context(), get_database().sessions() as session:
        return int(session.scalar(select(Requester.id).where(Requester.type == SLUG)))


def _extracts(app: Flask, requester_id: int) -> tuple[int, int]:
    """Return (extracts, extracts with ledger rows) of a requester."""
    with app.app_context(), get_database().sessions() as session:
        extracts = session.scalar(
            select(func.count()).select_from(Extract).where(Extract.requester_id == requester_id)
        )
        recorded = session.scalar(
            select(func.count(func.distinct(ReleasedCell.extract_id))).where(
                ReleasedCell.audience == requester_id
            )
        )
    return int(extracts or 0), int(recorded or 0)


def test_identical_background_requests_in_flight_are_one_job(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        runner = pipeline(app)
    monkeypatch.setattr(runner, "limits", dataclasses.replace(runner.limits, background_above=5))
    requester, headers = _requester(app), both_keys[SLUG]
    start = threading.Barrier(8)

    def post(_: int) -> Any:
        client = app.test_client()
        start.wait()
        return client.post("/api/v1/extracts", json=BODY, headers=headers)

    held = (requester, "ENF_MOINS_6", 2024)
    with locks_of(app).hold((), [held], 30.0), ThreadPoolExecutor(max_workers=8) as pool:
        jobs = list(pool.map(post, range(8)))  # accepted while none can be protected
    assert [job.status_code for job in jobs] == [202] * 8
    assert len({job.headers["Location"] for job in jobs}) == 1
    finish_jobs(app)  # on PostgreSQL, a worker of the queue
    status = app.test_client().get(jobs[0].headers["Location"], headers=headers).json
    assert status["statut"] == "livre"
    assert _extracts(app, requester) == (1, 1)


def test_an_idempotency_key_names_one_extract(
    app: Flask, both_keys: dict[str, dict[str, str]]
) -> None:
    requester, client = _requester(app), app.test_client()
    headers = {**both_keys[SLUG], "Idempotency-Key": "demande-1"}
    first = client.post("/api/v1/extracts", json=BODY, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)[:300]
    # The output format is not part of the request: the key gives the same extract as CSV.
    again = client.post("/api/v1/extracts", json={**BODY, "format": "csv"}, headers=headers)
    assert again.status_code == 200
    assert again.headers["X-Extrait"] == first.headers["X-Extrait"]
    other = client.post("/api/v1/extracts", json={**BODY, "periods": [2023]}, headers=headers)
    assert other.status_code == 422
    assert other.mimetype == "application/problem+json"
    assert other.json["code"] == "cle_idempotence_reutilisee"
    assert _extracts(app, requester) == (1, 1)
    # Keys belong to their requester: another one may use the same key for its own request.
    theirs = {**both_keys["service_etat"], "Idempotency-Key": "demande-1"}
    assert client.post("/api/v1/extracts", json=BODY, headers=theirs).status_code == 200


def _late_first_look(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    """Make the next request's first cache look miss, as when its twin commits just after."""
    with app.app_context():
        runner = pipeline(app)
    cached, calls = runner._cached, []

    def late(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return None if len(calls) == 1 else cached(*args, **kwargs)

    monkeypatch.setattr(runner, "_cached", late)


AUBAGNE = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}


def test_a_twin_of_a_delivered_order_gets_its_extract_not_a_new_quote(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    headers, client = both_keys["commune"], app.test_client()
    quote = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers).json["devis"]
    assert client.post(quote["accepter"], headers=headers).status_code in (200, 201)
    first = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert first.status_code == 200
    _late_first_look(monkeypatch, app)
    twin = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert twin.status_code == 200, twin.get_data(as_text=True)[:300]
    assert twin.headers["X-Extrait"] == first.headers["X-Extrait"]
    quotes = client.get("/api/v1/me/quotes", headers=headers).json
    assert quotes["total"] == 1  # no second quote for what was already bought


def test_a_twin_of_the_last_extract_of_the_quota_gets_it(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    slug, client = "organisme_mission_publique", app.test_client()
    with app.app_context(), get_database().transaction() as session:
        requester = session.scalar(select(Requester).where(Requester.type == slug))
        assert requester is not None
        session.execute(
            update(ConventionRecord)
            .where(ConventionRecord.requester_id == requester.id)
            .values(extracts_per_month=1)
        )
    body = {**BODY, "breakdowns": []}
    first = client.post("/api/v1/extracts", json=body, headers=both_keys[slug])
    assert first.status_code == 200, first.get_data(as_text=True)[:300]
    _late_first_look(monkeypatch, app)
    twin = client.post("/api/v1/extracts", json=body, headers=both_keys[slug])
    assert twin.status_code == 200, twin.get_data(as_text=True)[:300]
    assert twin.headers["X-Extrait"] == first.headers["X-Extrait"]
    other = {**body, "periods": [2023]}
    refused = client.post("/api/v1/extracts", json=other, headers=both_keys[slug])
    assert refused.status_code == 429  # the quota itself still holds
