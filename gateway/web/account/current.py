"""Who is signed in: `current_person()` and `login_required`, for every page blueprint.

The session cookie (signed, HttpOnly, SameSite=Lax, Secure in production) holds the
person's id, the generation of their sessions and when they signed in; the database has
the last word: a person disabled, signed out elsewhere or whose password changed, or whose
organisation was disabled, is signed out at their next request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import g, redirect, request, session, url_for

from gateway.db.models import Caf, Person, Requester
from gateway.services.accounts.signin import person_for_session
from gateway.services.accounts.values import PersonRole
from gateway.services.requesters.queries import profile_of
from gateway.state import request_session
from policies.access import Caller, RequesterProfile

F = TypeVar("F", bound=Callable[..., Any])
_PERSON, _GENERATION, _SINCE = "personne", "generation", "depuis"
_CACHE = "account_person"


@dataclass(frozen=True)
class SignedInPerson:
    """The signed-in person, and the organisation they act as."""

    id: int
    name: str
    email: str
    role: PersonRole
    requester_id: int
    organisation: str
    caf_name: str | None
    profile: RequesterProfile

    @property
    def caller(self) -> Caller:
        """Who asks, as a key of the organisation would make it (the pipeline's caller).

        A signed-in person acts as their requester (no key prefix: the audit entry has none).
        """
        return Caller(self.requester_id, self.profile, None, self.organisation)


def current_person() -> SignedInPerson | None:
    """Return the signed-in person of this request, or None (looked up once per request)."""
    if _CACHE not in g:
        setattr(g, _CACHE, _load())
    found: SignedInPerson | None = getattr(g, _CACHE)
    return found


def signed_in() -> SignedInPerson:
    """Return the person a page's gate signed in (`login_required` ran before the view)."""
    person = current_person()
    assert person is not None
    return person


def _load() -> SignedInPerson | None:
    try:
        person_id, generation = int(session[_PERSON]), int(session[_GENERATION])
        since = datetime.fromtimestamp(float(session[_SINCE]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    db = request_session()
    person = person_for_session(db, person_id, generation, since)
    if person is None:
        session.clear()  # stale: forget it, and its CSRF token with it
        return None
    return _signed_in(person, db.get(Requester, person.requester_id))


def _signed_in(person: Person, requester: Requester | None) -> SignedInPerson:
    assert requester is not None  # person_for_session checked it
    caf = request_session().get(Caf, requester.caf_code) if requester.caf_code else None
    return SignedInPerson(
        id=person.id,
        name=person.name,
        email=person.email,
        role=PersonRole(person.role),
        requester_id=requester.id,
        organisation=requester.name,
        caf_name=caf.name if caf else None,
        profile=profile_of(requester),
    )


def open_session(person_id: int, generation: int) -> None:
    """Start a new session for a person who just proved who they are.

    Everything the browser's session held before is dropped (its CSRF token included): a
    session planted before sign-in cannot be the one signed in.
    """
    session.clear()
    g.pop("csrf_token", None)
    g.pop(_CACHE, None)
    session[_PERSON] = person_id
    session[_GENERATION] = generation
    session[_SINCE] = datetime.now(UTC).timestamp()


def close_session() -> None:
    session.clear()
    g.pop("csrf_token", None)
    g.pop(_CACHE, None)


def login_required(view: F) -> F:
    """Send a visitor who is not signed in to the sign-in page, then back here."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_person() is None:
            back = request.full_path if request.method == "GET" else None
            return redirect(url_for("compte.sign_in", suivant=back), 303)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a path of this site (no open redirect), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target.rstrip("?") or None
