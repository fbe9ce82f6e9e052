"""Every administrator's change, recorded in the same transaction: who, when, before, after."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import AdminChange
from gateway.services.paging import Page, paginate, where_equal
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


R = TypeVar("R")


@dataclass(frozen=True)
class Recorded(Generic[R]):
    """A kind of record whose changes the log keeps: its entity's name, its key, and what of
    it is kept (the `before` and `after` of a change)."""

    entity: str
    key: Callable[[R], object]
    snapshot: Callable[[R], dict[str, Any]]

    def change(
        self,
        session: Session,
        actor_id: int | None,
        action: Action,
        record: R,
        *,
        caf_code: str | None,
        before: dict[str, Any] | None,
    ) -> AdminChange:
        """Record a change of `record`, as it is now (`after`), in the caller's transaction."""
        return record_change(
            session,
            actor_id=actor_id,
            action=action,
            entity=self.entity,
            entity_id=self.key(record),
            caf_code=caf_code,
            before=before,
            after=self.snapshot(record),
        )


def list_changes(
    session: Session,
    *,
    caf_code: str | None,
    entity: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List changes, newest first; a Caf administrator sees only their Caf's (caf_code)."""
    query = where_equal(
        select(AdminChange).order_by(AdminChange.id.desc()),
        (AdminChange.caf_code, caf_code),
        (AdminChange.entity, entity),
    )
    return paginate(session, query, page, per_page)
