"""Fixtures of the attacks: the truth (store, catalogue, geography) and conventioned players."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.geography import Geography
from tests.attacks.player import Player
from tests.attacks.world import conventioned_departement, conventioned_national


@pytest.fixture(scope="session")
def geography() -> Geography:
    return load_geography(REPO_ROOT / "data" / "reference")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def store(demo_store_dir: Path) -> CellStore:
    return CellStore(demo_store_dir)


@pytest.fixture
def lozere(sqlite_app: Flask, geography: Geography) -> Player:
    """The conseil départemental of the Lozère, with a free convention on its département."""
    requester = conventioned_departement(sqlite_app, "48")
    return Player(sqlite_app.test_client(), geography, requester.headers, requester.id)


@pytest.fixture
def bouches(sqlite_app: Flask, geography: Geography) -> Player:
    """The conseil départemental of the Bouches-du-Rhône, with a free convention on it."""
    requester = conventioned_departement(sqlite_app, "13")
    return Player(sqlite_app.test_client(), geography, requester.headers, requester.id)


@pytest.fixture
def national(sqlite_app: Flask, geography: Geography) -> Player:
    """A State service with a free national convention: any territory, any hierarchy."""
    requester = conventioned_national(sqlite_app)
    return Player(sqlite_app.test_client(), geography, requester.headers, requester.id)
