"""The failed-key lockout: exactly the documented threshold, shared by workers, valid keys pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from gateway.config import REPO_ROOT, Settings
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers

BAD = {"Authorization": "Bearer cgw_00000000_cle-inventee"}
DOCUMENTED = Settings().auth_failures_per_minute


@pytest.fixture
def gateway(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_app(sqlite_url, tmp_path)


def test_the_threshold_is_the_one_the_readme_documents() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    documented = re.search(r"GATEWAY_AUTH_FAILURES_PER_MINUTE` \([^)]*default (\d+)", readme)
    assert documented is not None
    assert DOCUMENTED == int(documented.group(1)) == 20


def test_lockout_starts_right_after_the_documented_number_of_failures(gateway: Flask) -> None:
    client = gateway.test_client()
    statuses = [client.get("/api/v1/me", headers=BAD).status_code for _ in range(DOCUMENTED + 1)]
    assert statuses == [401] * DOCUMENTED + [429]


def test_a_valid_key_keeps_working_from_a_locked_out_address(
    gateway: Flask, tmp_path: Path
) -> None:
    keys = demo_headers(gateway, tmp_path)
    client = gateway.test_client()
    for _ in range(DOCUMENTED + 5):
        client.get("/api/v1/me", headers=BAD)
    assert client.get("/api/v1/me", headers=BAD).status_code == 429
    assert client.get("/api/v1/me", headers=keys["commune"]).status_code == 200
    assert client.get("/api/v1/me", headers=keys["cabinet_prive"]).status_code == 200


def test_requests_without_a_key_are_not_failed_attempts(gateway: Flask, tmp_path: Path) -> None:
    client = gateway.test_client()
    for _ in range(DOCUMENTED + 5):
        assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=BAD).status_code == 401


def test_workers_share_the_count(sqlite_url: str, tmp_path: Path) -> None:
    """Two apps on one instance directory count together, as gunicorn's workers must."""
    first, second = make_app(sqlite_url, tmp_path), make_app(sqlite_url, tmp_path)
    statuses = [
        (first if n % 2 else second).test_client().get("/api/v1/me", headers=BAD).status_code
        for n in range(DOCUMENTED + 1)
    ]
    assert statuses == [401] * DOCUMENTED + [429]
    locked = first.test_client().get("/api/v1/me", headers=BAD)
    assert locked.json["code"] == "trop_de_requetes"
    assert 1 <= int(locked.headers["Retry-After"]) <= 61
