"""What the console shows of organisations: a listing with counts, and the Caf's territories.

Read-only: the register's changes stay in `registry` (the same calls as the admin API).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from gateway.db.models import ApiKey, Caf, Person, Requester, Territory, TerritoryLink
from gateway.services.paging import Page, paginate, where_equal
from gateway.services.requesters.keys import key_view
from gateway.services.requesters.territory import home_departement
from gateway.services.territories.queries import name_key
from policies.domain import GeoLevel

#: The levels a requester's territory is chosen from, coarsest first (the listing's order).
PICKABLE = (GeoLevel.REGION, GeoLevel.DEPARTEMENT, GeoLevel.EPCI, GeoLevel.COMMUNE)
SEARCH_LIMIT = 30


@dataclass(frozen=True)
class OrganisationRow:
    """One requester as the console lists it."""

    requester: Requester
    territory_name: str | None
    people: int
    active_keys: int


def list_organisations(
    session: Session,
    *,
    caf_code: str | None,
    q: str | None = None,
    type: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """List requesters by name (`caf_code` None: every Caf), each with its counts."""
    query = where_equal(
        select(Requester).order_by(Requester.name, Requester.id),
        (Requester.caf_code, caf_code),
        (Requester.type, type),
    )
    if q and q.strip():
        query = query.where(Requester.name.ilike(f"%{q.strip()}%"))
    found = paginate(session, query, page, per_page)
    rows = organisation_rows(session, found.items)
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


def organisation_rows(session: Session, requesters: Sequence[Requester]) -> list[OrganisationRow]:
    """Count each requester's people and live keys, and name its territory (three queries)."""
    ids = [r.id for r in requesters]
    counted = session.execute(
        select(Person.requester_id, func.count(Person.id))
        .where(Person.requester_id.in_(ids))
        .group_by(Person.requester_id)
    )
    people = {int(rid): int(count) for rid, count in counted}
    live: dict[int, int] = {}
    now = datetime.now(UTC)
    for key in session.scalars(select(ApiKey).where(ApiKey.requester_id.in_(ids))):
        if key_view(key, now).status == "active":
            live[key.requester_id] = live.get(key.requester_id, 0) + 1
    names = territory_names(session, [(r.territory_level, r.territory_code) for r in requesters])
    return [
        OrganisationRow(
            r,
            names.get((r.territory_level, r.territory_code)),
            people.get(r.id, 0),
            live.get(r.id, 0),
        )
        for r in requesters
    ]


def territory_names(
    session: Session, places: Iterable[tuple[str | None, str | None]]
) -> dict[tuple[str | None, str | None], str]:
    """Return the name of each (level, code) given that exists."""
    wanted = {(level, code) for level, code in places if level and code}
    if not wanted:
        return {}
    rows = session.execute(
        select(Territory.level, Territory.code, Territory.name).where(
            Territory.code.in_({code for _, code in wanted})
        )
    )
    return {(lvl, code): name for lvl, code, name in rows if (lvl, code) in wanted}


def caf_territories(
    session: Session, caf_code: str | None, q: str = "", limit: int = SEARCH_LIMIT
) -> list[Territory]:
    """Return the territories a requester of this Caf may be given, matching `q`.

    Those `confine_to_caf` accepts: the département, its communes, the EPCI whose
    inhabitants live mostly there (and the région, for a one-département région). Without
    `q`, the short lists only (région, département, EPCI); `caf_code` None: all of France.
    At most `limit` of each level.
    """
    text = q.strip()
    if not text and caf_code is None:
        return []
    caf = session.get(Caf, caf_code) if caf_code else None
    if caf_code and caf is None:
        return []
    home = _territory_id(session, GeoLevel.DEPARTEMENT, caf.departement) if caf else None
    levels = PICKABLE if text else PICKABLE[:3]
    found: list[Territory] = []
    for level in levels:
        query = _matching(select(Territory).where(Territory.level == level.value), text)
        if home is not None:
            query = query.where(Territory.id.in_(_related(level, home)))
        rows: list[Territory] = list(session.scalars(query.order_by(Territory.name).limit(limit)))
        if caf is not None and level is GeoLevel.REGION:
            rows = [t for t in rows if home_departement(session, level, t.code) == caf.departement]
        if caf is not None and level is GeoLevel.EPCI:
            homes = epci_homes(session, [t.id for t in rows])
            rows = [t for t in rows if homes.get(t.id) == home]
        found.extend(rows)
    return found


def _territory_id(session: Session, level: GeoLevel, code: str) -> int | None:
    query = select(Territory.id).where(Territory.level == level.value, Territory.code == code)
    return session.scalar(query)


def _related(level: GeoLevel, departement_id: int) -> Select[Any]:
    """The ids of the territories of `level` linked to a département (by id), or it.

    Subqueries on the link table's two indexes: SQLite plans the equivalent joins badly.
    """
    communes = select(TerritoryLink.child_id).where(TerritoryLink.parent_id == departement_id)
    if level is GeoLevel.DEPARTEMENT:
        return select(Territory.id).where(Territory.id == departement_id)
    if level is GeoLevel.COMMUNE:
        return communes
    if level is GeoLevel.REGION:
        return select(TerritoryLink.parent_id).where(TerritoryLink.child_id == departement_id)
    # An EPCI: one of its communes lies in the département (the majority is checked after).
    return select(TerritoryLink.parent_id).where(TerritoryLink.child_id.in_(communes))


def epci_homes(session: Session, epci_ids: Sequence[int]) -> dict[int, int]:
    """Return each EPCI's département (by ids), as `home_departement` finds it, in one query:
    the one holding most of its inhabitants (the lower code on a tie)."""
    commune, dept = aliased(Territory), aliased(Territory)
    up, down = aliased(TerritoryLink), aliased(TerritoryLink)
    population = func.sum(func.coalesce(commune.population, 0))
    rows = session.execute(
        select(up.parent_id, dept.id, dept.code, population)
        .select_from(up)
        .join(commune, commune.id == up.child_id)
        .join(down, down.child_id == commune.id)
        .join(dept, dept.id == down.parent_id)
        .where(
            up.parent_id.in_(epci_ids),
            commune.level == GeoLevel.COMMUNE.value,
            dept.level == GeoLevel.DEPARTEMENT.value,
        )
        .group_by(up.parent_id, dept.id, dept.code)
    )
    best: dict[int, tuple[int, str, int]] = {}
    for epci_id, dept_id, dept_code, people in rows:
        rank = (-int(people or 0), str(dept_code), int(dept_id))
        if epci_id not in best or rank < best[epci_id]:
            best[epci_id] = rank
    return {epci_id: dept_id for epci_id, (_, _, dept_id) in best.items()}


def _matching(query: Select[Any], text: str) -> Select[Any]:
    if not text:
        return query
    code = "".join(text.split()).upper()
    return query.where(or_(Territory.name_key.contains(name_key(text)), Territory.code == code))
