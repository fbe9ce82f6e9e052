"""A requester's custom zones: checked (before saving, or as they are saved), listed, described."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import TerritoryDefinition, Zone
from gateway.pipeline.differencing import zone_refusal
from gateway.pipeline.locks import serialise
from gateway.services.ledger.queries import definition_ids
from policies.domain import GeoLevel
from policies.errors import Conflict, InvalidInput, NotFound
from policies.geography import Geography


def create_zone(
    session: Session,
    requester_id: int,
    name: str,
    communes: list[str],
    geography: Geography,
    min_population: int,
    lock_timeout: float = 30.0,
) -> Zone:
    """Store a requester's zone after checking its communes, its size and its neighbours.

    Call it first in its transaction (the step per requester begins it, see `serialise`).
    """
    zone_population(communes, geography, min_population)
    # One zone of a requester at a time: two created at once would each pass the name and the
    # differencing checks against zones without the other (a 500, or two zones a commune apart).
    serialise(session, f"zones|{requester_id}", lock_timeout)
    members = _check_neighbours(session, requester_id, name, communes, geography, min_population)
    zone = Zone(
        requester_id=requester_id,
        name=name,
        definition_id=definition_ids(session, [members])[members],
    )
    session.add(zone)
    session.flush()
    return zone


def check_zone(
    session: Session,
    requester_id: int,
    name: str,
    communes: list[str],
    geography: Geography,
    min_population: int,
) -> int:
    """Check a zone as `create_zone` would, without storing it; return its population.

    Raises the error its creation would raise now (a page shows it before saving).
    """
    population = zone_population(communes, geography, min_population)
    _check_neighbours(session, requester_id, name, communes, geography, min_population)
    return population


def zone_population(communes: list[str], geography: Geography, min_population: int) -> int:
    """Return a zone's population; refuse unknown communes and a zone below the minimum."""
    unknown = sorted({c for c in communes if not geography.exists(GeoLevel.COMMUNE, c)})
    if unknown:
        raise InvalidInput(
            "Communes inconnues.",
            errors={"communes": [f"Code inconnu : {c}." for c in unknown[:20]]},
        )
    population = sum(geography.population(GeoLevel.COMMUNE, c) for c in set(communes))
    if population < min_population:
        raise InvalidInput(
            "Zone trop petite.",
            errors={"communes": [f"Population {population} < {min_population} habitants requis."]},
        )
    return population


def _check_neighbours(
    session: Session,
    requester_id: int,
    name: str,
    communes: list[str],
    geography: Geography,
    min_population: int,
) -> frozenset[str]:
    """Refuse a name already taken, or a zone too close to a territory the requester knows."""
    taken = session.scalar(select(Zone).where(Zone.requester_id == requester_id, Zone.name == name))
    if taken is not None:
        raise Conflict(f"Une zone nommée « {name} » existe déjà (n° {taken.id}).")
    members = frozenset(communes)
    refusal = zone_refusal(session, requester_id, name, members, geography, min_population)
    if refusal is not None:  # a zone its requester could not use: said now, not at extraction
        raise refusal
    return members


def describe_zone(session: Session, zone: Zone, geography: Geography) -> dict[str, Any]:
    definition = session.get(TerritoryDefinition, zone.definition_id)
    communes = definition.communes.split(",") if definition else []
    return {
        "id": zone.id,
        "name": zone.name,
        "communes": communes,
        "population": sum(geography.population(GeoLevel.COMMUNE, c) for c in communes),
    }


def list_zones(session: Session, requester_id: int) -> list[Zone]:
    return list(
        session.scalars(select(Zone).where(Zone.requester_id == requester_id).order_by(Zone.id))
    )


def get_zone(session: Session, requester_id: int, zone_id: int) -> Zone:
    zone = session.get(Zone, zone_id)
    if zone is None or zone.requester_id != requester_id:
        raise NotFound(f"Aucune zone n° {zone_id} pour ce demandeur.")
    return zone
