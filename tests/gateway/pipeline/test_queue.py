"""Background extracts on PostgreSQL: queued, delivered by a worker, taken up again once.

The real queue (procrastinate on the throwaway cluster), no mock: the API defers a job per
background extract; a worker in this process, or `python -m gateway worker` in a subprocess
killed with SIGKILL in the middle of a job, delivers it; exactly one delivery is recorded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from gateway.config import REPO_ROOT
from gateway.db.models import AuditEntry, Extract, InvoiceRecord, ReleasedCell
from gateway.pipeline import queue
from gateway.services.audit.queries import verify
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.gateway.pipeline.test_locks import locks_of
from tests.support.postgres import Cluster
from tests.support.state import get_database, pipeline

pytestmark = pytest.mark.postgres

BODY = {
    "indicators": ["ENF_MOINS_6"],
    "territories": {"parent_level": "epci", "parent_code": "241300417", "level": "commune"},
    "periods": [2024],
    "breakdowns": ["age_jeune_enfant"],
    "use": "usage_final",
    "totals": True,
}
SLUG = "conseil_departemental"


@pytest.fixture
def queued_app(
    pg_cluster: Cluster, pg_template: str, tmp_path: Path, demo_store_dir: Path
) -> Iterator[tuple[Flask, str]]:
    """An app on a fresh PostgreSQL database (the queue is its runner), extracts above 5 cells
    in the background; with its database URL."""
    url = pg_cluster.copy_of(pg_template, "gateway_queue")
    app = make_app(url, tmp_path, store_dir=demo_store_dir)
    runner = pipeline(app)
    runner.limits = dataclasses.replace(runner.limits, background_above=5)
    yield app, url
    if runner.queue is not None:
        runner.queue.close()
    app_state(app).database.dispose()


def _submit(app: Flask, tmp_path: Path) -> tuple[str, dict[str, str]]:
    headers = demo_headers(app, tmp_path)[SLUG]
    response = app.test_client().post("/api/v1/extracts", json=BODY, headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rsplit("/", 1)[1], headers


def _row(app: Flask, extract_id: str) -> Extract:
    with app.app_context(), get_database().sessions() as session:
        extract = session.get(Extract, extract_id)
        assert extract is not None
        return extract


def _jobs(app: Flask) -> list[Any]:
    """Return (status, args, lock) of the queue's delivery jobs."""
    with app.app_context(), get_database().sessions() as session:
        rows = session.execute(
            text(
                f"SELECT status, args, lock FROM {queue.SCHEMA}.procrastinate_jobs"
                " WHERE task_name = :task ORDER BY id"
            ),
            {"task": queue.DELIVER_TASK},
        )
        return [tuple(row) for row in rows]


def _delivered_once(app: Flask, extract_id: str) -> None:
    """One extract delivered, one ledger write, one audit entry of its delivery, no invoice
    (the conseil départemental is free), the audit chain whole."""
    with app.app_context(), get_database().sessions() as session:
        ledger_extracts = session.scalars(select(ReleasedCell.extract_id).distinct()).all()
        deliveries = session.scalars(
            select(AuditEntry.details).where(AuditEntry.cells_delivered > 0)
        ).all()
        invoices = session.scalar(select(func.count()).select_from(InvoiceRecord))
        report = verify(session)
    assert _row(app, extract_id).status == "livre"
    assert [e for e in ledger_extracts if e == extract_id] == [extract_id]
    assert [d for d in deliveries if d.get("extrait") == extract_id] == [
        {"extrait": extract_id, "facture": None}
    ]
    assert invoices == 0
    assert report.ok, report


def test_the_runner_is_chosen_from_the_database(queued_app: tuple[Flask, str]) -> None:
    app, _url = queued_app
    assert app_state(app).settings.job_runner == "queue"
    assert pipeline(app).queue is not None
    health = app.test_client().get("/api/v1/health")
    assert health.status_code == 200, health.get_data(as_text=True)
    assert health.json["queue"] == "queue"  # the durable queue's check, not the embedded one's


