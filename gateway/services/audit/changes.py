"""Every administrator's change, recorded in the same transaction: who, when, before, after."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import AdminChange
from gateway.services.paging import Page, paginate
from policies.access import Action
from policies.audit_chain import canonical_json


def jsonable(value: Any) -> Any:
    """Turn a snapshot into plain JSON (dates as ISO text, sets sorted, money as text)."""
    return None if value is None else json.loads(canonical_json(value))


def record_change(
    session: Session,
    *,
    actor_id: int | None,
    action: Action,
    entity: str,
    entity_id: object,
    caf_code: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AdminChange:
    """Add the change record to the caller's transaction (it commits or fails with the change).

    `action` is one of the gateway's actions (`ACTIONS`): an unknown name is refused.
    """
    change = AdminChange(
        actor_id=actor_id,
        action=Action(action).value,
        entity=entity,
        entity_id=str(entity_id),
        caf_code=caf_code,
        before=jsonable(before),
        after=jsonable(after),
    )
    session.add(change)
    session.flush()
    return change


def list_changes(
    session: Session,
    *,
    caf_code: str | None,
    entity: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List changes, newest first; a Caf administrator sees only their Caf's (caf_code)."""
    query = select(AdminChange).order_by(AdminChange.id.desc())
    if caf_code is not None:
        query = query.where(AdminChange.caf_code == caf_code)
    if entity is not None:
        query = query.where(AdminChange.entity == entity)
    return paginate(session, query, page, per_page)
