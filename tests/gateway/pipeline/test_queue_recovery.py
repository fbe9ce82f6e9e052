"""The durable queue's other ways back: a transient failure retried, an extract whose job was
never queued re-queued by the recovery task, and the queue's pool closed with the app.

The real queue (procrastinate on the throwaway cluster), a worker in this process until no job
is left (tests/gateway/pipeline/test_queue.py has the rest, and a worker killed mid-job).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import procrastinate
import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from gateway import gunicorn_conf
from gateway.db.connections import libpq_address
from gateway.db.models import Extract
from gateway.pipeline import queue
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.pipeline.test_locks import locks_of
from tests.gateway.pipeline.test_queue import _delivered_once, _jobs, _row, _submit
from tests.support.postgres import Cluster
from tests.support.state import get_database, pipeline

pytestmark = pytest.mark.postgres

LOCK_SECONDS = 1.0  # a delivery waits this long for a busy ledger partition, then fails


@pytest.fixture
def impatient_app(
    pg_cluster: Cluster, pg_template: str, tmp_path: Path, demo_store_dir: Path
) -> Iterator[tuple[Flask, str]]:
    """An app on a fresh PostgreSQL database, extracts above 5 cells queued, a busy ledger
    partition given up after LOCK_SECONDS; with its database's name."""
    url = pg_cluster.copy_of(pg_template, "gateway_reprise")
    app = make_app(
        url,
        tmp_path,
        store_dir=demo_store_dir,
        ledger_lock_timeout=LOCK_SECONDS,
    )
    runner = pipeline(app)
    runner.limits = dataclasses.replace(runner.limits, background_above=5)
    yield app, url.rsplit("/", 1)[1]
    app_state(app).close()


def _work(app: Flask) -> None:
    """Run a worker of the app's queue in this process until no job is ready."""
    runner = pipeline(app)
    queue.work(queue.worker_app(runner.database, runner.deliver_queued), wait=False)


def _attempts(app: Flask) -> list[tuple[str, int]]:
    with app.app_context(), get_database().sessions() as session:
        rows = session.execute(
            text(
                f"SELECT status, attempts FROM {queue.SCHEMA}.procrastinate_jobs"
                " WHERE task_name = :task ORDER BY id"
            ),
            {"task": queue.DELIVER_TASK},
        )
        return [(str(status), int(attempts)) for status, attempts in rows]


def test_a_transient_failure_is_retried_and_the_extract_delivered_once(
    impatient_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, _name = impatient_app
    extract_id, _headers = _submit(app, tmp_path)
    requester = _row(app, extract_id).requester_id
    with app.app_context(), get_database().sessions() as session:
        family = current_catalogue(session).family_code("ENF_MOINS_6")
    # Another delivery holds the partition: the job gives up after LOCK_SECONDS (LedgerBusy,
    # transient) and is put back in the queue for later, not recorded as failed.
    with locks_of(app).hold((), [(requester, family, 2024)], 60.0):
        _work(app)
    assert _attempts(app) == [("todo", 1)]
    assert _row(app, extract_id).status in ("en_attente", "en_cours")
    deadline = time.monotonic() + 60
    while _attempts(app)[0][0] != "succeeded":  # its retry waits out the backoff (2 s)
        assert time.monotonic() < deadline, _attempts(app)
        time.sleep(0.5)
        _work(app)
    assert _attempts(app) == [("succeeded", 2)]
    _delivered_once(app, extract_id)


def _recovery_job(database_url: str) -> None:
    """Queue the periodic recovery task now (its schedule would, within 5 s)."""
    connector = procrastinate.SyncPsycopgConnector(
        conninfo=libpq_address(database_url),
        kwargs={"options": f"-c search_path={queue.SCHEMA}"},
    )
    deferrer = procrastinate.App(connector=connector)
    with deferrer.open():
        task = deferrer.configure_task(queue.RECOVER_TASK, queueing_lock=queue.RECOVER_TASK)
        task.defer(timestamp=int(time.time()))


def test_an_extract_claimed_without_its_job_is_queued_again_and_delivered_once(
    impatient_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, _name = impatient_app
    extract_id, _headers = _submit(app, tmp_path)
    # Its node died between the claim and the job: the extract is in flight, no job will
    # deliver it. Older than ORPHAN_AFTER, the recovery task queues it again.
    long_ago = datetime.now(UTC) - queue.ORPHAN_AFTER * 2
    with app.app_context(), get_database().transaction() as session:
        # procrastinate's triggers name its tables without their schema
        session.execute(text(f"SET LOCAL search_path TO {queue.SCHEMA}, public"))
        session.execute(text("DELETE FROM procrastinate_jobs"))
        extract = session.get(Extract, extract_id)
        assert extract is not None
        extract.created_at = long_ago
    assert queue.orphans(app_state(app).database) == [
        (extract_id, f"registre|{_requester(app, extract_id)}")
    ]
    _recovery_job(app_state(app).database.url)
    deadline = time.monotonic() + 60
    while _row(app, extract_id).status != "livre":
        assert time.monotonic() < deadline, _jobs(app)
        _work(app)
    assert queue.orphans(app_state(app).database) == []
    assert [status for status, *_ in _jobs(app)] == ["succeeded"]
    _delivered_once(app, extract_id)


def _requester(app: Flask, extract_id: str) -> int:
    requester = _row(app, extract_id).requester_id
    assert requester is not None
    return requester


def _connections(pg_cluster: Cluster, name: str) -> int:
    admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(found)


def test_a_stopping_gunicorn_worker_closes_the_queue_pool_and_the_database(
    impatient_app: tuple[Flask, str], tmp_path: Path, pg_cluster: Cluster
) -> None:
    """A regression: the queue's pool, opened by the first job a node deferred, stayed open
    (connections and threads) until the interpreter's exit; nothing closed it."""
    app, name = impatient_app
    _submit(app, tmp_path)  # the first job deferred: the queue's pool opens
    assert _connections(pg_cluster, name) > 0
    gunicorn_conf.worker_exit(None, SimpleNamespace(wsgi=app))  # gunicorn's hook, as it calls it
    assert _connections(pg_cluster, name) == 0
