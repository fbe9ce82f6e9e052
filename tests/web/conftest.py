"""Fixtures of the page tests: one prepared SQLite app per module (the pages only read)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.state import app_state
from tests.conftest import make_app


@pytest.fixture(scope="module")
def portal_app(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    """An app on a copy of the prepared database (geography, catalogue, socle published)."""
    folder = tmp_path_factory.mktemp("portail")
    shutil.copyfile(sqlite_template, folder / "gateway.sqlite3")
    app = make_app(f"sqlite:///{folder / 'gateway.sqlite3'}", folder, store_dir=demo_store_dir)
    yield app
    app_state(app).database.dispose()


@pytest.fixture
def page(portal_app: Flask) -> FlaskClient:
    return portal_app.test_client()