def test_a_background_extract_is_queued_then_delivered_by_a_worker(
    queued_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, _url = queued_app
    extract_id, headers = _submit(app, tmp_path)
    requester = _row(app, extract_id).requester_id
    # The job carries the extract's id only; the request and the job's inputs are on its row.
    assert _jobs(app) == [("todo", {"extract_id": extract_id}, f"registre|{requester}")]
    job = _row(app, extract_id).job
    assert job is not None and job["body"] == BODY and job["key"] is None
    assert pipeline(app).jobs.futures == {}  # nothing ran in the web process
    runner = pipeline(app)
    queue.work(queue.worker_app(runner.database, runner.deliver_queued), wait=False)
    assert [status for status, *_ in _jobs(app)] == ["succeeded"]
    status = app.test_client().get(f"/api/v1/extracts/{extract_id}", headers=headers).json
    assert status["statut"] == "livre" and status["progression"] == 100
    _delivered_once(app, extract_id)


def test_a_worker_until_empty_runs_where_an_event_loop_already_runs(
    queued_app: tuple[Flask, str], tmp_path: Path
) -> None:
    """A regression: in a test session with browser tests, Playwright's event loop runs in
    the main thread, and the in-process worker's `asyncio.run` refused to start there."""
    app, _url = queued_app
    extract_id, _headers = _submit(app, tmp_path)
    runner = pipeline(app)

    async def inside_a_running_loop() -> None:
        queue.work(queue.worker_app(runner.database, runner.deliver_queued), wait=False)

    # A loop of the test's own, in a thread of its own (the session's main thread may run
    # Playwright's already), and the worker started from inside it.
    thread = threading.Thread(target=lambda: asyncio.run(inside_a_running_loop()))
    thread.start()
    thread.join(timeout=120)
    assert [status for status, *_ in _jobs(app)] == ["succeeded"]
    _delivered_once(app, extract_id)


def test_a_job_run_again_after_its_delivery_writes_nothing(
    queued_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, _url = queued_app
    extract_id, _headers = _submit(app, tmp_path)
    runner = pipeline(app)
    runner.deliver_queued(extract_id, False)
    runner.deliver_queued(extract_id, False)  # a worker died after the commit: taken up again
    _delivered_once(app, extract_id)


def _worker(app: Flask, url: str, store: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `python -m gateway worker` on the app's database, store, instance and keys."""
    settings = app_state(app).settings
    environment = {
        **os.environ,
        "GATEWAY_ENV": "test",
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_INSTANCE_DIR": str(settings.instance_dir),
        "GATEWAY_STORE_DIR": str(store),
        "GATEWAY_LEDGER_LOCK_TIMEOUT": "120",
        "GATEWAY_LOG_LEVEL": "INFO",
    }
    if getattr(settings, "audit_key", ""):  # the audit chain's key, when it has one
        environment["GATEWAY_AUDIT_KEY"] = settings.audit_key
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", "worker"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _until(condition: Any, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} : délai dépassé\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def test_a_job_whose_worker_is_killed_is_taken_up_again_and_delivered_once(
    queued_app: tuple[Flask, str], tmp_path: Path, demo_store_dir: Path
) -> None:
    app, url = queued_app
    extract_id, _headers = _submit(app, tmp_path)
    requester = _row(app, extract_id).requester_id
    with app.app_context(), get_database().sessions() as session:
        family_code = current_catalogue(session).family_code("ENF_MOINS_6")
    log = tmp_path / "travailleurs.log"
    # The partition held elsewhere: the first worker takes the job and waits in its middle.
    with locks_of(app).hold((), [(requester, family_code, 2024)], 120.0):
        first = _worker(app, url, demo_store_dir, log)
        try:
            _until(lambda: _row(app, extract_id).status == "en_cours", 60, "pris", log)
            assert [status for status, *_ in _jobs(app)] == ["doing"]
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
    assert _row(app, extract_id).status == "en_cours"  # what stayed for ever before the queue
    second = _worker(app, url, demo_store_dir, log)
    try:
        _until(lambda: _row(app, extract_id).status == "livre", 90, "repris", log)
        _until(lambda: [s for s, *_ in _jobs(app)] == ["succeeded"], 30, "terminé", log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert "repris" in log.read_text()
    _delivered_once(app, extract_id)
