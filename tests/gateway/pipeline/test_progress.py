"""A background extract's progress: written as the engine goes, throttled, read while it runs."""

from __future__ import annotations

import dataclasses
import time

import pytest
from flask import Flask

from gateway.db import Database
from gateway.pipeline import background, progress
from gateway.pipeline.progress import Throttled
from tests.support.state import pipeline

ONE_TABLE = {  # one related set, one period: one table, whose protection has stages
    "indicators": ["ENF_MOINS_3"],
    "territories": {"parent_level": "departement", "parent_code": "48", "level": "commune"},
    "periods": [2024],
    "use": "usage_final",
}


def test_throttled_writes_a_growing_percentage_at_most_once_an_interval() -> None:
    now, written = [0.0], []
    throttled = Throttled(written.append, interval=1.0, clock=lambda: now[0])
    heard = [(0.0, 5), (0.4, 20), (0.9, 30), (1.0, 40), (1.6, 38), (2.5, 39), (2.6, 60)]
    for at, percent in [*heard, (2.7, 70), (4.0, 100)]:
        now[0] = at
        throttled(percent)
    # 20, 30: too soon; 38, 39: smaller than shown; 70: too soon; 100 is the commit's to write.
    assert written == [5, 40, 60, 99]


def test_a_table_shows_several_growing_values_before_its_delivery(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a background extract of one table showed 0 % until it jumped to 100 %
    (the only progress was per table); its engine's stages now show as they end."""
    with sqlite_app.app_context():
        runner = pipeline(sqlite_app)
    monkeypatch.setattr(runner, "limits", dataclasses.replace(runner.limits, background_above=5))
    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # a small table: every change written
    written: list[int] = []
    write = background.progress

    def slowly(database: Database, extract_id: str, percent: int) -> None:
        write(database, extract_id, percent)
        written.append(percent)
        time.sleep(0.2)  # the table is small: leave the reader time to see each value

    monkeypatch.setattr(background, "progress", slowly)
    client, headers = sqlite_app.test_client(), keys["service_etat"]
    accepted = client.post("/api/v1/extracts", json=ONE_TABLE, headers=headers)
    assert accepted.status_code == 202
    seen, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(accepted.headers["Location"], headers=headers).json
        if status["statut"] in ("livre", "echec"):
            break
        if status["statut"] == "en_cours" and (not seen or status["progression"] != seen[-1]):
            seen.append(status["progression"])
        time.sleep(0.02)
    runner.jobs.wait_all(timeout=60)
    assert (status["statut"], status["progression"]) == ("livre", 100)
    middle = [percent for percent in seen if 0 < percent < 100]
    assert len(middle) >= 3, (seen, written)
    assert seen == sorted(seen)
    assert written == sorted(written) and written[-1] == 99  # the audit's end, before the commit
