"""Concurrent deliveries that share what they read are protected in turn, each against the other."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from gateway.api.extracts.schemas import ExtractRequestSchema
from gateway.db.models import AuditEntry, Extract, InvoiceRecord, ReleasedCell, Requester
from gateway.pipeline.request import parse_description
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from tests.conftest import _fresh_postgres, _fresh_sqlite, make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.gateway.pipeline.test_locks import locks_of
from tests.support.state import finish_jobs, get_database, pipeline

INDICATOR, OTHER_INDICATOR, PERIOD = "ENF_MOINS_6", "PLACES_EAJE", 2024
EPCI_13 = ("241300417", "241300375", "200035087")  # the EPCI wholly inside the Bouches-du-Rhône
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def _body(territories: dict[str, Any], totals: bool, indicator: str = INDICATOR) -> dict[str, Any]:
    return {
        "indicators": [indicator],
        "territories": territories,
        "periods": [PERIOD],
        "breakdowns": ["age_jeune_enfant"] if indicator == INDICATOR else [],
        "use": "usage_final",
        "totals": totals,
    }


def _communes_of(epci: str) -> dict[str, str]:
    return {"parent_level": "epci", "parent_code": epci, "level": "commune"}


#: Overlapping territory sets of one indicator and period: EPCI totals, their communes with
#: and without totals, sets of communes straddling two EPCI.
BODIES = [
    _body({"level": "epci", "codes": list(EPCI_13)}, True),
    *(_body(_communes_of(epci), totals) for epci in EPCI_13 for totals in (False, True)),
    _body({"level": "epci", "codes": list(EPCI_13[:2])}, True),
    _body({"level": "epci", "codes": [EPCI_13[2]]}, False),
    _body({"level": "commune", "codes": ["13004", "13017", "13061", "13006", "13011"]}, True),
    _body({"level": "commune", "codes": ["13096", "13097", "13108"]}, True),
    _body({"level": "commune", "codes": ["13010", "13018", "13027", "13036"]}, False),
    _body({"level": "commune", "codes": ["13010", "13018", "13027", "13036", "13045"]}, True),
]
#: 32 requests of one requester on one partition; some bodies come three times at once.
REQUESTS = [BODIES[i % len(BODIES)] for i in range(32)]


def _fingerprint(body: dict[str, Any]) -> str:
    return parse_description(ExtractRequestSchema().load(body), {}).fingerprint()


def _post(app: Flask, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return app.test_client().post("/api/v1/extracts", json=body, headers=headers)


def _warm_up(app: Flask, keys: dict[str, dict[str, str]]) -> None:
    """Deliver once to another requester, so that one-off first-use work is done."""
    response = _post(app, keys["service_etat"], BODIES[0])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def _post_all(app: Flask, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    """Post every body at once, one thread each, released together."""
    start = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> Any:
        client = app.test_client()
        start.wait()
        return client.post("/api/v1/extracts", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _requester_id(app: Flask, kind: str) -> int:
    with app.app_context(), get_database().sessions() as session:
        return int(session.scalar(select(Requester.id).where(Requester.type == kind)))


def _protections(app: Flask, requester_id: int) -> list[str]:
    """Return the fingerprints of the requester's protections, in the order they ran.

    Every protection appends its audit entry (delivery or refusal) while holding its locks,
    so the audit log orders them as they ran; served-from-cache reads are not protections.
    """
    with app.app_context(), get_database().sessions() as session:
        rows = session.scalars(
            select(AuditEntry.fingerprint)
            .where(AuditEntry.requester_id == requester_id)
            .where(AuditEntry.action == "extract_create")
            .order_by(AuditEntry.id)
        )
        return list(rows)


def _outcome(response: Any) -> Any:
    """What a response tells: its cells, or its refusal's code."""
    if response.status_code == 200:
        return response.json["cellules"]
    return (response.status_code, response.json["code"])


def _twin_app(request: pytest.FixtureRequest, app: Flask, tmp_path: Path, store: Path) -> Flask:
    """A second, fresh instance on the same backend as `app`."""
    folder = tmp_path / "twin"
    folder.mkdir()
    if app_state(app).database.url.startswith("sqlite"):
        url = _fresh_sqlite(request, folder)
    else:
        url = _fresh_postgres(request)
    return make_app(url, folder, store_dir=store)


def test_concurrent_deliveries_equal_the_sequence_they_ran_in(
    app: Flask,
    both_keys: dict[str, dict[str, str]],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    demo_store_dir: Path,
) -> None:
    _warm_up(app, both_keys)
    concurrent = _post_all(app, both_keys["conseil_departemental"], REQUESTS)
    unexpected = [r.get_data(as_text=True)[:300] for r in concurrent if r.status_code != 200]
    assert all("refus_secret_statistique" in u for u in unexpected), unexpected
    # The same request asked three times at once is one extract: one mask, one set of rows.
    extracts: dict[str, set[str]] = {}
    for body, response in zip(REQUESTS, concurrent, strict=True):
        if response.status_code == 200:
            extracts.setdefault(_fingerprint(body), set()).add(response.headers["X-Extrait"])
    assert all(len(ids) == 1 for ids in extracts.values()), extracts
    order = _protections(app, _requester_id(app, "conseil_departemental"))
    assert sorted(set(order)) == sorted({_fingerprint(b) for b in REQUESTS})

    # Replayed one at a time, in the order they ran, on a fresh instance: the same answers.
    twin = _twin_app(request, app, tmp_path, demo_store_dir)
    try:
        keys = demo_headers(twin, tmp_path / "twin")
        _warm_up(twin, keys)
        by_fingerprint = {_fingerprint(b): b for b in BODIES}
        # A copy refused on the ledger of its turn runs again on the next one: every
        # protection is replayed, refusals included (they are audited under the locks too).
        replayed: dict[str, list[Any]] = {}
        for fingerprint in order:
            response = _post(twin, keys["conseil_departemental"], by_fingerprint[fingerprint])
            replayed.setdefault(fingerprint, []).append(_outcome(response))
    finally:
        app_state(twin).database.dispose()
    for body, response in zip(REQUESTS, concurrent, strict=True):
        assert _outcome(response) in replayed[_fingerprint(body)], body
    with app.app_context(), get_database().sessions() as session:
        delivered = set(session.scalars(select(ReleasedCell.extract_id).distinct()))
    assert set().union(*extracts.values()) <= delivered
    secret = sum(
        c["statut"] == "s" for r in concurrent if r.status_code == 200 for c in _outcome(r)
    )
    assert secret > 0  # the requests do constrain each other


