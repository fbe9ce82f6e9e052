"""Subscriptions on the PostgreSQL queue: the periodic check defers one job per due delivery,
a worker delivers it once; a check run again, or a job run again, delivers nothing more."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import procrastinate
import pytest
from flask import Flask
from sqlalchemy import func, select, text

from gateway.db.connections import libpq_address
from gateway.db.models import Extract, SubscriptionDelivery
from gateway.pipeline import queue
from gateway.services import upkeep
from gateway.services.subscriptions import jobs
from gateway.services.subscriptions.runner import due_now
from gateway.services.subscriptions.service import SubscriptionFields, create_subscription
from gateway.services.subscriptions.values import Cadence
from gateway.state import AppState, app_state
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.gateway.subscriptions.conftest import CD_REQUEST, caller_of
from tests.support.postgres import Cluster

pytestmark = pytest.mark.postgres


@pytest.fixture
def queued_app(
    pg_cluster: Cluster, pg_template: str, tmp_path: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    url = pg_cluster.copy_of(pg_template, "gateway_subscriptions")
    app = make_app(url, tmp_path, store_dir=demo_store_dir)
    demo_headers(app, tmp_path)
    yield app
    app_state(app).database.dispose()


def _check(state: AppState) -> None:
    """Defer the periodic check as its schedule would, from another process's connection."""
    sender = procrastinate.App(
        connector=procrastinate.SyncPsycopgConnector(
            conninfo=libpq_address(state.database.url),
            kwargs={"options": f"-c search_path={queue.SCHEMA}"},
        )
    )
    with sender.open():
        sender.configure_task(jobs.CHECK_TASK).defer(timestamp=int(time.time()))


def _work(state: AppState) -> None:
    queue.work(upkeep.worker_app(state), wait=False)  # as `python -m gateway worker` runs


def _count(state: AppState, model: type) -> int:
    with state.database.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_periodic_check_defers_a_job_that_delivers_once(queued_app: Flask) -> None:
    state = app_state(queued_app)
    with queued_app.app_context(), state.database.transaction() as session:
        caller = caller_of(state, "conseil_departemental")
        fields = SubscriptionFields(CD_REQUEST, Cadence.VINTAGE)
        create_subscription(session, caller, fields, development=False)
    assert len(due_now(state)) == 1
    _check(state)
    _work(state)  # the check, then the delivery it deferred
    with state.database.sessions() as session:
        (delivery,) = session.scalars(select(SubscriptionDelivery)).all()
        assert delivery.status == "livre" and delivery.due == f"v:{state.store.version()}"
        extract = session.get(Extract, delivery.extract_id)
        assert extract is not None and extract.status == "livre"
    assert due_now(state) == []
    delivered = _count(state, Extract)
    _check(state)
    _work(state)  # nothing due: nothing deferred, nothing delivered
    assert _count(state, SubscriptionDelivery) == 1 and _count(state, Extract) == delivered
    with state.database.sessions() as session:
        done = session.execute(
            text(f"SELECT task_name, status FROM {queue.SCHEMA}.procrastinate_jobs ORDER BY id")
        ).all()
    # The worker's own periodic tasks ran too (the recovery; the check, on its schedule).
    ours = [tuple(row) for row in done if row[0].startswith("abonnements.")]
    assert (jobs.DELIVER_TASK, "succeeded") in ours
    assert [r for r in ours if r[0] == jobs.DELIVER_TASK] == [(jobs.DELIVER_TASK, "succeeded")]
    assert all(status == "succeeded" for _task, status in ours)
