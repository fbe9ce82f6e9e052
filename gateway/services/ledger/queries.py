"""The release ledger: every released cell, the part linked to a new table, the sets known."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.cache import Memo
from gateway.db.models import DefinitionMember, Extract, ReleasedCell, TerritoryDefinition
from policies.catalogue import RelatedSet
from policies.secrecy.linked import KnownCell, connected

_CHUNK = 900  # stays under SQLite's bound-parameter limit with room for the other filters


def digest(communes: Iterable[str]) -> str:
    return hashlib.sha256(",".join(sorted(communes)).encode()).hexdigest()


def definition_ids(session: Session, sets: Iterable[frozenset[str]]) -> dict[frozenset[str], int]:
    """Return the stored id of each commune set, storing the new ones (with their members)."""
    wanted = {digest(s): s for s in set(sets)}
    found: dict[str, int] = {}
    keys = list(wanted)
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(TerritoryDefinition.digest, TerritoryDefinition.id).where(
                TerritoryDefinition.digest.in_(keys[start : start + _CHUNK])
            )
        )
        found.update(dict(rows.all()))
    missing = sorted(set(wanted) - set(found))
    if missing:
        new_rows = [
            {"digest": key, "size": len(wanted[key]), "communes": ",".join(sorted(wanted[key]))}
            for key in missing
        ]
        # One multi-row INSERT ... ON CONFLICT DO NOTHING ... RETURNING on both backends: a
        # delivery on another ledger partition may store the same new set at the same time.
        created = session.execute(
            _insert_new(session)
            .values(new_rows)
            .returning(TerritoryDefinition.digest, TerritoryDefinition.id)
        )
        new_ids = dict(created.all())
        if new_ids:
            session.execute(
                insert(DefinitionMember),
                [
                    {"definition_id": i, "commune": c}
                    for key, i in new_ids.items()
                    for c in wanted[key]
                ],
            )
        found.update(new_ids)
        raced = sorted(set(missing) - set(new_ids))  # stored by the other one: read its ids
        if raced:
            rows_found = session.execute(
                select(TerritoryDefinition.digest, TerritoryDefinition.id).where(
                    TerritoryDefinition.digest.in_(raced)
                )
            )
            found.update(dict(rows_found.all()))
    return {members: found[key] for key, members in wanted.items()}


def _insert_new(session: Session):  # type: ignore[no-untyped-def]
    """Return an INSERT of territory definitions that skips digests already stored."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(TerritoryDefinition).on_conflict_do_nothing(
            index_elements=["digest"]
        )
    return sqlite_insert(TerritoryDefinition).on_conflict_do_nothing(index_elements=["digest"])


@dataclass(frozen=True)
class Released:
    """The released cells linked to a new table, and which of them a revision may have changed.

    `revisable` are the published cells released from another store version than the
    current one: only their figures can differ from the current data. A cell released from
    the current version is the current data's by construction.
    """

    cells: list[KnownCell]
    revisable: frozenset[KnownCell]


def linked_cells(
    session: Session,
    *,
    audiences: Sequence[int | None] | None,
    related: RelatedSet,
    period: int,
    communes: frozenset[str],
    version: str | None = None,
    known_sets: Memo[int, frozenset[str]] | None = None,
) -> Released:
    """Load the released cells connected to `communes` through shared communes, transitively.

    Only what these audiences (None: every audience) received for the indicators of this
    related set and period is read (an index range), never the rest of the ledger; each cell
    is placed in the set's table (ENF_MOINS_3 is the 0-2 category of ENF_MOINS_6), and the
    connected part is then closed in memory. `version` is the current store version;
    `known_sets`, the app's commune sets already read (immutable once stored).
    """
    rows = _released(session, audiences, related, period, version)
    sets = _communes_of(session, {row[0] for row in rows}, known_sets)
    linked = _connected(sets, communes)
    cells: dict[KnownCell, bool] = {}
    for definition, category, published, value, current in rows:
        if definition in linked:
            cell = KnownCell(sets[definition], category, published, value)
            cells[cell] = cells.get(cell, False) or current
    revisable = frozenset(c for c, current in cells.items() if c.published and not current)
    return Released(list(cells), revisable)


def _released(
    session: Session,
    audiences: Sequence[int | None] | None,
    related: RelatedSet,
    period: int,
    version: str | None,
) -> list[tuple[int, str, bool, float | None, bool]]:
    """Return (definition, set category, published, value, from `version`) of the cells."""
    query = (
        select(
            ReleasedCell.indicator,
            ReleasedCell.definition_id,
            ReleasedCell.category,
            ReleasedCell.published,
            ReleasedCell.value,
            Extract.store_version,
        )
        .join(Extract, Extract.id == ReleasedCell.extract_id)
        .where(ReleasedCell.indicator.in_(related.members), ReleasedCell.period == period)
        .distinct()
    )
    if audiences is not None:
        query = query.where(_audience_filter(audiences))
    placed = {
        (
            definition,
            related.placement[(indicator, category)],
            published,
            value,
            version is not None and store_version == version,
        )
        for indicator, definition, category, published, value, store_version in session.execute(
            query
        )
        # A category the catalogue no longer has cannot be placed; nothing else is skipped.
        if (indicator, category) in related.placement
    }
    return sorted(placed, key=lambda row: (row[0], row[1], row[2], row[3] or 0.0, row[4]))


