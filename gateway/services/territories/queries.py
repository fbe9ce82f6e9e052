"""Reference geography in the database: seeding from the shipped files, and read queries."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from gateway.db.models import Caf, Territory, TerritoryLink
from gateway.services.paging import Page, paginate
from policies.domain import GeoLevel
from policies.errors import NotFound
from policies.geography import FRANCE_CODE, Geography

LEVELS = (
    GeoLevel.COMMUNE,
    GeoLevel.EPCI,
    GeoLevel.DEPARTEMENT,
    GeoLevel.REGION,
    GeoLevel.FRANCE,
)


def name_key(name: str) -> str:
    """Fold a name for accent- and case-insensitive search ("Évry" matches "evry")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("-", " ")


def geography_is_loaded(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Territory)) != 0


def seed_geography(session: Session, geography: Geography) -> int:
    """Replace the territories, links and Caf by the given geography; return the row count."""
    session.execute(delete(TerritoryLink))
    session.execute(delete(Territory))
    session.execute(delete(Caf).where(~Caf.code.in_(_caf_codes(geography))))
    rows = list(_territory_rows(geography))
    session.execute(insert(Territory), rows)
    ids = {(t.level, t.code): t.id for t in session.execute(select(Territory)).scalars()}
    links = [
        {"child_id": ids[child], "parent_id": ids[parent]} for child, parent in _links(geography)
    ]
    session.execute(insert(TerritoryLink), links)
    _seed_cafs(session, geography)
    return len(rows) + len(links)


def _caf_codes(geography: Geography) -> list[str]:
    return [d.caf.code for d in geography.departements]


def _seed_cafs(session: Session, geography: Geography) -> None:
    existing = set(session.scalars(select(Caf.code)))
    for dep in geography.departements:
        if dep.caf.code not in existing:
            session.add(Caf(code=dep.caf.code, name=dep.caf.nom, departement=dep.code))


def _territory_rows(geography: Geography) -> Iterator[dict[str, object]]:
    for level in LEVELS:
        for code in geography.codes(level):
            name = geography.name(level, code)
            yield {
                "level": level.value,
                "code": code,
                "name": name,
                "name_key": name_key(name),
                "population": geography.population(level, code),
            }


def _links(geography: Geography) -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """Yield (child, parent) pairs; an EPCI is linked to every département it touches."""
    epci_deps: set[tuple[str, str]] = set()
    for commune in geography.communes:
        child = (GeoLevel.COMMUNE.value, commune.code)
        yield child, (GeoLevel.DEPARTEMENT.value, commune.departement)
        if commune.epci:
            yield child, (GeoLevel.EPCI.value, commune.epci)
            epci_deps.add((commune.epci, commune.departement))
    for epci, departement in sorted(epci_deps):
        yield (GeoLevel.EPCI.value, epci), (GeoLevel.DEPARTEMENT.value, departement)
    for dep in geography.departements:
        yield (GeoLevel.DEPARTEMENT.value, dep.code), (GeoLevel.REGION.value, dep.region)
    for region in geography.regions:
        yield (GeoLevel.REGION.value, region.code), (GeoLevel.FRANCE.value, FRANCE_CODE)


@dataclass(frozen=True)
class TerritoryFilter:
    level: str | None = None
    parent_level: str | None = None
    parent_code: str | None = None
    q: str | None = None


def list_territories(session: Session, filters: TerritoryFilter, page: int, per_page: int) -> Page:
    """List territories by level, parent and name, ordered by level then code."""
    query = select(Territory)
    if filters.level:
        query = query.where(Territory.level == filters.level)
    if filters.q:
        query = query.where(Territory.name_key.contains(name_key(filters.q)))
    if filters.parent_level and filters.parent_code:
        parent = aliased(Territory)
        query = (
            query.join(TerritoryLink, TerritoryLink.child_id == Territory.id)
            .join(parent, parent.id == TerritoryLink.parent_id)
            .where(parent.level == filters.parent_level, parent.code == filters.parent_code)
        )
    return paginate(session, query.order_by(Territory.level, Territory.code), page, per_page)


@dataclass(frozen=True)
class TerritoryDetail:
    territory: Territory
    parents: Sequence[Territory]
    children: Sequence[Territory]


def get_territory(session: Session, level: str, code: str) -> TerritoryDetail:
    """Return one territory with its direct parents and children."""
    territory = session.scalar(
        select(Territory).where(Territory.level == level, Territory.code == code)
    )
    if territory is None:
        raise NotFound(f"Aucun territoire de niveau « {level} » ne porte le code « {code} ».")
    parents = _linked(session, TerritoryLink.parent_id, TerritoryLink.child_id, territory.id)
    children = _linked(session, TerritoryLink.child_id, TerritoryLink.parent_id, territory.id)
    return TerritoryDetail(territory=territory, parents=parents, children=children)


def _linked(
    session: Session, them: InstrumentedAttribute[int], us: InstrumentedAttribute[int], own: int
) -> Sequence[Territory]:
    """Return the territories linked to territory `own`, `them` being their side of the link."""
    return session.scalars(
        select(Territory)
        .join(TerritoryLink, them == Territory.id)
        .where(us == own)
        .order_by(Territory.level, Territory.code)
    ).all()


def caf_name(session: Session, caf_code: str) -> str | None:
    """Return the name of a Caf, None when unknown."""
    caf = session.get(Caf, caf_code)
    return caf.name if caf else None


def caf_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Return the names of these Cafs, as stored ("13" -> "Caf des Bouches-du-Rhône")."""
    rows = session.execute(select(Caf.code, Caf.name).where(Caf.code.in_(set(codes))))
    return {str(code): str(name) for code, name in rows}
