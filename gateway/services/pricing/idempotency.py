"""Idempotency keys: a retried request with the same key gets the first response, not a new effect.

A key is scoped to its requester and endpoint. The first request stores its response
in the same transaction as its effect; a concurrent twin loses the unique constraint
and answers the stored response instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import IdempotencyKey
from policies.errors import DomainError

MAX_KEY_LENGTH = 200


class IdempotencyKeyReused(DomainError):
    code = "cle_idempotence_reutilisee"
    title = "Clé d'idempotence réutilisée"
    http_status = 422


@dataclass(frozen=True)
class Replayable:
    """A response that a retry with the same key receives again."""

    status: int
    body: dict[str, Any]


def request_hash(payload: Mapping[str, Any] | None) -> str:
    """Hash what identifies the request (its body and path parameters)."""
    text = json.dumps(payload or {}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyReused(
            f"En-tête Idempotency-Key invalide : 1 à {MAX_KEY_LENGTH} caractères attendus."
        )
    return key


def stored_response(
    session: Session, *, requester_id: int, endpoint: str, key: str, digest: str
) -> Replayable | None:
    """Return the response stored under a key, refusing a key reused for another request."""
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.requester_id == requester_id,
            IdempotencyKey.endpoint == endpoint,
            IdempotencyKey.key == key,
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise IdempotencyKeyReused(
            "Cette clé d'idempotence a déjà servi pour une autre requête ; "
            "utilisez une nouvelle clé pour une nouvelle demande."
        )
    return Replayable(row.status_code, dict(row.response))


def once(
    session: Session,
    *,
    requester_id: int,
    endpoint: str,
    key: str | None,
    payload: Mapping[str, Any] | None,
    run: Callable[[], Replayable],
) -> Replayable:
    """Run `run` once per key: a retry (or a concurrent twin) gets the stored response."""
    if key is None:
        return run()
    key = check_key(key)
    digest = request_hash(payload)
    replay = stored_response(
        session, requester_id=requester_id, endpoint=endpoint, key=key, digest=digest
    )
    if replay is not None:
        return replay
    result = run()
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKey(
                    requester_id=requester_id,
                    endpoint=endpoint,
                    key=key,
                    request_hash=digest,
                    status_code=result.status,
                    response=result.body,
                )
            )
    except IntegrityError:
        replay = stored_response(
            session, requester_id=requester_id, endpoint=endpoint, key=key, digest=digest
        )
        assert replay is not None  # the twin committed it
        return replay
    return result
