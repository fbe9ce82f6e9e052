"""Append-only audit log as a hash chain: each entry carries the hash of the previous one.

An entry's hash is an HMAC-SHA-256 under the key of `AuditKeys` (kept outside the database);
entries written before the gateway had a key keep their plain SHA-256, and may only come
first: once an entry is signed, every later one is (see `verify_chain`).

Usable from the command line on a JSON-lines export (one entry per line with
`id`, `payload`, `prev_hash`, `hash`; the key, if the chain is signed, in GATEWAY_AUDIT_KEY):

    python -m policies.audit_chain journal.jsonl
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from policies.access.values import AccessRequest
from policies.audit_keys import AuditKeys, Checkpoint, mac

#: The `prev_hash` of the first entry.
GENESIS_HASH = "0" * 64


def _jsonable(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)  # money stays exact: "12.30", never a float
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"valeur non sérialisable dans le journal : {type(value).__name__}")


def canonical_json(payload: object) -> str:
    """Serialize a payload canonically: sorted keys, no spaces, UTF-8 kept, no floats."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    )


def entry_hash(prev_hash: str, payload: object, key: bytes | None = None) -> str:
    """Return the HMAC-SHA-256 under `key` of the previous hash and the canonical payload.

    Without a key, the plain SHA-256 of the entries written before the chain was keyed.
    """
    data = _hashed(prev_hash, payload)
    return hashlib.sha256(data).hexdigest() if key is None else mac(key, data)


def _hashed(prev_hash: str, payload: object) -> bytes:
    return f"{prev_hash}\n{canonical_json(payload)}".encode()


def request_fingerprint(request: AccessRequest) -> str:
    """Return a stable SHA-256 of a request (order of its lists does not matter)."""
    return hashlib.sha256(canonical_json(request.canonical()).encode()).hexdigest()


class ChainEntry(NamedTuple):
    id: int | str
    payload: object
    prev_hash: str
    hash: str


def chain_entry(
    entry_id: int | str,
    payload: object,
    prev_hash: str = GENESIS_HASH,
    key: bytes | None = None,
) -> ChainEntry:
    """Build the next entry of the chain after the entry whose hash is `prev_hash`."""
    return ChainEntry(entry_id, payload, prev_hash, entry_hash(prev_hash, payload, key))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    first_bad_id: int | str | None = None
    reason: str = ""
    checked: int = 0


_UNKEYED = -1  # the signer of an entry written before the chain was keyed


def _signer(keys: AuditKeys | None, entry: ChainEntry) -> int | None:
    """Return the index in the ring of the key that signed `entry`, `_UNKEYED`, or None."""
    data = _hashed(entry.prev_hash, entry.payload)
    for index, key in enumerate(keys.ordered if keys is not None else ()):
        if hmac.compare_digest(mac(key, data), entry.hash):
            return index
    return _UNKEYED if hashlib.sha256(data).hexdigest() == entry.hash else None


