"""Requesters in the database: one by id, its Caf, the profile the policies decide on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.db.models import Requester
from policies.access import RequesterProfile
from policies.domain import GeoLevel, RequesterType
from policies.errors import NotFound


def profile_of(requester: Requester) -> RequesterProfile:
    """Return the pure profile the policies decide on."""
    territory = None
    if requester.territory_level and requester.territory_code:
        territory = (GeoLevel(requester.territory_level), requester.territory_code)
    return RequesterProfile(
        id=str(requester.id),
        type=RequesterType(requester.type),
        caf_code=requester.caf_code,
        territory=territory,
    )


def get_requester(session: Session, requester_id: int) -> Requester:
    requester = session.get(Requester, requester_id)
    if requester is None:
        raise NotFound(f"Aucun demandeur n° {requester_id}.")
    return requester


def profile(session: Session, requester_id: int) -> RequesterProfile:
    """Return the profile of a requester (NotFound if absent)."""
    return profile_of(get_requester(session, requester_id))


def caf_of_requester(session: Session, requester_id: int) -> str | None:
    """Return the requester's Caf, None when unknown or national (only national admins act)."""
    requester = session.get(Requester, requester_id)
    return requester.caf_code if requester else None
