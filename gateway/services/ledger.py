"""The release ledger: every released cell, and the part of it linked to a new table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gateway.db.models import DefinitionMember, ReleasedCell, TerritoryDefinition
from policies.secrecy.linked import KnownCell

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
        rows = [
            {"digest": key, "size": len(wanted[key]), "communes": ",".join(sorted(wanted[key]))}
            for key in missing
        ]
        # One multi-row INSERT ... RETURNING on both backends, not one flush per set.
        created = session.execute(
            insert(TerritoryDefinition).returning(
                TerritoryDefinition.digest, TerritoryDefinition.id
            ),
            rows,
        )
        new_ids = dict(created.all())
        session.execute(
            insert(DefinitionMember),
            [{"definition_id": new_ids[key], "commune": c} for key in missing for c in wanted[key]],
        )
        found.update(new_ids)
    return {members: found[key] for key, members in wanted.items()}


def linked_cells(
    session: Session,
    *,
    audiences: Sequence[int | None],
    indicator: str,
    period: int,
    communes: frozenset[str],
) -> list[KnownCell]:
    """Load the released cells connected to `communes` through shared communes, transitively.

    Only that connected part is read: its size, not the ledger's, bounds the cost.
    """
    definitions: dict[int, frozenset[str]] = {}
    covered: set[str] = set()
    frontier = set(communes)
    while frontier:
        new = _definitions_touching(session, audiences, indicator, period, frontier)
        new = {d: c for d, c in new.items() if d not in definitions}
        definitions.update(new)
        covered |= frontier
        frontier = set().union(*new.values()) - covered if new else set()
    return _known(session, audiences, indicator, period, definitions)


def _audience_filter(audiences: Sequence[int | None]):  # type: ignore[no-untyped-def]
    named = [a for a in audiences if a is not None]
    condition = ReleasedCell.audience.in_(named)
    return condition | ReleasedCell.audience.is_(None) if None in audiences else condition


def _definitions_touching(
    session: Session,
    audiences: Sequence[int | None],
    indicator: str,
    period: int,
    communes: set[str],
) -> dict[int, frozenset[str]]:
    released = (
        select(ReleasedCell.definition_id)
        .where(ReleasedCell.indicator == indicator, ReleasedCell.period == period)
        .where(_audience_filter(audiences))
    )
    ids: set[int] = set()
    ordered = sorted(communes)
    for start in range(0, len(ordered), _CHUNK):
        ids.update(
            session.scalars(
                select(DefinitionMember.definition_id)
                .where(DefinitionMember.commune.in_(ordered[start : start + _CHUNK]))
                .where(DefinitionMember.definition_id.in_(released))
                .distinct()
            )
        )
    return _communes_of(session, ids)


def _communes_of(session: Session, ids: set[int]) -> dict[int, frozenset[str]]:
    result: dict[int, frozenset[str]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        rows = session.execute(
            select(TerritoryDefinition.id, TerritoryDefinition.communes).where(
                TerritoryDefinition.id.in_(ordered[start : start + _CHUNK])
            )
        )
        result.update({i: frozenset(text.split(",")) for i, text in rows})
    return result


def _known(
    session: Session,
    audiences: Sequence[int | None],
    indicator: str,
    period: int,
    definitions: dict[int, frozenset[str]],
) -> list[KnownCell]:
    rows: set[tuple[int, str, bool]] = set()
    ordered = sorted(definitions)
    for start in range(0, len(ordered), _CHUNK):
        rows.update(
            tuple(row)
            for row in session.execute(
                select(ReleasedCell.definition_id, ReleasedCell.category, ReleasedCell.published)
                .where(ReleasedCell.definition_id.in_(ordered[start : start + _CHUNK]))
                .where(ReleasedCell.indicator == indicator, ReleasedCell.period == period)
                .where(_audience_filter(audiences))
            )
        )
    # Sorted by definition id, not by commune list: deterministic and cheap.
    return [KnownCell(definitions[d], c, p) for d, c, p in sorted(rows)]


def record(
    session: Session,
    *,
    extract_id: str,
    audience: int | None,
    cells: Sequence[tuple[str, int, str, frozenset[str], bool, float | None]],
) -> int:
    """Append released cells: (indicator, period, category, communes, published, value)."""
    ids = definition_ids(session, (c[3] for c in cells))
    rows = [
        {
            "extract_id": extract_id,
            "audience": audience,
            "indicator": indicator,
            "period": period,
            "category": category,
            "definition_id": ids[communes],
            "published": published,
            "value": value if published else None,
        }
        for indicator, period, category, communes, published, value in cells
    ]
    if rows:
        session.execute(insert(ReleasedCell), rows)
    return len(rows)
