"""The audit log: a hash chain that names the first edited, deleted or reordered entry."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from gateway.cli import cli
from gateway.db import Database
from gateway.services.audit import queries as audit_log
from tests.support.database import TEST_AUDIT_KEY


def _append(db: Database, n: int, requester_id: int | None = None, **overrides: object) -> None:
    for i in range(n):
        fields: dict[str, object] = {
            "requester_id": requester_id,
            "key_prefix": "abcd1234",
            "action": "extract_create",
            "fingerprint": f"{i:064x}",
            "decision": "allowed",
            "rules": ["convention.couverture"],
            "convention_ref": "CONV-13-2026-001 v1",
            "cells_delivered": 100 + i,
            "cells_suppressed": 3,
            "price": Decimal("12.30"),
            "details": {"formats": ["csv"], "n": i},
            **overrides,
        }
        with db.transaction() as session:
            audit_log.append_entry(session, **fields)  # type: ignore[arg-type]


def _verify(db: Database) -> audit_log.ChainReport:
    with db.transaction() as session:
        return audit_log.verify(session)


def _entries(db: Database) -> int:
    """Return the entries already logged (the template's socle publication)."""
    return _verify(db).checked


# (what is done to the stored log, first entry reported, reason starts with); ids {n} are
# counted from the first entry the test appends.
TAMPERING = [
    ("UPDATE audit_entry SET cells_delivered = 99 WHERE id = {3}", 3, "contenu modifié"),
    ("UPDATE audit_entry SET price = '0.00' WHERE id = {2}", 2, "contenu modifié"),
    ("DELETE FROM audit_entry WHERE id = {3}", 4, "chaînage rompu"),
    (
        "UPDATE audit_entry SET id = 1000 WHERE id = {2}; "
        "UPDATE audit_entry SET id = {2} WHERE id = {3}; "
        "UPDATE audit_entry SET id = {3} WHERE id = 1000",
        2,
        "chaînage rompu",
    ),
    ("DELETE FROM audit_entry WHERE id = {5}", None, "fin du journal tronquée"),
]


@pytest.mark.parametrize(("statement", "first_bad", "reason"), TAMPERING)
def test_chain_detects_tampering(
    db: Database, statement: str, first_bad: int | None, reason: str
) -> None:
    base = _entries(db)
    _append(db, 5)
    assert _verify(db).ok and _verify(db).checked == base + 5
    ids = [base + n for n in range(6)]
    with db.engine.begin() as connection:
        for part in statement.format(*ids).split("; "):
            connection.execute(text(part))
    report = _verify(db)
    assert not report.ok
    assert report.first_bad_id == (None if first_bad is None else base + first_bad)
    assert report.reason.startswith(reason)


def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    base = _entries(db)
    threads = [threading.Thread(target=_append, args=(db, 5)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = _verify(db)
    assert report.ok and report.checked == base + 20


def test_monthly_usage_counts_allowed_extracts(db: Database) -> None:
    _append(db, 3, requester_id=None)
    _append(db, 2, requester_id=None, decision="refused")
    _append(db, 1, requester_id=None, action="extract_read")
    with db.transaction() as session:
        this_month = audit_log.monthly_usage(session, None, "CONV-13-2026-001 v1", date.today())  # type: ignore[arg-type]
        other = audit_log.monthly_usage(session, None, "CONV-13-2026-001 v1", date(2001, 1, 1))  # type: ignore[arg-type]
    assert this_month == (3, 100 + 101 + 102)
    assert other == (0, 0)


def test_cli_audit_verify(app: Flask, db: Database, tmp_path: Path) -> None:
    base = _entries(db)
    _append(db, 3)
    env = {
        "GATEWAY_ENV": "test",
        "GATEWAY_DATABASE_URL": db.url,
        "GATEWAY_INSTANCE_DIR": str(tmp_path),
        "GATEWAY_AUDIT_KEY": TEST_AUDIT_KEY,  # the app's: the CLI verifies with the same key
    }
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit-verify"], env=env)
    assert (ok.exit_code, ok.output.strip()) == (0, f"Chaîne intègre ({base + 3} entrées)")
    with db.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE audit_entry SET decision = 'refused' WHERE id = {base + 2}")
        )
    bad = runner.invoke(cli, ["audit-verify"], env=env)
    assert bad.exit_code == 1
    assert f"entrée n° {base + 2}" in bad.output
