"""A large request runs in the background: its page shows a progress bar that polls itself."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from gateway.state import app_state
from tests.support.demo_world import demo_world_app, low_background_threshold
from tests.web.demande.conftest import Person, signed_in, text_of

COMMUNES_OF_13 = [
    ("indicators", "ENF_MOINS_6"),
    ("indicators", "ALLOC"),
    ("territory", "departement:13"),
    ("level", "commune"),
    ("periods", "2022"),
    ("periods", "2023"),
    ("periods", "2024"),
    ("use", "usage_final"),
]


@pytest.fixture(scope="module")
def background_app(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    """The demonstration world, extracts above 100 cells in the background."""
    folder = tmp_path_factory.mktemp("arriere-plan")
    data = low_background_threshold(folder, 100)
    app, _keys = demo_world_app(folder, sqlite_template, demo_store_dir, data_dir=data)
    yield app
    app_state(app).jobs.wait_all(timeout=120)
    app_state(app).database.dispose()


def test_a_large_request_shows_its_progress_then_its_files(background_app: Flask) -> None:
    person: Person = signed_in(background_app, "conseil_departemental")
    check = person.get("/demande/verifier", query_string=COMMUNES_OF_13)
    assert "En arrière-plan" in text_of(check), text_of(check)[:2000]
    jobs, release = app_state(background_app).jobs, threading.Event()
    jobs.submit("en-attente", release.wait, 60)  # the one job thread waits: ours queues
    try:
        sent = person.post("/demande/envoyer", COMMUNES_OF_13)
        assert sent.status_code == 303
        result_path = sent.headers["Location"]
        assert re.fullmatch(r"/demande/resultat/[0-9a-f]{32}", result_path)
        page = person.get(result_path)
    finally:
        release.set()
    body = page.get_data(as_text=True)
    assert 'data-statut="en_attente"' in body
    assert f'hx-get="{result_path}/progression" hx-trigger="every 1s"' in body
    assert '<progress id="progression-barre" max="100" value="0">0 %</progress>' in body
    assert 'aria-live="polite"' in body
    assert "Actualiser" in body  # without JavaScript: a link to reload

    jobs.wait_all(timeout=120)
    done = person.get(f"{result_path}/progression")
    body, text = done.get_data(as_text=True), text_of(done)
    assert done.status_code == 200 and "<html" not in body
    assert 'data-statut="livre"' in body and "hx-trigger" not in body  # polling stops
    assert "Extrait prêt : 100 %" in text and 'value="100"' in body
    assert "format=xlsx" in body


def test_a_failed_background_extract_says_why_in_french(background_app: Flask) -> None:
    from gateway.db.models.extracts import FAILED
    from gateway.services.extracts import queries

    person = signed_in(background_app, "conseil_departemental")
    sent = person.post("/demande/envoyer", [*COMMUNES_OF_13, ("periods", "2021")])
    extract_id = sent.headers["Location"].rsplit("/", 1)[1]
    app_state(background_app).jobs.wait_all(timeout=120)
    detail = "Livraison concurrente sur les mêmes données : réessayez dans un instant."
    with background_app.app_context(), app_state(background_app).database.transaction() as s:
        queries.record_failure(s, extract_id, FAILED, {"detail": detail})
    text = text_of(person.get(f"/demande/resultat/{extract_id}/progression"))
    assert "L’extrait n’a pas pu être préparé" in text and detail in text
