"""Append-only audit log as a hash chain: each entry carries the hash of the previous one.

Usable from the command line on a JSON-lines export (one entry per line with
`id`, `payload`, `prev_hash`, `hash`):

    python -m policies.audit_chain journal.jsonl
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from policies.access.values import AccessRequest

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


def entry_hash(prev_hash: str, payload: object) -> str:
    """Return the SHA-256 of the previous hash and the canonical payload."""
    data = f"{prev_hash}\n{canonical_json(payload)}".encode()
    return hashlib.sha256(data).hexdigest()


def request_fingerprint(request: AccessRequest) -> str:
    """Return a stable SHA-256 of a request (order of its lists does not matter)."""
    return hashlib.sha256(canonical_json(request.canonical()).encode()).hexdigest()


class ChainEntry(NamedTuple):
    id: int | str
    payload: object
    prev_hash: str
    hash: str


def chain_entry(entry_id: int | str, payload: object, prev_hash: str = GENESIS_HASH) -> ChainEntry:
    """Build the next entry of the chain after the entry whose hash is `prev_hash`."""
    return ChainEntry(entry_id, payload, prev_hash, entry_hash(prev_hash, payload))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    first_bad_id: int | str | None = None
    reason: str = ""
    checked: int = 0


def verify_chain(
    entries: Iterable[ChainEntry | tuple[int | str, object, str, str]],
    expected_head: str | None = None,
) -> ChainReport:
    """Walk the chain in order and report the first entry that was edited, removed or moved.

    Removing the last entries leaves a valid shorter chain: pass the head hash kept
    elsewhere as `expected_head` to detect it.
    """
    prev, count = GENESIS_HASH, 0
    for entry_id, payload, prev_hash, stored in entries:
        if prev_hash != prev:
            reason = "chaînage rompu : entrée précédente supprimée, déplacée ou modifiée"
            return ChainReport(False, entry_id, reason, count)
        if entry_hash(prev_hash, payload) != stored:
            return ChainReport(False, entry_id, "contenu modifié : empreinte invalide", count)
        prev, count = stored, count + 1
    if expected_head is not None and prev != expected_head:
        return ChainReport(False, None, "fin du journal tronquée ou tête inattendue", count)
    return ChainReport(True, None, "", count)


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
    report = verify_chain(_read_jsonl(Path(args[0])))
    if report.ok:
        print(f"chaîne intègre : {report.checked} entrées vérifiées")
        return 0
    print(f"chaîne altérée à l'entrée {report.first_bad_id} : {report.reason}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
