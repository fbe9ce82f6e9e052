"""Reads stay reads: a burst of keyed calls writes the key's `last_used_at` once, not per call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from gateway.db.models import ApiKey
from gateway.services.requesters.api_keys import LAST_USED_PRECISION
from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers


@pytest.fixture
def gateway(sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(sqlite_url, tmp_path)
    yield app
    app_state(app).database.dispose()


def _last_used(app: Flask, prefix: str) -> datetime | None:
    with app_state(app).database.sessions() as session:
        stored: datetime | None = session.scalar(
            select(ApiKey.last_used_at).where(ApiKey.prefix == prefix)
        )
    return stored


def test_a_burst_of_keyed_reads_writes_last_used_once(gateway: Flask, tmp_path: Path) -> None:
    headers = demo_headers(gateway, tmp_path)["commune"]
    prefix = headers["Authorization"].split("_")[1]
    client = gateway.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = _last_used(gateway, prefix)
    assert first is not None
    writes: list[str] = []
    engine = app_state(gateway).database.engine
    listener = lambda *args: writes.append(args[2]) if "api_key" in args[2] else None  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(20)]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statuses == [200] * 20
    assert not [w for w in writes if w.lstrip().upper().startswith("UPDATE")]
    assert _last_used(gateway, prefix) == first


def test_last_used_is_written_again_once_older_than_the_precision(
    gateway: Flask, tmp_path: Path
) -> None:
    headers = demo_headers(gateway, tmp_path)["commune"]
    prefix = headers["Authorization"].split("_")[1]
    stale = datetime.now(UTC) - LAST_USED_PRECISION - timedelta(seconds=1)
    with app_state(gateway).database.transaction() as session:
        session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(last_used_at=stale))
    assert gateway.test_client().get("/api/v1/me", headers=headers).status_code == 200
    again = _last_used(gateway, prefix)
    assert again is not None
    assert again.replace(tzinfo=UTC) > stale.replace(tzinfo=UTC)
