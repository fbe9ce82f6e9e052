"""What was released to a requester, summed up: by indicator, period and territory.

The ledger holds one row per released cell; the summary is one grouped query (counts and
dates per indicator x period x set of communes), paged, and each set of the page is then
named from the reference geography (a commune, an EPCI, a département... or a custom zone).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from gateway.db.models import ReleasedCell, TerritoryDefinition
from gateway.services.audit.queries import utc
from gateway.services.paging import Page
from policies.domain import GeoLevel
from policies.geography import FRANCE_CODE, Geography

#: The levels a set of several communes may be, tried finest first.
_WHOLE_LEVELS = (GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION, GeoLevel.FRANCE)
_CHUNK = 900


@dataclass(frozen=True)
class Territory:
    """How a released set of communes is named: its level, code and name."""

    level: GeoLevel
    code: str
    name: str


@dataclass(frozen=True)
class ReleaseLine:
    """The cells of one indicator and period released on one territory, to one requester."""

    indicator: str
    period: int
    territory: Territory
    released: int  # published cells
    suppressed: int  # cells delivered as secret
    extracts: int
    first: datetime
    last: datetime


def released_summary(
    session: Session, geography: Geography, requester_id: int, page: int, per_page: int
) -> Page:
    """Return one page of ReleaseLine: what the requester received, grouped (SQL, not cells)."""
    published = func.sum(case((ReleasedCell.published, 1), else_=0)).cast(Integer)
    query = (
        select(
            ReleasedCell.indicator,
            ReleasedCell.period,
            ReleasedCell.definition_id,
            published,
            func.count(ReleasedCell.id) - published,
            func.count(func.distinct(ReleasedCell.extract_id)),
            func.min(ReleasedCell.released_at),
            func.max(ReleasedCell.released_at),
        )
        .where(ReleasedCell.audience == requester_id)
        .group_by(ReleasedCell.indicator, ReleasedCell.period, ReleasedCell.definition_id)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(
            ReleasedCell.indicator, ReleasedCell.period.desc(), ReleasedCell.definition_id
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    sets = _communes_of(session, {row[2] for row in rows})
    items = [
        ReleaseLine(
            indicator=indicator,
            period=period,
            territory=territory_of(geography, sets.get(definition, ())),
            released=int(released or 0),
            suppressed=int(suppressed or 0),
            extracts=int(extracts),
            first=utc(first),
            last=utc(last),
        )
        for indicator, period, definition, released, suppressed, extracts, first, last in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def _communes_of(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    wanted, found = sorted(set(ids)), dict[int, tuple[str, ...]]()
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(TerritoryDefinition.id, TerritoryDefinition.communes).where(
                TerritoryDefinition.id.in_(wanted[start : start + _CHUNK])
            )
        )
        found.update((i, tuple(text.split(","))) for i, text in rows)
    return found


def territory_of(geography: Geography, communes: tuple[str, ...]) -> Territory:
    """Name a set of communes: the one commune, the territory it exactly is, or a zone."""
    members = frozenset(communes)
    first = min(members, default="")
    if not first or not geography.exists(GeoLevel.COMMUNE, first):
        return Territory(GeoLevel.ZONE, "", f"zone de {len(members)} communes")
    if len(members) == 1:
        return Territory(GeoLevel.COMMUNE, first, geography.name(GeoLevel.COMMUNE, first))
    parents = geography.parents(GeoLevel.COMMUNE, first)
    for level in _WHOLE_LEVELS:
        code = parents.get(level, FRANCE_CODE if level is GeoLevel.FRANCE else "")
        if code and frozenset(geography.communes_of(level, code)) == members:
            return Territory(level, code, geography.name(level, code))
    return Territory(GeoLevel.ZONE, "", f"zone de {len(members)} communes")
