"""An IMAJE screen is answered at once, whatever the background threshold.

A regression: with `arriere_plan_au_dela_de` below a screen's size (a deployment that queues
every extract above a few hundred cells, a France-wide comparison), the screen became a
background job and the API answered 500 (the screen expects a delivery, not a job to follow).
A screen is a few indicators on a few territories: it is delivered in the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from gateway.state import app_state
from tests.support.demo_world import demo_world_app, keys_of, low_background_threshold

HISTORY = {"indicator": "ALLOC", "level": "epci", "code": "241300417", "use": "usage_final"}


@pytest.fixture
def eager_app(tmp_path: Path, sqlite_template: Path, demo_store_dir: Path) -> Iterator[Flask]:
    """The demonstration world, extracts above 2 cells in the background."""
    data = low_background_threshold(tmp_path, 2)
    app, _keys = demo_world_app(tmp_path, sqlite_template, demo_store_dir, data_dir=data)
    yield app
    app_state(app).jobs.wait_all(timeout=120)
    app_state(app).close()


def test_a_history_larger_than_the_threshold_is_answered_at_once(eager_app: Flask) -> None:
    client = eager_app.test_client()
    headers = keys_of(eager_app, "conseil_departemental")
    extract = client.post(
        "/api/v1/extracts",
        json={
            "indicators": ["ALLOC"],
            "territories": {"level": "epci", "codes": ["241300417"]},
            "periods": [2019, 2020, 2021, 2022, 2023, 2024],
            "use": "usage_final",
        },
        headers=headers,
    )
    assert extract.status_code == 202  # the same six cells as an extract: a job
    screen = client.post("/api/v1/imaje/history", json=HISTORY, headers=headers)
    assert screen.status_code == 200, screen.get_data(as_text=True)[:500]
    cells = screen.get_json()["tableau"]["cellules"]
    assert len(cells) > 2
    assert {int(c["periode"]) for c in cells} >= {2019, 2024}
