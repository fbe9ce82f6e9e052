"""The register of requesters (organisations and administrators): listing, creation, changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import Caf, Requester, Territory
from gateway.services.audit.changes import Recorded
from gateway.services.paging import Page, paginate, where_equal
from gateway.services.requesters.queries import get_requester
from gateway.services.requesters.territory import confine_to_caf
from policies.access import Action
from policies.domain import GeoLevel, RequesterType
from policies.errors import InvalidInput

#: What an administrator may set; the Caf is fixed at creation (a Caf admin cannot move a
#: requester into another Caf, nor turn one of theirs into a national administrator).
EDITABLE = ("name", "type", "territory_level", "territory_code", "contact_name", "contact_email")
CREATABLE = (*EDITABLE, "caf_code")


def snapshot(requester: Requester) -> dict[str, Any]:
    return {name: getattr(requester, name) for name in (*CREATABLE, "active")}


REQUESTER = Recorded[Requester]("requester", lambda r: r.id, snapshot)


def list_requesters(
    session: Session,
    *,
    caf_code: str | None,
    type: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List requesters by id; `caf_code` restricts to one Caf (None: all, national admins)."""
    query = select(Requester).order_by(Requester.id)
    query = where_equal(query, (Requester.caf_code, caf_code), (Requester.type, type))
    return paginate(session, query, page, per_page)


def create_requester(session: Session, actor_id: int | None, fields: dict[str, Any]) -> Requester:
    """Create a requester after checking its type, Caf and territory."""
    data = {name: fields.get(name) for name in CREATABLE}
    _check(session, data)
    confine_to_caf(session, actor_id, _places(data), "territoire du demandeur")
    requester = Requester(**data)
    session.add(requester)
    session.flush()
    REQUESTER.change(
        session,
        actor_id,
        Action.REQUESTER_CREATE,
        requester,
        caf_code=requester.caf_code,
        before=None,
    )
    return requester


def update_requester(
    session: Session, actor_id: int | None, requester_id: int, fields: dict[str, Any]
) -> Requester:
    """Change a requester's editable fields (and its active flag)."""
    requester = get_requester(session, requester_id)
    before = snapshot(requester)
    changes = {k: v for k, v in fields.items() if k in (*EDITABLE, "active")}
    after = {**before, **changes}
    _check(session, after)
    if _places(after) != _places(before):
        confine_to_caf(session, actor_id, _places(after), "territoire du demandeur")
    for name, value in changes.items():
        setattr(requester, name, value)
    session.flush()
    REQUESTER.change(
        session,
        actor_id,
        Action.REQUESTER_UPDATE,
        requester,
        caf_code=requester.caf_code,
        before=before,
    )
    return requester


def _places(data: dict[str, Any]) -> list[tuple[GeoLevel, str]]:
    level, code = data.get("territory_level"), data.get("territory_code")
    return [(GeoLevel(level), code)] if level and code else []


def _check(session: Session, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    rtype, caf = data.get("type"), data.get("caf_code")
    if rtype == RequesterType.ADMIN_NATIONAL and caf is not None:
        errors["caf_code"] = ["Un administrateur national n'est rattaché à aucune Caf."]
    if rtype in (RequesterType.ADMIN_CAF, RequesterType.GRAND_PUBLIC) and caf is None:
        errors["caf_code"] = ["Caf de rattachement obligatoire pour ce type."]
    if caf is not None and session.get(Caf, caf) is None:
        errors["caf_code"] = [f"Caf « {caf} » inconnue."]
    level, code = data.get("territory_level"), data.get("territory_code")
    if (level is None) != (code is None):
        errors["territory_code"] = ["territory_level et territory_code vont ensemble."]
    elif level is not None and code is not None and not _territory_exists(session, level, code):
        errors["territory_code"] = [f"Territoire {level} {code} inconnu."]
    if errors:
        raise InvalidInput("Certains champs sont invalides.", errors=errors)


def _territory_exists(session: Session, level: str, code: str) -> bool:
    query = select(Territory.id).where(Territory.level == level, Territory.code == code)
    return session.scalar(query) is not None
