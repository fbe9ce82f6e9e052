"""Helpers of the organisation and access-request page tests: the change log, the state, data."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from gateway.db.models import AccessRequestRecord, AdminChange, ApiKey, Person, Requester
from gateway.services.accounts.access_requests import submit_access_request
from gateway.services.accounts.people import invite_person
from gateway.services.requesters.api_keys import issue_key
from tests.support.state import get_database


def changes(app: Flask, entity: str) -> list[dict[str, Any]]:
    """The change log's records of `entity`, oldest first (action, actor, before, after)."""
    with app.app_context(), get_database().transaction() as session:
        rows = session.scalars(
            select(AdminChange).where(AdminChange.entity == entity).order_by(AdminChange.id)
        ).all()
        return [
            {
                "action": r.action,
                "actor_id": r.actor_id,
                "entity_id": r.entity_id,
                "caf_code": r.caf_code,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ]


def state(app: Flask) -> tuple[Any, ...]:
    """Everything the organisation pages may change, to compare before and after a refusal."""
    with app.app_context(), get_database().transaction() as session:
        return (
            session.scalar(select(func.count(AdminChange.id))),
            tuple(session.execute(select(Requester.id, Requester.name, Requester.active))),
            tuple(session.execute(select(Person.id, Person.status, Person.name))),
            tuple(session.execute(select(ApiKey.prefix, ApiKey.revoked_at))),
            tuple(session.execute(select(AccessRequestRecord.id, AccessRequestRecord.status))),
        )


def access_request(
    app: Flask, caf: str = "13", organisation: str = "Commune de Cassis", commune: str = "13022"
) -> int:
    """An organisation's pending access request, as the portal's form records it."""
    fields: dict[str, Any] = {
        "caf_code": caf,
        "organisation": organisation,
        "siret": "73282932000074",
        "requester_type": "commune",
        "territory_level": "commune",
        "territory_code": commune,
        "purpose": "Diagnostic petite enfance de la commune pour le schéma",
        "contact_name": "Léa Roux",
        "contact_email": f"lea.roux@{commune}.exemple.fr",
    }
    with app.app_context(), get_database().transaction() as session:
        return submit_access_request(session, fields).id


def invited(app: Flask, requester_id: int, email: str, name: str = "Sam Durand") -> int:
    """A person invited into a requester (not yet accepted)."""
    fields = {"email": email, "name": name, "role": "lecteur"}
    with app.app_context(), get_database().transaction() as session:
        return invite_person(session, None, requester_id, fields).person.id


def key(app: Flask, requester_id: int, label: str = "Tableau de bord") -> str:
    """A live key of a requester: its prefix."""
    with app.app_context(), get_database().transaction() as session:
        return issue_key(session, requester_id, label=label).prefix
