"""Prepare a test database once: migrations, reference geography and catalogue."""

from __future__ import annotations

import tempfile
from pathlib import Path

from gateway.config import REPO_ROOT
from gateway.db import Database
from gateway.db.migrate import upgrade
from gateway.pipeline.locks import LedgerLocks
from gateway.pipeline.socle import Publisher
from gateway.reference.geography import load_geography
from gateway.services.access.seed import seed_access_rules
from gateway.services.catalogue import queries as catalogue
from gateway.services.pricing.schedules import seed_default_schedule
from gateway.services.territories import queries as reference
from gateway.store import CellStore
from policies.audit_keys import AuditKeys

#: The audit chain's key of the test apps (`make_app`) and of the template they are copied
#: from: the template's socle publication is signed with it.
TEST_AUDIT_KEY = "clé-de-test-du-journal-d-audit-0123456789"


def prepare_template(url: str, store_dir: Path | None = None) -> None:
    """Migrate `url` to head and load the shipped geography, catalogue and default tariff.

    With a store, publish its socle commun too, as `make serve` does: every test database
    copied from the template then opens that vintage without publishing it again.
    """
    upgrade(url)
    database = Database(url, AuditKeys.from_text(TEST_AUDIT_KEY))
    geography = load_geography(REPO_ROOT / "data" / "reference")
    with database.transaction() as session:
        reference.seed_geography(session, geography)
        catalogue.seed_catalogue(session, REPO_ROOT / "data" / "catalogue.yaml")
        seed_access_rules(session, REPO_ROOT / "data")
        seed_default_schedule(session, REPO_ROOT / "data")
    if store_dir is not None:
        locks = LedgerLocks(database, Path(tempfile.mkdtemp()))
        Publisher(database, geography, locks, lock_timeout=60).publish(CellStore(store_dir))
    database.dispose()
