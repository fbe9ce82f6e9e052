"""Signing in and out: the password check, the lockout after repeated failures, sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.base import as_utc
from gateway.db.models import Person, Requester
from gateway.services.accounts.passwords import Passwords
from gateway.services.accounts.values import RULES, PersonStatus, normalise_email


class Outcome(StrEnum):
    """How an attempt ended. UNKNOWN is never shown as such: it reads as REFUSED."""

    SIGNED_IN = "connecte"
    REFUSED = "refuse"  # wrong password
    LOCKED = "verrouille"  # too many failures: no password is checked until `locked_until`
    UNKNOWN = "inconnu"  # no active account for this address (the caller answers as REFUSED)


@dataclass(frozen=True)
class Attempt:
    """The result of one sign-in attempt, to commit whatever it is (a failure counts)."""

    outcome: Outcome
    email: str
    person_id: int | None = None
    generation: int = 0
    locked_until: datetime | None = None


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email))


def sign_in(
    session: Session,
    passwords: Passwords,
    email: str,
    password: str,
    now: datetime | None = None,
) -> Attempt:
    """Check an address and a password; count the failure, or open a session's values.

    Returns instead of raising: the failure count must be committed with the attempt.
    After `RULES.lockout_threshold` consecutive failures, the account is locked for
    `RULES.lockout_duration`, during which even the right password is refused.
    """
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    person = find_by_email(session, address)
    if (
        person is None
        or person.status != PersonStatus.ACTIF
        or not _organisation_active(session, person)
    ):
        passwords.verify(None, password)  # as long as a real check
        return Attempt(Outcome.UNKNOWN, address)
    if person.locked_until is not None and as_utc(person.locked_until) > now:
        return Attempt(Outcome.LOCKED, address, person.id, locked_until=as_utc(person.locked_until))
    if not passwords.verify(person.password_hash, password):
        return _failure(person, address, now)
    if person.password_hash and passwords.needs_rehash(person.password_hash):
        person.password_hash = passwords.hash(password)  # parameters raised since
    person.failed_sign_ins, person.locked_until = 0, None
    person.last_sign_in_at = now
    session.flush()
    return Attempt(Outcome.SIGNED_IN, address, person.id, person.session_generation)


def _failure(person: Person, address: str, now: datetime) -> Attempt:
    person.failed_sign_ins += 1
    if person.failed_sign_ins < RULES.lockout_threshold:
        return Attempt(Outcome.REFUSED, address, person.id)
    person.failed_sign_ins = 0
    person.locked_until = now + RULES.lockout_duration
    return Attempt(Outcome.LOCKED, address, person.id, locked_until=person.locked_until)


def sign_out(session: Session, person_id: int) -> None:
    """End every session of the person: the cookies still held carry an older generation."""
    person = session.get(Person, person_id)
    if person is not None:
        person.session_generation += 1
        session.flush()


def person_for_session(
    session: Session,
    person_id: int,
    generation: int,
    signed_in_at: datetime,
    now: datetime | None = None,
) -> Person | None:
    """Return the person a session cookie names, if that session still holds."""
    now = now or datetime.now(UTC)
    if now - signed_in_at > RULES.session_lifetime or signed_in_at > now:
        return None
    person = session.get(Person, person_id)
    if person is None or person.session_generation != generation:
        return None
    if person.status != PersonStatus.ACTIF or not _organisation_active(session, person):
        return None
    return person


def _organisation_active(session: Session, person: Person) -> bool:
    requester = session.get(Requester, person.requester_id)
    return requester is not None and requester.active
