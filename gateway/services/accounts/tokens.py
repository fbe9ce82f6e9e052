"""Single-use links: a 256-bit random token, kept as its SHA-256, valid for a while, once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gateway.db.base import as_utc
from gateway.db.models import AccountToken, Person
from gateway.services.accounts.values import RULES, PersonStatus, TokenPurpose
from policies.errors import DomainError


class InvalidLink(DomainError):
    code = "lien_invalide"
    title = "Lien invalide"
    http_status = 410

    def __init__(self) -> None:
        # One answer for unknown, expired and used links: no hint which.
        super().__init__(
            "Ce lien n'est pas ou plus valable : il a expiré, il a déjà servi, ou il est incomplet."
        )


VALIDITY = {
    TokenPurpose.INVITATION: RULES.invitation_validity,
    TokenPurpose.REINITIALISATION: RULES.reset_validity,
}


def digest(token: str) -> str:
    """Hash a token; 256 random bits need no slow hash (nothing to guess from a dictionary)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, person: Person, purpose: TokenPurpose, now: datetime | None = None
) -> tuple[str, datetime]:
    """Issue a link's token (the earlier ones of this purpose die); return it and its expiry."""
    now = now or datetime.now(UTC)
    session.execute(
        delete(AccountToken).where(
            AccountToken.person_id == person.id,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + VALIDITY[purpose]
    session.add(
        AccountToken(
            person_id=person.id,
            purpose=purpose.value,
            token_hash=digest(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token, expires_at


def live_token(
    session: Session, token: str, purpose: TokenPurpose, now: datetime | None = None
) -> tuple[AccountToken, Person]:
    """Return the unused, unexpired link and its person, or raise InvalidLink."""
    now = now or datetime.now(UTC)
    found = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == digest(token), AccountToken.purpose == purpose.value
        )
    )
    if found is None or found.used_at is not None or as_utc(found.expires_at) <= now:
        raise InvalidLink()
    person = session.get(Person, found.person_id)
    if person is None or person.status == PersonStatus.DESACTIVE:
        raise InvalidLink()
    return found, person


def use_token(
    session: Session, token: str, purpose: TokenPurpose, now: datetime | None = None
) -> Person:
    """Spend a link: one conditional update, so that of two concurrent uses only one wins."""
    now = now or datetime.now(UTC)
    found, person = live_token(session, token, purpose, now)
    spent = session.execute(
        update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise InvalidLink()
    return person
