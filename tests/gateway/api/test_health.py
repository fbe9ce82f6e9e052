"""Health check: 200 with each component's state; 503 naming what fails, in French."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from gateway.db.health import Component
from gateway.state import app_state
from tests.conftest import _fresh_postgres, make_app
from tests.support.postgres import Cluster


def test_healthy(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    # The durable queue on PostgreSQL, the embedded runner on SQLite (GATEWAY_JOB_RUNNER).
    runner = app_state(client.application).settings.job_runner
    assert (body["database"], body["store"], body["queue"]) == ("ok", "ok", runner)
    assert body["store_version"] == app_state(client.application).store.version()
    assert body["rate_limits"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.headers["X-Request-Id"]) >= 8


def test_unreachable_rate_limit_counters_give_503(sqlite_url: str, tmp_path: Path) -> None:
    """A regression: with its Redis away, /health said 200 while every counted call failed."""
    app = make_app(sqlite_url, tmp_path, ratelimit_storage_uri="redis://127.0.0.1:9/0")
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert "compteurs des limites de débit : injoignable" in response.json["detail"]


def test_database_down_gives_503(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'absent' / 'nowhere' / 'db.sqlite3'}", tmp_path)
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "service_indisponible"
    assert "base de données : fichier de base de données absent" in response.json["detail"]
    assert response.json["components"]["database"] == "fichier de base de données absent"


def test_a_database_file_removed_under_a_running_app_is_not_recreated(sqlite_app: Flask) -> None:
    """The app served an empty database created at the path of the one moved away."""
    client = sqlite_app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    path = _file_of(sqlite_app)
    moved = path.with_suffix(".away")
    path.rename(moved)
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["components"]["database"] == "fichier de base de données absent"
    assert client.get("/api/v1/indicators").status_code == 503
    assert not path.exists()
    moved.rename(path)
    assert client.get("/api/v1/health").status_code == 200


def test_an_app_started_without_its_database_file_creates_none(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker restarted while the file was away created an empty database and served it."""
    path = Path(make_url(sqlite_url).database or "")
    path.unlink()
    app = make_app(sqlite_url, tmp_path, store_dir=demo_store_dir)
    client = app.test_client()
    assert client.get("/api/v1/health").status_code == 503
    assert "fichier de base de données absent" in capfd.readouterr().err
    assert client.get("/api/v1/indicators").status_code == 503
    assert client.get("/api/v1/territories/departement/13").status_code == 503
    assert not path.exists()


def test_an_unwritable_database_gives_503_then_recovers(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    with _immutable(_file_of(sqlite_app)):
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json["components"]["database"] == (
            "fichier de base de données non modifiable"
        )
        assert response.headers["Retry-After"] == "5"
    assert client.get("/api/v1/health").status_code == 200


@pytest.mark.postgres
def test_a_read_only_postgresql_gives_503_then_recovers(
    pg_cluster: Cluster, tmp_path: Path, demo_store_dir: Path, request: pytest.FixtureRequest
) -> None:
    url = _fresh_postgres(request)
    app = make_app(url, tmp_path, store_dir=demo_store_dir)
    client = app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    name = make_url(url).database
    _alter(pg_cluster.url(), f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    app_state(app).database.dispose()  # new sessions take the database's setting
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["components"]["database"] == "la base de données est en lecture seule"
    _alter(pg_cluster.url(), f"ALTER DATABASE {name} RESET default_transaction_read_only")
    # Recovered by itself: the read-only connections are dropped when found.
    assert _healthy_within(client, seconds=5)
    app_state(app).database.dispose()


def test_an_empty_store_gives_503(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, store_dir=tmp_path / "vide")
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["components"]["store"] == "l'entrepôt de cellules est vide"
    assert "entrepôt de cellules : l'entrepôt de cellules est vide" in response.json["detail"]
    app_state(app).database.dispose()


def test_a_component_added_by_another_part_is_reported(sqlite_app: Flask) -> None:
    state = app_state(sqlite_app)
    state.health_checks.append(lambda: Component("queue", False, "la file ne répond pas"))
    response = sqlite_app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["components"]["queue"] == "la file ne répond pas"
    assert "file des travaux : la file ne répond pas" in response.json["detail"]


def test_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/api/v1/health", headers={"X-Request-Id": "abcdef123456"})
    assert response.headers["X-Request-Id"] == "abcdef123456"


def _healthy_within(client: FlaskClient, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while client.get("/api/v1/health").status_code != 200:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _file_of(app: Flask) -> Path:
    return Path(make_url(app_state(app).settings.database_url).database or "")


def _alter(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """Make the database files unwritable, even for root (chmod does not stop root)."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr absent : impossible de rendre les fichiers non modifiables")
    files = [str(p) for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    done = subprocess.run(["chattr", "+i", *files], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i refusé ici : {done.stderr.decode()[:200]}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)