class _Walk:
    """The state of one verification: the previous hash, the last signer, the exports met."""

    def __init__(
        self, keys: AuditKeys | None, checkpoints: Iterable[Checkpoint], after: str
    ) -> None:
        self.keys, self.prev, self.count = keys, after, 0
        self.last_signer: int | None = None
        self.last_matched = 0
        self.exported: dict[int, list[Checkpoint]] = {}
        for checkpoint in checkpoints:
            self.exported.setdefault(checkpoint.entry_id, []).append(checkpoint)

    def step(self, entry: ChainEntry) -> str:
        """Check one entry; return what is wrong with it ("" when sound), then move on."""
        if entry.prev_hash != self.prev:
            return "chaînage rompu : entrée précédente supprimée, déplacée ou modifiée"
        signer = _signer(self.keys, entry)
        if signer is None:
            return "contenu modifié : empreinte invalide"
        if signer == _UNKEYED and self.last_signer is not None:
            return (
                "entrée non signée après des entrées signées : empreintes recalculées sans la clé"
            )
        if self.last_signer is not None and signer > self.last_signer:
            return "entrée signée par une clé retirée après une clé plus récente"
        if signer != _UNKEYED:
            self.last_signer = signer
        wrong = self._exported(entry)
        self.prev, self.count = entry.hash, self.count + 1
        return wrong

    def _exported(self, entry: ChainEntry) -> str:
        """Compare the entry with its exported heads: a rewrite made with the key shows here."""
        if not self.exported or not isinstance(entry.id, int):
            return ""
        entry_id = entry.id
        exported = self.exported.pop(entry_id, [])
        for checkpoint in exported:
            if checkpoint.head != entry.hash:
                return (
                    f"journal réécrit : l'entrée n° {entry_id} n'a plus l'empreinte exportée le "
                    f"{checkpoint.at} (entrées réécrites entre le n° {self.last_matched + 1} "
                    f"et le n° {entry_id})"
                )
        if exported:
            self.last_matched = entry_id
        return ""

    def end(self, expected_head: str | None) -> ChainReport:
        """Check what only the whole chain tells: signed at all, its head, every export met."""
        if self.keys is not None and self.count and self.last_signer is None:
            reason = "aucune entrée signée : chaîne recalculée sans la clé du journal"
            return ChainReport(False, None, reason, self.count)
        missing = sorted(i for i in self.exported if i > 0)
        if missing:
            at = self.exported[missing[0]][0].at
            reason = (
                f"tête exportée le {at} introuvable : entrée n° {missing[0]} supprimée "
                "ou fin du journal tronquée"
            )
            return ChainReport(False, missing[0], reason, self.count)
        if expected_head is not None and self.prev != expected_head:
            return ChainReport(
                False, None, "fin du journal tronquée ou tête inattendue", self.count
            )
        return ChainReport(True, None, "", self.count)


def verify_chain(
    entries: Iterable[ChainEntry | tuple[int | str, object, str, str]],
    expected_head: str | None = None,
    keys: AuditKeys | None = None,
    checkpoints: Iterable[Checkpoint] = (),
    after: str = GENESIS_HASH,
) -> ChainReport:
    """Walk the chain in order and report the first entry that was edited, removed or moved.

    With `keys`, entries must be signed by a key of the ring (unsigned ones only before the
    first signed one, never back to an older key), and a chain of entries none of which is
    signed is refused. Removing the last entries leaves a valid shorter chain: pass the head
    hash kept elsewhere as `expected_head` to detect it. `checkpoints`, the heads exported
    outside the database, catch a rewrite that is consistent under the key. `after`: the hash
    the first entry follows (an exported head, to verify only what was appended since).
    """
    walk = _Walk(keys, checkpoints, after)
    for entry in entries:
        wrong = walk.step(ChainEntry(*entry))
        if wrong:
            return ChainReport(False, entry[0], wrong, walk.count)
    return walk.end(expected_head)


@dataclass(frozen=True)
class AuditEvent:
    """One decision or delivery, as written to the log."""

    at: datetime
    kind: str  # "decision" or "livraison"
    requester_id: str | None
    key_prefix: str | None
    request_fingerprint: str
    allowed: bool
    rules: tuple[str, ...]
    convention: str | None = None
    cells_delivered: int = 0
    cells_suppressed: int = 0
    price: Decimal | None = None

    def payload(self) -> dict[str, object]:
        """Return the JSON-ready payload that is hashed and stored."""
        return {
            "horodatage": self.at.isoformat(),
            "type": self.kind,
            "demandeur": self.requester_id,
            "prefixe_cle": self.key_prefix,
            "empreinte_demande": self.request_fingerprint,
            "decision": "autorisee" if self.allowed else "refusee",
            "regles": list(self.rules),
            "convention": self.convention,
            "cellules_livrees": self.cells_delivered,
            "cellules_masquees": self.cells_suppressed,
            "prix": None if self.price is None else str(self.price),
        }


def _read_jsonl(path: Path) -> list[ChainEntry]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [ChainEntry(r["id"], r["payload"], r["prev_hash"], r["hash"]) for r in rows]


def main(argv: Sequence[str] | None = None) -> int:
    """Verify a JSON-lines export of the log; exit 1 at the first altered entry."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage : python -m policies.audit_chain JOURNAL.jsonl", file=sys.stderr)
        return 2
    key = os.environ.get("GATEWAY_AUDIT_KEY", "")
    keys = AuditKeys.from_text(key) if key else None
    report = verify_chain(_read_jsonl(Path(args[0])), keys=keys)
    if report.ok:
        print(f"chaîne intègre : {report.checked} entrées vérifiées")
        return 0
    print(f"chaîne altérée à l'entrée {report.first_bad_id} : {report.reason}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
