"""Extract services for the API: the app's pipeline, job status, stored results, zones."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import get_settings
from gateway.db import get_database
from gateway.db.models import Extract, Zone
from gateway.db.models.extracts import DELIVERED
from gateway.delivery import FORMATS, Delivery, filename
from gateway.pipeline.deliver import stored_delivery
from gateway.pipeline.differencing import zone_refusal
from gateway.pipeline.jobs import JobRunner
from gateway.pipeline.locks import serialise
from gateway.pipeline.prepare import Caller
from gateway.pipeline.run import Pipeline
from gateway.services.catalogue import current_catalogue
from gateway.services.ledger import definition_ids
from gateway.services.requesters import caf_of_requester
from policies.access import RequesterProfile, may_see
from policies.domain import GeoLevel
from policies.errors import Conflict, InvalidInput, NotFound
from policies.geography import Geography


def pipeline(app: Flask | None = None) -> Pipeline:
    """Return the app's pipeline, created on first use (the store is opened lazily)."""
    app = app or current_app
    if "gateway.pipeline" not in app.extensions:
        jobs = JobRunner()
        app.extensions["gateway.pipeline"] = Pipeline(get_database(), get_settings(app), jobs)
    found: Pipeline = app.extensions["gateway.pipeline"]
    return found


def rendered(delivery: Delivery, format_name: str) -> tuple[bytes, str, str]:
    """Return the file of a delivery: bytes, media type and file name."""
    renderer = FORMATS[format_name]
    return renderer.render(delivery), renderer.media_type, filename(delivery, format_name)


def owned_extract(session: Session, extract_id: str, caller: Caller) -> Extract:
    """Return an extract its requester, or an administrator of its Caf, may see."""
    extract = session.get(Extract, extract_id)
    profile = caller.profile
    if extract is None or not _may_see(session, extract, profile):
        raise NotFound(f"Aucun extrait « {extract_id} » pour ce demandeur.")
    return extract


def _may_see(session: Session, extract: Extract, profile: RequesterProfile) -> bool:
    if extract.requester_id is None:  # socle commun: public by definition
        return True
    owner_caf = caf_of_requester(session, extract.requester_id)
    return may_see(profile, extract.requester_id, owner_caf)


def status_of(extract: Extract) -> dict[str, Any]:
    base = f"/api/v1/extracts/{extract.id}"
    links = {"statut": base}
    if extract.status == DELIVERED:
        links |= {name: f"{base}/download?format={name}" for name in sorted(FORMATS)}
    return {
        "id": extract.id,
        "statut": extract.status,
        "progression": extract.progress,
        "cellules": extract.cells_delivered,
        "cellules_masquees": extract.cells_suppressed,
        "convention": extract.convention_ref,
        "facture": extract.invoice_number,
        "erreur": extract.error,
        "liens": links,
    }


def download(session: Session, extract: Extract, format_name: str) -> tuple[bytes, str, str]:
    if extract.status != DELIVERED or extract.result is None:
        raise Conflict(
            f"L'extrait {extract.id} n'est pas encore livré (statut : {extract.status})."
        )
    delivery = stored_delivery(extract, current_catalogue(session))
    return rendered(delivery, format_name)


# --- custom zones -------------------------------------------------------------------------


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
    # One zone of a requester at a time: two created at once would each pass the name and the
    # differencing checks against zones without the other (a 500, or two zones a commune apart).
    serialise(session, f"zones|{requester_id}", lock_timeout)
    taken = session.scalar(select(Zone).where(Zone.requester_id == requester_id, Zone.name == name))
    if taken is not None:
        raise Conflict(f"Une zone nommée « {name} » existe déjà (n° {taken.id}).")
    members = frozenset(communes)
    refusal = zone_refusal(session, requester_id, name, members, geography, min_population)
    if refusal is not None:  # a zone its requester could not use: said now, not at extraction
        raise refusal
    zone = Zone(
        requester_id=requester_id,
        name=name,
        definition_id=definition_ids(session, [members])[members],
    )
    session.add(zone)
    session.flush()
    return zone


def describe_zone(session: Session, zone: Zone, geography: Geography) -> dict[str, Any]:
    from gateway.db.models import TerritoryDefinition

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
