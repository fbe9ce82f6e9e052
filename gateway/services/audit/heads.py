"""The audit chain's head exported outside the database, and the chain checked against it.

A database writer who also holds the key can rewrite the chain so that it verifies; what he
cannot rewrite is what was exported before: each export appends a line signed with the key
(time, last entry's id, its hash, HMAC) to `<GATEWAY_AUDIT_HEAD_EXPORT>/tetes-journal-audit.log`,
a file the database's writers cannot change (another host, another owner, an append-only
mount), and writes the same head as a JSON log line (logger `gateway.audit`) for the log
collector. `python -m gateway audit-export-head` runs it from cron or a systemd timer.

An export first verifies what was appended since the last exported head: a head that does
not extend the last one is not exported (the rewrite is reported instead).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gateway.db import Database
from gateway.services.audit.queries import current_head, session_keys, verify, verify_since
from policies.audit_chain import ChainReport
from policies.audit_keys import AuditKeyError, AuditKeys, Checkpoint, head_line, read_head_lines

HEADS_FILE = "tetes-journal-audit.log"
LOGGER_NAME = "gateway.audit"


@dataclass(frozen=True)
class HeadExport:
    """What an export did: the line's head (None when refused) and the check made before."""

    path: Path
    report: ChainReport
    exported: Checkpoint | None


def read_checkpoints(keys: AuditKeys, path: Path) -> list[Checkpoint]:
    """Read an export file; `AuditKeyError` at its first line no key of the ring signed."""
    if not path.exists():
        return []
    return read_head_lines(keys, path.read_text(encoding="utf-8").splitlines())


def export_head(database: Database, directory: Path) -> HeadExport:
    """Append the chain's head to the export file, once what follows the last one verifies."""
    path = directory / HEADS_FILE
    with database.transaction() as session:
        keys = session_keys(session)
        try:
            exported = read_checkpoints(keys, path)
        except AuditKeyError as error:
            return HeadExport(path, ChainReport(False, None, str(error)), None)
        report = verify_since(session, exported[-1]) if exported else verify(session)
        if not report.ok:
            return HeadExport(path, report, None)
        entry_id, head = current_head(session)
    checkpoint = Checkpoint(datetime.now(UTC).isoformat(timespec="seconds"), entry_id, head)
    _append(path, head_line(keys, datetime.fromisoformat(checkpoint.at), entry_id, head))
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)  # whatever GATEWAY_LOG_LEVEL: this line is a copy of the head
    logger.info(
        "tête du journal d'audit exportée",
        extra={"at": checkpoint.at, "entry_id": entry_id, "head": head, "file": str(path)},
    )
    return HeadExport(path, report, checkpoint)


def _append(path: Path, line: str) -> None:
    """Append one line and flush it to disk (the file is never rewritten, only appended)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def verify_against(database: Database, path: Path) -> ChainReport:
    """Verify the chain and every head exported in `path`: a rewrite is named even if the
    rewritten chain is consistent under the key."""
    with database.transaction() as session:
        keys = session_keys(session)
        try:
            checkpoints = read_checkpoints(keys, path)
        except AuditKeyError as error:
            return ChainReport(False, None, str(error))
        return verify(session, checkpoints)
