"""The gateway's upkeep on the PostgreSQL queue: the socle of a new store version published by
a worker (deferred once per version by `import`), the nightly expiry of conventions."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from gateway.db.models import ConventionRecord
from gateway.pipeline import queue
from gateway.pipeline.socle import publication_id
from gateway.services import upkeep
from gateway.state import AppState, app_state
from gateway.store.layout import MANIFEST, POINTER, current_version_dir
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.postgres import Cluster

pytestmark = pytest.mark.postgres

NEW_VERSION = "20991231T000000000000Z-essai"


def _store_with_a_new_version(demo_store_dir: Path, root: Path) -> Path:
    """A copy of the demonstration store whose current version is a new one (same cells,
    hard-linked; its manifest rewritten under the new name)."""
    source = current_version_dir(demo_store_dir)
    assert source is not None
    target = root / "versions" / NEW_VERSION
    shutil.copytree(source, target, copy_function=os.link)
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    manifest["version"] = NEW_VERSION
    (target / MANIFEST).unlink()  # hard-linked to the demonstration store's own
    (target / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (root / POINTER).symlink_to(Path("versions") / NEW_VERSION)
    return root


@pytest.fixture
def upkeep_app(
    pg_cluster: Cluster, pg_template: str, tmp_path: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    url = pg_cluster.copy_of(pg_template, "gateway_entretien")
    store = _store_with_a_new_version(demo_store_dir, tmp_path / "entrepot")
    app = make_app(url, tmp_path, store_dir=store)
    yield app
    app_state(app).close()


def _publication(state: AppState, version: str) -> str | None:
    with state.database.sessions() as session:
        return publication_id(session, version)


def _jobs(state: AppState, task: str) -> list[str]:
    with state.database.sessions() as session:
        rows = session.execute(
            text(f"SELECT status FROM {queue.SCHEMA}.procrastinate_jobs WHERE task_name = :t"),
            {"t": task},
        )
        return [str(status) for (status,) in rows]


def test_a_new_versions_socle_is_published_by_a_worker_once(upkeep_app: Flask) -> None:
    state = app_state(upkeep_app)
    assert state.store.version() == NEW_VERSION
    assert _publication(state, NEW_VERSION) is None  # the template published another version
    assert upkeep.defer_socle_publication(state, NEW_VERSION)
    assert upkeep.defer_socle_publication(state, NEW_VERSION)  # a second import's: the same job
    assert _jobs(state, upkeep.PUBLISH_SOCLE_TASK) == ["todo"]
    queue.work(upkeep.worker_app(state), wait=False)
    assert _jobs(state, upkeep.PUBLISH_SOCLE_TASK) == ["succeeded"]
    published = _publication(state, NEW_VERSION)
    assert published is not None
    # A job for a superseded version publishes nothing (the pipeline publishes the current
    # one before its first extract); for a version this host does not serve yet, it waits.
    assert upkeep.publish_socle_of(state, "20000101T000000000000Z-ancienne") is None
    with pytest.raises(upkeep.NotYetServed):
        upkeep.publish_socle_of(state, "21000101T000000000000Z-a-venir")
    assert _publication(state, NEW_VERSION) == published


def test_the_worker_expires_the_conventions_past_their_end(
    upkeep_app: Flask, tmp_path: Path
) -> None:
    state = app_state(upkeep_app)
    demo_headers(upkeep_app, tmp_path)  # the demonstration requesters and their conventions
    with state.database.transaction() as session:
        record = session.query(ConventionRecord).filter_by(status="active").first()
        assert record is not None
        record.start, record.end = date(2020, 1, 1), date(2020, 12, 31)
        convention_id = record.id
    assert len(upkeep.expire_conventions(state)) == 1
    assert upkeep.expire_conventions(state) == []  # recorded once
    with state.database.sessions() as session:
        expired = session.get(ConventionRecord, convention_id)
        assert expired is not None and expired.status == "expiree"
    names = set(upkeep.worker_app(state).tasks)
    assert {upkeep.EXPIRE_TASK, upkeep.PUBLISH_SOCLE_TASK, queue.DELIVER_TASK} <= names
