"""What single-use links do: accept an invitation, ask for a reset link, reset the password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.db.models import Person, Requester
from gateway.services.accounts.passwords import Passwords, check_password
from gateway.services.accounts.signin import find_by_email
from gateway.services.accounts.tokens import issue_token, live_token, use_token
from gateway.services.accounts.values import PersonStatus, TokenPurpose, normalise_email


@dataclass(frozen=True)
class LinkHolder:
    """Who a live link is for, as its page introduces them."""

    email: str
    name: str
    organisation: str


@dataclass(frozen=True)
class IssuedLink:
    """A link to send: the plaintext token exists only in this value."""

    email: str
    name: str
    organisation: str
    purpose: TokenPurpose
    token: str
    expires_at: datetime


def link_holder(session: Session, token: str, purpose: TokenPurpose) -> LinkHolder:
    """Describe the person a live link is for (InvalidLink when it is not live)."""
    _, person = live_token(session, token, purpose)
    requester = session.get(Requester, person.requester_id)
    return LinkHolder(person.email, person.name, requester.name if requester else "")


def accept_invitation(
    session: Session, passwords: Passwords, token: str, password: str, confirmation: str
) -> Person:
    """Set the invited person's password and open the account; the link is spent."""
    return _set_password(session, passwords, token, TokenPurpose.INVITATION, password, confirmation)


def reset_password(
    session: Session, passwords: Passwords, token: str, password: str, confirmation: str
) -> Person:
    """Replace the password; every open session ends and the lockout is lifted."""
    return _set_password(
        session, passwords, token, TokenPurpose.REINITIALISATION, password, confirmation
    )


def _set_password(
    session: Session,
    passwords: Passwords,
    token: str,
    purpose: TokenPurpose,
    password: str,
    confirmation: str,
) -> Person:
    _, person = live_token(session, token, purpose)  # a dead link first: no password check
    check_password(password, confirmation, email=person.email, name=person.name)
    use_token(session, token, purpose)
    now = datetime.now(UTC)
    person.password_hash = passwords.hash(password)
    person.status = PersonStatus.ACTIF.value
    person.session_generation += 1
    person.failed_sign_ins, person.locked_until = 0, None
    person.last_sign_in_at = now  # the page signs them in at once
    session.flush()
    return person


def request_reset(session: Session, email: str) -> IssuedLink | None:
    """Issue a reset link for an active account, a new invitation for an invited one.

    None when the address has no such account: the caller answers the same either way.
    """
    person = find_by_email(session, normalise_email(email))
    if person is None or person.status == PersonStatus.DESACTIVE:
        return None
    requester = session.get(Requester, person.requester_id)
    if requester is None or not requester.active:
        return None
    purpose = (
        TokenPurpose.INVITATION
        if person.status == PersonStatus.INVITE
        else TokenPurpose.REINITIALISATION
    )
    token, expires_at = issue_token(session, person, purpose)
    return IssuedLink(person.email, person.name, requester.name, purpose, token, expires_at)