def _connected(sets: dict[int, frozenset[str]], seed: frozenset[str]) -> set[int]:
    """Return the definitions reachable from `seed` through shared communes."""
    reached = connected(list(sets.values()), seed)
    return {definition for definition, keep in zip(sets, reached, strict=True) if keep}


def _audience_filter(audiences: Sequence[int | None]) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = ReleasedCell.audience.in_(
        [a for a in audiences if a is not None]
    )
    return condition | ReleasedCell.audience.is_(None) if None in audiences else condition


def _communes_of(
    session: Session, ids: set[int], known: Memo[int, frozenset[str]] | None
) -> dict[int, frozenset[str]]:
    found = known.known(ids) if known is not None else {}
    missing = sorted(ids - found.keys())
    read: dict[int, frozenset[str]] = {}
    for start in range(0, len(missing), _CHUNK):
        rows = session.execute(
            select(TerritoryDefinition.id, TerritoryDefinition.communes).where(
                TerritoryDefinition.id.in_(missing[start : start + _CHUNK])
            )
        )
        read.update((i, frozenset(text.split(","))) for i, text in rows)
    if known is not None:
        known.add(read)
    return found | read


def released_sets(
    session: Session, audiences: Sequence[int | None], near: frozenset[str] | None
) -> list[frozenset[str]]:
    """Return the commune sets released to these audiences, any indicator and period.

    Only sets sharing a commune with `near` are read (all when None): their ids through the
    commune index, kept when one cell of the audiences names them (one index seek each, on
    `ix_released_cell_definition`), then their communes; the cells are never read one by one.
    """
    audience = _audience_filter(audiences)
    if near is None:
        query = select(ReleasedCell.definition_id).where(audience).distinct()
        return _sets_in_order(session, session.scalars(query))
    communes, ids = sorted(near), set[int]()
    for start in range(0, len(communes), _CHUNK):
        sets = (
            select(DefinitionMember.definition_id)
            .where(DefinitionMember.commune.in_(communes[start : start + _CHUNK]))
            .distinct()
            .subquery()
        )
        known = select(ReleasedCell.id).where(
            ReleasedCell.definition_id == sets.c.definition_id, audience
        )
        ids.update(session.scalars(select(sets.c.definition_id).where(known.exists())))
    return _sets_in_order(session, ids)


def _sets_in_order(session: Session, ids: Iterable[int]) -> list[frozenset[str]]:
    """Return the communes of these definitions, in the order of their ids."""
    wanted, found = sorted(set(ids)), []
    for start in range(0, len(wanted), _CHUNK):
        rows = session.scalars(
            select(TerritoryDefinition.communes)
            .where(TerritoryDefinition.id.in_(wanted[start : start + _CHUNK]))
            .order_by(TerritoryDefinition.id)
        )
        found += [frozenset(text.split(",")) for text in rows]
    return found


def record(
    session: Session,
    *,
    extract_id: str,
    audience: int | None,
    cells: Sequence[tuple[str, int, str, frozenset[str], bool, float | None]],
) -> int:
    """Append released cells: (indicator, period, category, communes, published, value).

    One driver-level executemany of tuples: SQLAlchemy's executemany builds and processes a
    parameter dict per row (a département's 15,552 cells: 0.14 s of a 1 s extract, more
    than the insert itself). The one typed value, the release time, is converted once.
    """
    ids = definition_ids(session, (c[3] for c in cells))
    if not cells:
        return 0
    table = cast(Table, ReleasedCell.__table__)
    connection = session.connection()
    dialect = connection.dialect
    released_type = table.c.released_at.type.dialect_impl(dialect)
    to_column = released_type.bind_processor(dialect)
    released_at = datetime.now(UTC)  # one delivery, one time
    released = to_column(released_at) if to_column is not None else released_at
    columns = [
        "extract_id", "audience", "indicator", "period", "category",
        "definition_id", "published", "value", "released_at",
    ]  # fmt: skip
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    rows = [
        (extract_id, audience, indicator, period, category, ids[communes], published,
         value if published else None, released)
        for indicator, period, category, communes, published, value in cells
    ]  # fmt: skip
    session.flush()  # the extract row the ledger rows refer to
    connection.exec_driver_sql(statement, rows)
    return len(rows)
