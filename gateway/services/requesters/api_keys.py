"""API keys: generated here, shown once, stored as a SHA-256 digest, found by their prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.base import as_utc
from gateway.db.models import ApiKey, Requester

KEY_SCHEME = "cgw"


@dataclass(frozen=True)
class IssuedKey:
    """A freshly generated key: `plaintext` exists only in this value, never in the database."""

    id: int
    prefix: str
    plaintext: str
    expires_at: datetime | None


def digest(plaintext: str) -> str:
    """Hash a key; keys are 256-bit random, so one SHA-256 round suffices (no dictionary risk)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_key(
    session: Session, requester_id: int, label: str = "", expires_at: datetime | None = None
) -> IssuedKey:
    """Create a key for a requester and return its plaintext once."""
    prefix = secrets.token_hex(4)
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        requester_id=requester_id,
        prefix=prefix,
        key_hash=digest(plaintext),
        label=label,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return IssuedKey(id=key.id, prefix=prefix, plaintext=plaintext, expires_at=expires_at)


def parse_prefix(plaintext: str) -> str | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != 8:
        return None
    return parts[1]


def authenticate(session: Session, plaintext: str, now: datetime | None = None) -> ApiKey | None:
    """Return the live key matching `plaintext`, or None (unknown, expired and revoked alike)."""
    prefix = parse_prefix(plaintext)
    if prefix is None:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    now = now or datetime.now(UTC)
    if key is None or not hmac.compare_digest(key.key_hash, digest(plaintext)):
        return None
    if key.revoked_at is not None or (key.expires_at is not None and as_utc(key.expires_at) <= now):
        return None
    requester = session.get(Requester, key.requester_id)
    if requester is None or not requester.active:
        return None
    return key


#: How stale `last_used_at` may be: a burst of calls writes it once, not once per call.
LAST_USED_PRECISION = timedelta(minutes=5)


def note_use(key: ApiKey, now: datetime) -> None:
    """Record that `key` was used, at most once per `LAST_USED_PRECISION` (reads stay reads)."""
    if key.last_used_at is None or as_utc(key.last_used_at) <= now - LAST_USED_PRECISION:
        key.last_used_at = now
