"""Every administrator's change, recorded in the same transaction: who, when, before, after."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import AdminChange
from gateway.services.paging import Page, paginate, where_equal
from policies.access import Action
from policies.audit_chain import canonical_json

#: Every kind of record whose changes the log keeps, and its French name (pages, filters).
CHANGE_ENTITIES = {
    "requester": "Demandeur",
    "person": "Personne",
    "access_request": "Demande d’accès",
    "api_key": "Clé d’API",
    "convention": "Convention",
    "mandatory_clauses": "Clauses obligatoires",
    "policy_matrix": "Matrice d’accès",
    "indicator": "Indicateur du catalogue",
    "tariff_schedule": "Barème tarifaire",
    "subscription": "Abonnement",
    "cell_store": "Entrepôt de cellules",
}

#: The person acting on the pages, for the length of one request: the requester they act as
#: is the change's actor, and several people may act as one administration (`acting_as`).
_ACTING_PERSON: ContextVar[int | None] = ContextVar("acting_person", default=None)


@contextmanager
def acting_as(person_id: int) -> Iterator[None]:
    """Name `person_id` on every change recorded inside (a page's gate wraps its view)."""
    token = _ACTING_PERSON.set(person_id)
    try:
        yield
    finally:
        _ACTING_PERSON.reset(token)


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

    `action` is one of the gateway's actions (`ACTIONS`), `entity` one of `CHANGE_ENTITIES`:
    an unknown name is refused.
    """
    if entity not in CHANGE_ENTITIES:
        raise ValueError(f"unknown kind of record in the change log: {entity}")
    change = AdminChange(
        actor_id=actor_id,
        person_id=_ACTING_PERSON.get(),
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

    def __post_init__(self) -> None:
        if self.entity not in CHANGE_ENTITIES:  # declared once, at import
            raise ValueError(f"unknown kind of record in the change log: {self.entity}")

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
    return changes_between(session, caf_code=caf_code, entity=entity, page=page, per_page=per_page)


def changes_between(
    session: Session,
    *,
    caf_code: str | None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List changes made from `since` to `until` (days included, UTC), newest first."""
    query = where_equal(
        select(AdminChange).order_by(AdminChange.id.desc()),
        (AdminChange.caf_code, caf_code),
        (AdminChange.entity, entity),
    )
    if since is not None:
        query = query.where(AdminChange.at >= _day_start(since))
    if until is not None:
        query = query.where(AdminChange.at < _day_start(until + timedelta(days=1)))
    return paginate(session, query, page, per_page)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
