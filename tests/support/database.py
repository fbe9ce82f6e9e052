"""Prepare a test database once: migrations, reference geography and catalogue."""

from __future__ import annotations

from gateway.config import REPO_ROOT
from gateway.db import Database
from gateway.db.migrate import upgrade
from gateway.reference.geography import load_geography
from gateway.services import catalogue, reference
from gateway.services.access_seed import seed_access_rules
from gateway.services.pricing import seed_default_schedule


def prepare_template(url: str) -> None:
    """Migrate `url` to head and load the shipped geography, catalogue and default tariff."""
    upgrade(url)
    database = Database(url)
    with database.transaction() as session:
        reference.seed_geography(session, load_geography(REPO_ROOT / "data" / "reference"))
        catalogue.seed_catalogue(session, REPO_ROOT / "data" / "catalogue.yaml")
        seed_access_rules(session, REPO_ROOT / "data")
        seed_default_schedule(session, REPO_ROOT / "data")
    database.dispose()
