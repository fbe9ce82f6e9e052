"""The expected store version, kept in the change log: who published which version, when.

No table of its own: a publication is an operator's change like any other (`admin_change`,
entity `cell_store`), and the latest one names the version every node must serve, with the
digest of its SHA256SUMS (what a node checks its copy against) and the time it was published
(from which the nodes' grace period runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import Database
from gateway.db.base import as_utc
from gateway.db.models import AdminChange
from gateway.services.audit.changes import record_change
from gateway.store.publication import PublishedVersion
from policies.access import Action

ENTITY = "cell_store"


@dataclass(frozen=True)
class ExpectedVersion:
    """The version every node must serve, since `published_at`."""

    version: str
    checksums_sha256: str
    published_at: datetime


def expected_version(session: Session) -> ExpectedVersion | None:
    """Return the latest published version, or None when none was ever published."""
    change = session.scalars(
        select(AdminChange)
        .where(AdminChange.entity == ENTITY)
        .order_by(AdminChange.id.desc())
        .limit(1)
    ).first()
    if change is None or not change.after:
        return None
    return ExpectedVersion(change.after["version"], change.after["sha256sums"], as_utc(change.at))


def read_expected(database: Database) -> ExpectedVersion | None:
    """Read the expected version in a session of its own; SQLAlchemyError when unreachable."""
    with database.sessions() as session:
        return expected_version(session)


def record_publication(session: Session, published: PublishedVersion) -> ExpectedVersion:
    """Record `published` as the version every node must serve from now on."""
    before = expected_version(session)
    change = record_change(
        session,
        actor_id=None,  # the command line
        action=Action.STORE_PUBLISH,
        entity=ENTITY,
        entity_id=published.version,
        caf_code=None,
        before=None if before is None else {"version": before.version},
        after={"version": published.version, "sha256sums": published.checksums_sha256},
    )
    return ExpectedVersion(published.version, published.checksums_sha256, as_utc(change.at))
