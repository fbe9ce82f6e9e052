"""The audit log as CSV (UTF-8, one line per entry, French column names)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy.orm import Session

from gateway.db.models import AuditEntry
from gateway.services.audit.queries import AuditFilter, iter_entries, utc

COLUMNS = (
    "id",
    "horodatage",
    "demandeur",
    "caf",
    "prefixe_cle",
    "action",
    "empreinte_demande",
    "decision",
    "regles",
    "convention",
    "cellules_livrees",
    "cellules_masquees",
    "prix",
    "details",
    "hash_precedent",
    "hash",
)


def _row(entry: AuditEntry) -> list[object]:
    return [
        entry.id,
        utc(entry.at).isoformat(),
        entry.requester_id,
        entry.caf_code,
        entry.key_prefix,
        entry.action,
        entry.fingerprint,
        entry.decision,
        " ".join(entry.rules),
        entry.convention_ref,
        entry.cells_delivered,
        entry.cells_suppressed,
        entry.price,
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        entry.prev_hash,
        entry.hash,
    ]


def csv_lines(session: Session, filters: AuditFilter) -> Iterator[str]:
    """Yield the header then one CSV line per matching entry."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in iter_entries(session, filters):
        writer.writerow(_row(entry))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
