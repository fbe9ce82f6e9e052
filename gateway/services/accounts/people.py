"""People of an organisation as administrators manage them: invite, list, change, disable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import Person, Requester
from gateway.services.accounts.tokens import issue_token
from gateway.services.accounts.values import (
    PersonRole,
    PersonStatus,
    TokenPurpose,
    field_error,
    normalise_email,
)
from gateway.services.audit.changes import Recorded
from gateway.services.requesters.queries import get_requester
from policies.access import Action
from policies.errors import Conflict, NotFound


@dataclass(frozen=True)
class Invitation:
    """A person just invited: the plaintext token exists only in this value."""

    person: Person
    requester: Requester
    token: str
    expires_at: datetime


def snapshot(person: Person) -> dict[str, Any]:
    """What the change log keeps of a person (never a hash)."""
    return {
        "requester_id": person.requester_id,
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "status": person.status,
    }


PERSON = Recorded[Person]("person", lambda p: p.id, snapshot)


def get_person(session: Session, requester_id: int, person_id: int) -> Person:
    """Return a person of this requester (NotFound otherwise: ids do not cross organisations)."""
    person = session.get(Person, person_id)
    if person is None or person.requester_id != requester_id:
        raise NotFound(f"Aucune personne n° {person_id} pour le demandeur n° {requester_id}.")
    return person


def list_people(session: Session, requester_id: int) -> list[Person]:
    get_requester(session, requester_id)
    query = select(Person).where(Person.requester_id == requester_id).order_by(Person.id)
    return list(session.scalars(query))


def invite_person(
    session: Session, actor_id: int | None, requester_id: int, fields: dict[str, Any]
) -> Invitation:
    """Create an invited person of a requester, with an invitation link (recorded change)."""
    requester = get_requester(session, requester_id)
    if not requester.active:
        raise Conflict(f"Le demandeur n° {requester_id} est désactivé : invitation impossible.")
    email = normalise_email(str(fields.get("email") or ""))
    _check_free(session, email)
    person = Person(
        requester_id=requester.id,
        email=email,
        name=_name(fields.get("name")),
        role=PersonRole(fields.get("role") or PersonRole.LECTEUR).value,
        status=PersonStatus.INVITE.value,
        created_by=actor_id,
    )
    session.add(person)
    session.flush()
    token, expires_at = issue_token(session, person, TokenPurpose.INVITATION)
    _record(session, actor_id, Action.PERSON_INVITE, person, requester, None)
    return Invitation(person, requester, token, expires_at)


def reinvite_person(
    session: Session, actor_id: int | None, requester_id: int, person_id: int
) -> Invitation:
    """Send a new invitation link to a person who has not accepted yet (the old one dies)."""
    person = get_person(session, requester_id, person_id)
    if person.status != PersonStatus.INVITE:
        raise Conflict(f"{person.name} a déjà accepté son invitation, ou son compte est désactivé.")
    token, expires_at = issue_token(session, person, TokenPurpose.INVITATION)
    requester = get_requester(session, requester_id)
    _record(session, actor_id, Action.PERSON_INVITE, person, requester, snapshot(person))
    return Invitation(person, requester, token, expires_at)


def update_person(
    session: Session,
    actor_id: int | None,
    requester_id: int,
    person_id: int,
    fields: dict[str, Any],
) -> Person:
    """Change a person's name or role, or disable / enable the account (recorded change)."""
    person = get_person(session, requester_id, person_id)
    before = snapshot(person)
    if "name" in fields:
        person.name = _name(fields["name"])
    if "role" in fields:
        person.role = PersonRole(fields["role"]).value
    if "active" in fields:
        _set_active(person, bool(fields["active"]))
    session.flush()
    _record(
        session,
        actor_id,
        Action.PERSON_UPDATE,
        person,
        get_requester(session, requester_id),
        before,
    )
    return person


def _set_active(person: Person, active: bool) -> None:
    if not active and person.status != PersonStatus.DESACTIVE:
        person.status = PersonStatus.DESACTIVE.value
        person.session_generation += 1  # signed out everywhere, at once
    elif active and person.status == PersonStatus.DESACTIVE:
        person.status = (PersonStatus.ACTIF if person.password_hash else PersonStatus.INVITE).value
        person.failed_sign_ins, person.locked_until = 0, None


def _record(
    session: Session,
    actor_id: int | None,
    action: Action,
    person: Person,
    requester: Requester,
    before: dict[str, Any] | None,
) -> None:
    PERSON.change(session, actor_id, action, person, caf_code=requester.caf_code, before=before)


def _check_free(session: Session, email: str) -> None:
    if session.scalar(select(Person.id).where(Person.email == email)) is not None:
        raise Conflict(f"Un compte existe déjà pour l'adresse {email}.")


def _name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise field_error("name", "Saisissez le nom et le prénom de la personne.")
    if len(name) > 200:
        raise field_error("name", "200 caractères au plus.")
    return name
