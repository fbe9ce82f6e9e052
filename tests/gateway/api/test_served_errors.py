"""Errors under the real server: gunicorn, two workers, on a loopback port.

gunicorn answers some requests itself, before the app (a request line or a header over its
limits), and runs several processes (each worker had its own failure count): only the
served gateway shows either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from gateway.state import app_state
from tests.attacks.served import served
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.database import prepare_template

PROBLEM = "application/problem+json"
WORKERS = 2
BAD = {"Authorization": "Bearer cgw_00000000_cle-inventee"}


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path
) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    root = tmp_path_factory.mktemp("servi")
    database = f"sqlite:///{root / 'gateway.sqlite3'}"
    prepare_template(database, demo_store_dir)
    app: Flask = make_app(database, root, store_dir=demo_store_dir)
    keys = demo_headers(app, root)
    app_state(app).database.dispose()
    with served(database, demo_store_dir, root / "instance", WORKERS) as base:
        yield base, keys


PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


@pytest.mark.parametrize(
    ("url", "headers", "status", "title"),
    [
        ("/api/v1/territories?q=" + "x" * 20_000, {}, 414, "Adresse trop longue"),
        ("/api/v1/health", {"X-Long": "y" * 10_000}, 431, "En-têtes trop volumineux"),
    ],
)
def test_what_gunicorn_refuses_itself_is_a_problem_document(
    gateway: tuple[str, dict], url: str, headers: dict[str, str], status: int, title: str
) -> None:
    base, _ = gateway
    response = requests.get(base + url, headers=headers, timeout=30)
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    document = response.json()
    assert PROBLEM_KEYS <= set(document)
    assert (document["status"], document["title"]) == (status, title)
    assert document["request_id"] == response.headers["X-Request-Id"]


def test_failed_keys_are_counted_once_for_all_workers(gateway: tuple[str, dict]) -> None:
    base, keys = gateway
    statuses = []
    for _ in range(21):
        with requests.Session() as session:  # a new connection: any worker may answer
            statuses.append(session.get(base + "/api/v1/me", headers=BAD, timeout=30).status_code)
    assert statuses == [401] * 20 + [429]
    valid = requests.get(base + "/api/v1/me", headers=keys["commune"], timeout=30)
    assert valid.status_code == 200
