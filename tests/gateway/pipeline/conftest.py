"""Fixtures of the pipeline tests: demo requesters with keys and active conventions."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from gateway.services.demo.conventions import seed_demo_conventions
from gateway.services.demo.requesters import write_demo_keys
from tests.support.state import get_database


def demo_headers(app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """Create the demo requesters, their keys and conventions; return auth headers by slug."""
    with app.app_context():
        database = get_database()
        with database.transaction() as session:
            keys = write_demo_keys(session, tmp_path / "demo-keys.json")
        with database.transaction() as session:
            seed_demo_conventions(session)
    return {slug: {"Authorization": f"Bearer {entry['key']}"} for slug, entry in keys.items()}


@pytest.fixture
def keys(sqlite_app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    return demo_headers(sqlite_app, tmp_path)


@pytest.fixture
def both_keys(app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The same, on each database backend."""
    return demo_headers(app, tmp_path)
