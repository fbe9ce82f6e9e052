"""API keys as administrators manage them: issue (shown once), list, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.base import as_utc
from gateway.db.models import ApiKey
from gateway.services.audit.changes import Recorded
from gateway.services.requesters.api_keys import IssuedKey, issue_key
from gateway.services.requesters.queries import get_requester
from policies.access import Action
from policies.errors import Conflict, InvalidInput, NotFound

DEFAULT_VALIDITY = timedelta(days=365)


@dataclass(frozen=True)
class KeyView:
    """A key as listed: never its hash."""

    id: int
    prefix: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    status: str  # active, expiree, revoquee


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def key_view(key: ApiKey, now: datetime | None = None) -> KeyView:
    now = now or datetime.now(UTC)
    expires = _aware(key.expires_at)
    status = "active"
    if key.revoked_at is not None:
        status = "revoquee"
    elif expires is not None and expires <= now:
        status = "expiree"
    return KeyView(
        id=key.id,
        prefix=key.prefix,
        label=key.label,
        created_at=_aware(key.created_at) or now,
        expires_at=expires,
        revoked_at=_aware(key.revoked_at),
        last_used_at=_aware(key.last_used_at),
        status=status,
    )


def _snapshot(key: ApiKey) -> dict[str, Any]:
    view = key_view(key)
    return {
        "prefix": view.prefix,
        "label": view.label,
        "expires_at": view.expires_at,
        "revoked_at": view.revoked_at,
        "requester_id": key.requester_id,
    }


API_KEY = Recorded[ApiKey]("api_key", lambda k: k.prefix, _snapshot)


def create_key(
    session: Session,
    actor_id: int | None,
    requester_id: int,
    label: str = "",
    expires_at: datetime | None = None,
) -> IssuedKey:
    """Issue a key for a requester (default: valid one year); the plaintext is returned once."""
    requester = get_requester(session, requester_id)
    now = datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput(
            "Certains champs sont invalides.",
            errors={"expires_at": ["Date d'expiration déjà passée."]},
        )
    expires_at = expires_at or now + DEFAULT_VALIDITY
    issued = issue_key(session, requester.id, label=label, expires_at=expires_at)
    key = session.get(ApiKey, issued.id)
    assert key is not None
    API_KEY.change(
        session, actor_id, Action.API_KEY_CREATE, key, caf_code=requester.caf_code, before=None
    )
    return issued


def list_keys(session: Session, requester_id: int) -> list[KeyView]:
    get_requester(session, requester_id)
    keys = session.scalars(
        select(ApiKey).where(ApiKey.requester_id == requester_id).order_by(ApiKey.id)
    )
    return [key_view(k) for k in keys]


def _key(session: Session, requester_id: int, prefix: str) -> ApiKey:
    key = session.scalar(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.requester_id == requester_id)
    )
    if key is None:
        raise NotFound(f"Aucune clé de préfixe « {prefix} » pour le demandeur n° {requester_id}.")
    return key


def revoke_key(session: Session, actor_id: int | None, requester_id: int, prefix: str) -> KeyView:
    """Revoke a key for good; revoking twice is a conflict."""
    key = _key(session, requester_id, prefix)
    if key.revoked_at is not None:
        raise Conflict(f"La clé « {prefix} » est déjà révoquée.")
    before = _snapshot(key)
    key.revoked_at = datetime.now(UTC)
    session.flush()
    caf_code = get_requester(session, requester_id).caf_code
    API_KEY.change(session, actor_id, Action.API_KEY_REVOKE, key, caf_code=caf_code, before=before)
    return key_view(key)