def _family(app: Flask, code: str) -> str:
    with app.app_context(), get_database().sessions() as session:
        return current_catalogue(session).family_code(code)


def _timeout(app: Flask, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    with app.app_context():
        runner = pipeline(app)
    settings = dataclasses.replace(runner.settings, ledger_lock_timeout=seconds)
    monkeypatch.setattr(runner, "settings", settings)


def test_a_held_partition_blocks_only_itself(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _warm_up(app, both_keys)
    _timeout(app, monkeypatch, 2.0)  # a blocked request answers 503 in 2 s instead of hanging
    family = _family(app, INDICATOR)
    assert _family(app, OTHER_INDICATOR) != family
    department = both_keys["conseil_departemental"]
    held = (_requester_id(app, "conseil_departemental"), family, PERIOD)
    other_family = _body(_communes_of(EPCI_13[0]), True, OTHER_INDICATOR)
    with locks_of(app).hold((), [held], 1.0):
        assert _post(app, department, other_family).status_code == 200
        assert _post(app, both_keys["service_etat"], BODIES[2]).status_code == 200
        blocked = _post(app, department, BODIES[2])
    assert (blocked.status_code, blocked.json["code"]) == (503, "verrou_occupe")
    assert _post(app, department, BODIES[2]).status_code == 200  # released with the block


def test_a_shared_public_partition_lets_requesters_through(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _warm_up(app, both_keys)
    _timeout(app, monkeypatch, 2.0)
    public = (None, _family(app, INDICATOR), PERIOD)
    with locks_of(app).hold([public], (), 1.0):  # what every requester reads, read here too
        response = _post(app, both_keys["conseil_departemental"], BODIES[1])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_identical_background_jobs_share_one_extract(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        runner = pipeline(app)
    monkeypatch.setattr(runner, "limits", dataclasses.replace(runner.limits, background_above=5))
    headers, client = both_keys["conseil_departemental"], app.test_client()
    held = (_requester_id(app, "conseil_departemental"), _family(app, INDICATOR), PERIOD)
    with locks_of(app).hold((), [held], 1.0):  # both accepted before either is protected
        jobs = [client.post("/api/v1/extracts", json=BODIES[2], headers=headers) for _ in "ab"]
    assert [job.status_code for job in jobs] == [202, 202]
    finish_jobs(app)  # on PostgreSQL, a worker of the queue
    statuses = [client.get(job.headers["Location"], headers=headers).json for job in jobs]
    assert [s["statut"] for s in statuses] == ["livre", "livre"]
    files = [client.get(s["liens"]["json"], headers=headers) for s in statuses]
    cells = [file.json["cellules"] for file in files]
    for file in files:
        file.close()  # kept by the job, sent from its file: the test client leaves it open
    assert cells[0] == cells[1]
    ids = {job.headers["Location"].rsplit("/", 1)[1] for job in jobs}
    with app.app_context(), get_database().sessions() as session:
        recorded = set(session.scalars(select(ReleasedCell.extract_id).distinct())) & ids
    assert len(recorded) == 1  # one protection, one set of ledger rows


def _counts(app: Flask) -> tuple[int, ...]:
    with app.app_context(), get_database().sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Extract, ReleasedCell, AuditEntry, InvoiceRecord)
        )


AUBAGNE = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}


def test_lock_timeout_is_a_503_problem_and_writes_nothing(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = both_keys["commune"]  # a priced extract: an order to invoice on delivery
    quote = _post(app, headers, AUBAGNE).json["devis"]
    assert app.test_client().post(quote["accepter"], headers=headers).status_code in (200, 201)
    _timeout(app, monkeypatch, 0.5)
    before = _counts(app)
    held = (_requester_id(app, "commune"), _family(app, "PLACES_EAJE"), 2024)
    with locks_of(app).hold((), [held], 1.0):
        started = time.monotonic()
        response = _post(app, headers, AUBAGNE)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert PROBLEM_KEYS <= set(response.json)
    assert response.json["code"] == "verrou_occupe"
    assert response.json["type"].endswith("verrou_occupe")
    assert "Réessayez dans quelques secondes" in response.json["detail"]
    assert int(response.headers["Retry-After"]) > 0
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert "503" in spec["paths"]["/api/v1/extracts"]["post"]["responses"]
    assert 0.5 <= waited < 10
    assert _counts(app) == before  # no extract, ledger, audit or invoice row
    retried = _post(app, headers, AUBAGNE)
    assert retried.status_code == 200, retried.get_data(as_text=True)[:300]
    extracts, ledger, audit, invoices = _counts(app)
    assert (extracts, invoices, audit) == (before[0] + 1, before[3] + 1, before[2] + 1)
    assert ledger > before[1]
