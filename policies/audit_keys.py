"""The audit chain's keys, and its head as exported outside the database.

The chain's hashes are HMAC-SHA-256 under a key kept outside the database: a database
writer who edits an entry cannot recompute a chain that verifies. The key that signs is
the newest of the ring; former keys (after a rotation) are kept to verify what they signed.

The head is exported as append-only lines, each signed with the current key, so that a
rewrite by someone who also holds the key is still detected against the last export:

    2026-12-02T08:00:00+00:00,120,<head hash>,<HMAC of "time,id,head">
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

#: A key shorter than this is refused (32 characters: 192 bits of `token_urlsafe`).
MIN_KEY_LENGTH = 32
_HEAD_DOMAIN = b"gateway-audit-head\n"
_ID_DOMAIN = b"gateway-audit-key-id\n"


class AuditKeyError(ValueError):
    """A key, or an exported head line, that cannot be used."""


@dataclass(frozen=True, repr=False)
class AuditKeys:
    """The ring: `current` signs new entries; `former` (newest first) only verify."""

    current: bytes
    former: tuple[bytes, ...] = ()

    @classmethod
    def from_text(cls, current: str, former: Iterable[str] = ()) -> AuditKeys:
        """Build the ring from its text form; refuse keys too short to be secret."""
        keys = [current.strip(), *(k.strip() for k in former if k.strip())]
        for key in keys:
            if len(key) < MIN_KEY_LENGTH:
                raise AuditKeyError(f"clé du journal d'audit trop courte ({MIN_KEY_LENGTH} min.)")
        return cls(keys[0].encode(), tuple(k.encode() for k in keys[1:]))

    @property
    def ordered(self) -> tuple[bytes, ...]:
        """Every key, newest first: an entry never goes back to an older key than the last."""
        return (self.current, *self.former)

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def __repr__(self) -> str:
        return f"AuditKeys(current={self.current_id}, former={len(self.former)})"


def key_id(key: bytes) -> str:
    """Name a key without revealing it (what a log line or a report may show)."""
    return hashlib.sha256(_ID_DOMAIN + key).hexdigest()[:16]


def mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


class Checkpoint(NamedTuple):
    """One exported head: when, the last entry's id, its hash."""

    at: str
    entry_id: int
    head: str


def head_line(keys: AuditKeys, at: datetime, entry_id: int, head: str) -> str:
    """Return the export line of a head, signed with the current key (no newline)."""
    body = f"{at.isoformat()},{entry_id},{head}"
    return f"{body},{mac(keys.current, _HEAD_DOMAIN + body.encode())}"


def read_head_lines(keys: AuditKeys, lines: Iterable[str]) -> list[Checkpoint]:
    """Parse exported lines; refuse the whole file at the first line no key of the ring signed."""
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.strip().split(",")
        if len(parts) != 4 or not parts[1].isdigit():
            raise AuditKeyError(f"ligne {number} du fichier des têtes illisible")
        body = ",".join(parts[:3]).encode()
        if not any(
            hmac.compare_digest(mac(k, _HEAD_DOMAIN + body), parts[3]) for k in keys.ordered
        ):
            raise AuditKeyError(f"ligne {number} du fichier des têtes altérée : signature invalide")
        found.append(Checkpoint(parts[0], int(parts[1]), parts[2]))
    return found
