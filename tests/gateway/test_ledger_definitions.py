"""Commune sets of the ledger: stored once, even when two deliveries store one at once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from gateway.db import Database
from gateway.db.models import DefinitionMember, TerritoryDefinition
from gateway.services.ledger import queries as ledger

NEW_SET = frozenset({"13001", "13002", "13005"})


def _store(db: Database, sets: list[frozenset[str]]) -> dict[frozenset[str], int]:
    with db.transaction() as session:
        return ledger.definition_ids(session, sets)


def test_a_set_stored_by_two_transactions_at_once_is_stored_once(db: Database) -> None:
    """The second one waits for the first, finds its row, and returns the same id (no 500)."""
    other: dict[str, dict[frozenset[str], int]] = {}
    with db.transaction() as first:
        mine = ledger.definition_ids(first, [NEW_SET, frozenset({"48001"})])
        racer = threading.Thread(target=lambda: other.update(ids=_store(db, [NEW_SET])))
        racer.start()
        racer.join(0.5)  # it waits for this transaction's row (PostgreSQL) or lock (SQLite)
    racer.join(30)
    assert other["ids"] == {NEW_SET: mine[NEW_SET]}
    with db.transaction() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(TerritoryDefinition)
            .where(TerritoryDefinition.digest == ledger.digest(NEW_SET))
        )
        members = session.scalar(
            select(func.count())
            .select_from(DefinitionMember)
            .where(DefinitionMember.definition_id == mine[NEW_SET])
        )
    assert (stored, members) == (1, 3)


def test_known_sets_keep_their_ids(db: Database) -> None:
    first = _store(db, [NEW_SET])
    assert _store(db, [NEW_SET, frozenset({"84001"})])[NEW_SET] == first[NEW_SET]
