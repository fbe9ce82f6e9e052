"""A Caf administrator registers requesters and convention territories within its Caf only."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gateway.db.models import Caf, Requester, Territory, TerritoryLink
from policies.access.scope import territories_label
from policies.access.values import deny
from policies.domain import GeoLevel, RequesterType
from policies.refusals import Refusal, Rule

Place = tuple[GeoLevel, str]


def home_departement(session: Session, level: GeoLevel, code: str) -> str | None:
    """Return the département a territory belongs to: the one holding most of its population.

    A commune or a département has one; an EPCI straddling départements belongs to the one
    where most of its inhabitants live; a région of one département, to it; else None.
    """
    if level is GeoLevel.DEPARTEMENT:
        return code
    if level is GeoLevel.REGION:
        found = _departements_of_region(session, code)
        return found[0] if len(found) == 1 else None
    if level not in (GeoLevel.COMMUNE, GeoLevel.EPCI):
        return None
    commune, parent, departement = aliased(Territory), aliased(Territory), aliased(Territory)
    up, down = aliased(TerritoryLink), aliased(TerritoryLink)
    query = (
        select(departement.code)
        .select_from(commune)
        .join(departement, departement.level == GeoLevel.DEPARTEMENT.value)
        .join(down, (down.child_id == commune.id) & (down.parent_id == departement.id))
        .where(commune.level == GeoLevel.COMMUNE.value)
        .group_by(departement.code)
        .order_by(func.sum(func.coalesce(commune.population, 0)).desc(), departement.code)
        .limit(1)
    )
    if level is GeoLevel.COMMUNE:
        query = query.where(commune.code == code)
    else:
        query = query.join(up, up.child_id == commune.id).join(
            parent,
            (parent.id == up.parent_id) & (parent.level == level.value) & (parent.code == code),
        )
    return session.scalar(query)


def _departements_of_region(session: Session, code: str) -> list[str]:
    region, departement = aliased(Territory), aliased(Territory)
    return list(
        session.scalars(
            select(departement.code)
            .join(TerritoryLink, TerritoryLink.child_id == departement.id)
            .join(region, region.id == TerritoryLink.parent_id)
            .where(
                departement.level == GeoLevel.DEPARTEMENT.value,
                region.level == GeoLevel.REGION.value,
                region.code == code,
            )
        )
    )


def confine_to_caf(
    session: Session, actor_id: int | None, places: Iterable[Place], what: str
) -> None:
    """Refuse (403) a Caf administrator any territory outside its Caf; others are unrestricted.

    National administrators and the system itself (no actor: seeds, command line) may
    register any territory; `what` names the field in the refusal.
    """
    actor = session.get(Requester, actor_id) if actor_id is not None else None
    if actor is None or actor.type != RequesterType.ADMIN_CAF.value:
        return
    caf = session.get(Caf, actor.caf_code) if actor.caf_code else None
    home = caf.departement if caf else None
    outside = [p for p in dict.fromkeys(places) if home_departement(session, *p) != home]
    if not outside:
        return
    where = f"de la {caf.name} (département {home})" if caf else "d'une Caf de rattachement"
    deny(
        Refusal(
            Rule.TERRITOIRE_CAF,
            f"{what} : {territories_label(outside)} hors du territoire {where}",
            "seul un administrateur national (Cnaf), ou la Caf de ce territoire, l'enregistre",
        ),
        applied=(Rule.TERRITOIRE_CAF,),
    ).raise_if_refused()
