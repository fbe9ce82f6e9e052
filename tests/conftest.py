"""Fixtures: `app`, `client`, `db` on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.config import REPO_ROOT
from gateway.db import Database
from gateway.reference.geography import load_geography
from gateway.state import app_state
from gateway.store.demo import load_demo
from tests.support.database import TEST_AUDIT_KEY, prepare_template
from tests.support.postgres import Cluster, find_bin_dir, start_cluster
from tests.support.state import get_database

PG_BIN = find_bin_dir()
PG_MISSING = (
    "PostgreSQL introuvable (initdb/pg_ctl) : les tests de stockage sur PostgreSQL sont IGNORÉS. "
    "Installez le paquet Debian « postgresql » (voir .ci/run)."
)
_counter = itertools.count()

# Wall-clock checks are not properties of the code on a shared 2-core machine running one
# pytest per core: a draw that once waited 1.2 s for a core failed a whole run ("input
# generation is slow"). Examples, shrinking and every other health check are unchanged.
settings.register_profile("passerelle", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("passerelle")


def pytest_report_header() -> list[str]:
    if PG_BIN is None:
        return ["!" * 78, "!!! " + PG_MISSING, "!" * 78]
    return [f"PostgreSQL : grappe jetable lancée depuis {PG_BIN}"]


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if PG_BIN is None:
        terminalreporter.write_line("!!! " + PG_MISSING, red=True, bold=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if PG_BIN is None:
        pytest.skip(PG_MISSING)
    cluster = start_cluster(PG_BIN)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path) -> Path:
    """A migrated SQLite file with the geography, catalogue and socle, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    prepare_template(f"sqlite:///{path}", demo_store_dir)
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster, demo_store_dir: Path) -> str:
    """A migrated PostgreSQL database used as CREATE DATABASE ... TEMPLATE for each test."""
    admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE gateway_template"))
    admin.dispose()
    prepare_template(pg_cluster.url("gateway_template"), demo_store_dir)
    return "gateway_template"


def _fresh_postgres(request: pytest.FixtureRequest) -> str:
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    name = f"gateway_test_{next(_counter)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return cluster.url(name)


def _fresh_sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "gateway.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A prepared database on each backend: the storage tests run twice."""
    if request.param == "postgresql":
        return _fresh_postgres(request)
    return _fresh_sqlite(request, tmp_path)


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A prepared SQLite database, for tests about behaviour rather than storage."""
    return _fresh_sqlite(request, tmp_path)


#: Départements of the test store: Bouches-du-Rhône (the demo Caf), Vaucluse (Pertuis belongs
#: to the Aix-Marseille-Provence EPCI) and Lozère (small rural communes, where secrecy bites).
TEST_DEPARTEMENTS = ("13", "84", "48")


@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic cell store for three départements, generated once per session."""
    root = tmp_path_factory.mktemp("store")
    load_demo(
        root, load_geography(REPO_ROOT / "data" / "reference"), departements=TEST_DEPARTEMENTS
    )
    return root


def make_app(database_url: str, tmp_path: Path, **overrides: object) -> Flask:
    config = {
        "env": "test",
        "database_url": database_url,
        "instance_dir": tmp_path / "instance",
        "log_level": "WARNING",
        "audit_key": TEST_AUDIT_KEY,  # the template's socle publication is signed with it
        # Tests call the API without a key far more than anyone may: their own limit is
        # tested in tests/gateway/api/test_rate_limit_headers.py.
        "anonymous_rate_limit": "100000/minute",
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def app(database_url: str, tmp_path: Path, demo_store_dir: Path) -> Iterator[Flask]:
    application = make_app(database_url, tmp_path, store_dir=demo_store_dir)
    yield application
    app_state(application).close()


@pytest.fixture
def sqlite_app(sqlite_url: str, tmp_path: Path, demo_store_dir: Path) -> Iterator[Flask]:
    application = make_app(sqlite_url, tmp_path, store_dir=demo_store_dir)
    yield application
    app_state(application).close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sqlite_client(sqlite_app: Flask) -> FlaskClient:
    return sqlite_app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Database]:
    with app.app_context():
        yield get_database()
