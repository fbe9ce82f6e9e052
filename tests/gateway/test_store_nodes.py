"""Two nodes, one published location, one database: publish, sync, /health compares versions.

The commands run as an operator runs them (`python -m gateway publish-store` and `sync-store`,
through click's runner with the environment a node has); each node is an app on its own store
folder, asked through its test client; the start-up refusal runs gunicorn itself.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from gateway.cli import cli
from gateway.config import REPO_ROOT, load_settings
from gateway.db.migrate import upgrade
from gateway.services.cell_store.startup import StoreNotReady, check_store_at_start
from gateway.state import app_state
from gateway.store import publish
from gateway.store.layout import VERSIONS
from tests.conftest import make_app
from tests.gateway.store.conftest import COMMUNES, random_cells
from tests.support.database import TEST_AUDIT_KEY


class Deployment:
    """A source store, a published location and node folders sharing one database."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root, self.database_url = root, database_url
        self.source, self.published = root / "source", root / "publie"

    def environment(self, store: Path, **extra: str) -> dict[str, str]:
        return {
            "GATEWAY_ENV": "test",
            "GATEWAY_DATABASE_URL": self.database_url,
            "GATEWAY_INSTANCE_DIR": str(self.root / f"instance-{store.name}"),
            "GATEWAY_STORE_DIR": str(store),
            "GATEWAY_STORE_PUBLISHED": str(self.published),
            "GATEWAY_AUDIT_KEY": TEST_AUDIT_KEY,
            "GATEWAY_LOG_LEVEL": "WARNING",
            **extra,
        }

    def gateway(self, store: Path, *arguments: str, **extra: str) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(arguments), env=self.environment(store, **extra))

    def load(self, seed: int) -> str:
        """Write a new version of the source store (as `import` does) and publish it."""
        version = publish(self.source, [random_cells("X", seed)], COMMUNES, keep=5).name
        result = self.gateway(self.source, "publish-store")
        assert result.exit_code == 0, result.output
        assert f"Version {version} publiée dans {self.published}" in result.output
        return version

    def node(self, name: str, **overrides: object) -> Flask:
        store = self.root / name
        return make_app(self.database_url, self.root / f"app-{name}", store_dir=store, **overrides)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file and nothing else: the nodes read no cell, only versions."""
    path = tmp_path_factory.mktemp("base") / "gateway.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(migrated: Path, tmp_path: Path) -> str:
    path = tmp_path / "gateway.sqlite3"
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


def _health(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/api/v1/health")
    return response.status_code, response.json or {}


def test_two_nodes_sync_from_the_published_location(sqlite_url: str, tmp_path: Path) -> None:
    deployment = Deployment(tmp_path, sqlite_url)
    web1, web2 = deployment.node("web1"), deployment.node("web2")
    first = deployment.load(1)
    status, body = _health(web1)
    assert status == 503 and body["expected_store_version"] == first  # nothing copied yet

    for name, app in (("web1", web1), ("web2", web2)):
        result = deployment.gateway(tmp_path / name, "sync-store")
        assert result.exit_code == 0, result.output
        assert f"Version {first} servie désormais (3 fichier(s) copié(s)" in result.output
        status, body = _health(app)
        assert status == 200
        assert (body["store_version"], body["expected_store_version"]) == (first, first)
        assert body["store_sync"] == "ok"
    again = deployment.gateway(tmp_path / "web1", "sync-store")
    assert (again.exit_code, again.output) == (0, f"Entrepôt à jour : version {first} servie.\n")

    second = deployment.load(2)
    assert deployment.gateway(tmp_path / "web1", "sync-store").exit_code == 0
    assert _health(web1)[1]["store_version"] == second
    # web2 has not synced yet: tolerated during the grace period, refused after it.
    status, body = _health(web2)
    assert status == 200 and body["store_sync"].startswith("synchronisation en cours")
    assert (body["store_version"], body["expected_store_version"]) == (first, second)
    late = deployment.node("web2", store_sync_grace=0)
    status, body = _health(late)
    assert status == 503
    assert (
        f"version de l'entrepôt : version servie {first}, version attendue {second}"
        in (body["detail"])
    )
    assert (body["store_version"], body["expected_store_version"]) == (first, second)
    assert "sync-store" in body["components"]["store_sync"]

    assert deployment.gateway(tmp_path / "web2", "sync-store").exit_code == 0
    assert _health(late)[0] == 200 and _health(web2)[1]["store_version"] == second
    for app in (web1, web2, late):
        app_state(app).database.dispose()


def test_an_altered_published_version_is_refused_exit_1(sqlite_url: str, tmp_path: Path) -> None:
    deployment = Deployment(tmp_path, sqlite_url)
    first = deployment.load(1)
    assert deployment.gateway(tmp_path / "web1", "sync-store").exit_code == 0
    second = deployment.load(2)
    altered = deployment.published / VERSIONS / second / "manifest.json"
    altered.write_text(altered.read_text().replace(second, first), encoding="utf-8")
    result = deployment.gateway(tmp_path / "web1", "sync-store")
    assert result.exit_code == 1
    assert "somme de contrôle fausse : manifest.json ; rien n'a été basculé." in result.output
    web1 = deployment.node("web1")
    assert _health(web1)[1]["store_version"] == first
    app_state(web1).database.dispose()


def test_sync_without_a_published_location_or_a_publication_exits_2(
    sqlite_url: str, tmp_path: Path
) -> None:
    deployment = Deployment(tmp_path, sqlite_url)
    nothing = deployment.gateway(tmp_path / "web1", "sync-store")
    assert nothing.exit_code == 2
    assert "aucune version publiée (python -m gateway publish-store)" in nothing.output
    unset = deployment.gateway(tmp_path / "web1", "sync-store", GATEWAY_STORE_PUBLISHED="")
    assert unset.exit_code == 2 and "aucun emplacement publié" in unset.output


def test_a_node_lacking_the_expected_version_refuses_to_start(
    sqlite_url: str, tmp_path: Path
) -> None:
    deployment = Deployment(tmp_path, sqlite_url)
    first = deployment.load(1)
    environment = deployment.environment(tmp_path / "web1")
    # Development: a warning in the log, and the node starts.
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("gateway.entrepot").addHandler(handler)
    try:
        check_store_at_start(load_settings(environ=environment))
    finally:
        logging.getLogger("gateway.entrepot").removeHandler(handler)
    assert f"au lieu de la version attendue {first}" in " ".join(logged)
    production = environment | {"GATEWAY_ENV": "production", "GATEWAY_SECRET_KEY": "s" * 48}
    with pytest.raises(StoreNotReady, match="Démarrage refusé"):
        check_store_at_start(load_settings(environ=production))
    # gunicorn itself, as systemd starts it: refused before any worker, exit status 1.
    started = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:gateway.gunicorn_conf", "wsgi:app"],
        check=False,
        cwd=REPO_ROOT,
        env=production | {"PORT": "0", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert "Démarrage refusé : l'entrepôt de cellules local" in started.stderr
    assert "lancez « python -m gateway sync-store »" in started.stderr
    # Synced, it starts (checked without serving: the same check gunicorn runs).
    assert deployment.gateway(tmp_path / "web1", "sync-store").exit_code == 0
    check_store_at_start(load_settings(environ=production))
