"""The audit chain against a database writer: keyed hashes, and heads exported outside.

Each attack is played as its author would: rows edited, then every later hash recomputed
and the head row moved, so that the chain is consistent under the formula the attacker
knows (the plain SHA-256, an HMAC under a guessed key, or the real key for an insider).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli import cli
from gateway.db import Database
from gateway.db.models import AuditEntry, AuditHead
from gateway.services.audit import heads
from gateway.services.audit import queries as audit_log
from gateway.services.audit.integrity import check_chain
from gateway.state import app_state
from policies.audit_chain import entry_hash
from policies.audit_keys import AuditKeys, read_head_lines
from tests.conftest import make_app
from tests.support.database import TEST_AUDIT_KEY
from tests.support.state import get_database

GUESSED_KEY = b"une-cle-devinee-par-l-attaquant-0123456789"


def _append(db: Database, n: int) -> list[int]:
    ids = []
    for i in range(n):
        with db.transaction() as session:
            entry = audit_log.append_entry(
                session,
                requester_id=None,
                key_prefix="abcd1234",
                action="extract_create",  # type: ignore[arg-type]
                fingerprint=f"{i:064x}",
                decision="allowed",
                rules=["convention.couverture"],
                convention_ref="CONV-13-2026-001 v1",
                cells_delivered=100 + i,
                cells_suppressed=3,
                price=Decimal("12.30"),
                details={"n": i},
            )
            ids.append(entry.id)
    return ids


def _rewrite(db: Database, edited: int, key: bytes | None, first: int | None = None) -> None:
    """Edit entry `edited`, then recompute every hash from `first` (default: the edited one)
    under `key` (None: the plain SHA-256) and move the head: what a writer of the database
    does to hide an edit."""
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        session.get(AuditEntry, edited).cells_delivered = 0  # type: ignore[union-attr]
        start = edited if first is None else first
        prev = None
        for entry in entries:
            if entry.id >= start:
                entry.prev_hash = prev or entry.prev_hash
                entry.hash = entry_hash(entry.prev_hash, audit_log.payload(entry), key)
                session.flush()  # the hash column is unique: one row at a time
            prev = entry.hash
        session.get(AuditHead, audit_log.HEAD_ID).last_hash = prev  # type: ignore[union-attr]


def _verify(db: Database) -> audit_log.ChainReport:
    with db.transaction() as session:
        return audit_log.verify(session)


def test_a_chain_recomputed_with_the_plain_hash_is_detected(db: Database) -> None:
    ids = _append(db, 5)
    assert _verify(db).ok
    _rewrite(db, ids[2], key=None)
    report = _verify(db)
    assert (report.ok, report.first_bad_id) == (False, ids[2])
    assert report.reason.startswith("entrée non signée après des entrées signées")


def test_a_whole_chain_recomputed_without_the_key_is_detected(db: Database) -> None:
    ids = _append(db, 4)
    _rewrite(db, ids[2], key=None, first=1)  # every entry, the template's one too
    report = _verify(db)
    assert not report.ok and report.reason.startswith("aucune entrée signée")


def test_the_formula_without_the_key_cannot_forge(db: Database) -> None:
    ids = _append(db, 5)
    _rewrite(db, ids[2], key=GUESSED_KEY)
    report = _verify(db)
    assert (report.ok, report.first_bad_id) == (False, ids[2])
    assert report.reason == "contenu modifié : empreinte invalide"


def test_an_insider_rewrite_is_detected_against_the_exported_head(
    db: Database, tmp_path: Path
) -> None:
    ids = _append(db, 5)
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger(heads.LOGGER_NAME).addHandler(handler)
    try:
        export = heads.export_head(db, tmp_path)
    finally:
        logging.getLogger(heads.LOGGER_NAME).removeHandler(handler)
    assert export.exported is not None and export.exported.entry_id == ids[-1]
    assert [(r.entry_id, r.head) for r in seen] == [(ids[-1], export.exported.head)]  # type: ignore[attr-defined]
    _append(db, 2)  # entries after the export are not covered by it: still verified

    _rewrite(db, ids[1], key=TEST_AUDIT_KEY.encode())

    assert _verify(db).ok  # consistent under the key: the database alone cannot tell
    report = heads.verify_against(db, export.path)
    assert (report.ok, report.first_bad_id) == (False, ids[-1])
    assert report.reason.startswith(f"journal réécrit : l'entrée n° {ids[-1]} n'a plus")
    refused = heads.export_head(db, tmp_path)  # the rewritten head is not exported
    assert refused.exported is None and not refused.report.ok
    assert len(export.path.read_text().splitlines()) == 1


def test_entries_removed_below_the_exported_head_are_detected(db: Database, tmp_path: Path) -> None:
    ids = _append(db, 4)
    path = heads.export_head(db, tmp_path).path
    with db.transaction() as session:  # the insider removes the last two, head moved back
        for entry_id in ids[-2:]:
            session.delete(session.get(AuditEntry, entry_id))
        session.get(AuditHead, audit_log.HEAD_ID).last_hash = session.get(  # type: ignore[union-attr]
            AuditEntry, ids[-3]
        ).hash  # type: ignore[union-attr]
    assert _verify(db).ok
    report = heads.verify_against(db, path)
    assert (report.ok, report.first_bad_id) == (False, ids[-1])
    assert "introuvable" in report.reason


def test_an_export_line_edited_by_hand_is_refused(db: Database, tmp_path: Path) -> None:
    _append(db, 2)
    path = heads.export_head(db, tmp_path).path
    at, entry_id, _head, mac = path.read_text().strip().split(",")
    path.write_text(f"{at},{entry_id},{'0' * 64},{mac}\n")
    report = heads.verify_against(db, path)
    assert not report.ok and report.reason.endswith("altérée : signature invalide")
    keys = AuditKeys.from_text(TEST_AUDIT_KEY)
    with pytest.raises(ValueError, match="signature invalide"):
        read_head_lines(keys, path.read_text().splitlines())


def test_a_legacy_unkeyed_chain_is_sealed_then_protected(db: Database) -> None:
    ids = _append(db, 3)
    _rewrite(db, ids[0], key=None, first=1)  # the chain as written before the key existed
    assert _verify(db).reason.startswith("aucune entrée signée")
    with db.transaction() as session:
        sealed = audit_log.seal(session)
    assert sealed is not None and sealed.action == "audit_seal"
    with db.transaction() as session:
        assert audit_log.seal(session) is None  # its last entry is signed: nothing to do
    report = _verify(db)
    assert report.ok and report.checked == sealed.id
    _rewrite(db, ids[1], key=None, first=1)  # an old entry edited, the seal recomputed too
    assert not _verify(db).ok


def test_a_rotated_key_verifies_what_the_former_signed(db: Database) -> None:
    old = _append(db, 2)
    new_key = "une-nouvelle-cle-du-journal-apres-rotation-42"
    rotated = AuditKeys.from_text(new_key, [TEST_AUDIT_KEY])
    db.sessions.kw["info"] = {"audit_keys": rotated}
    with db.transaction() as session:
        assert audit_log.seal(session) is not None  # the switch to the new key, recorded
    _append(db, 2)
    assert _verify(db).ok
    # An entry signed again with the retired key after the new one (a leaked old key):
    _rewrite(db, old[-1] + 2, key=TEST_AUDIT_KEY.encode())
    report = _verify(db)
    assert not report.ok and report.reason.startswith("entrée signée par une clé retirée")


def _env(db: Database, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "GATEWAY_ENV": "test",
        "GATEWAY_DATABASE_URL": db.url,
        "GATEWAY_INSTANCE_DIR": str(tmp_path / "cli"),
        "GATEWAY_AUDIT_KEY": TEST_AUDIT_KEY,
        **extra,
    }


def test_cli_export_and_verify_against(db: Database, tmp_path: Path) -> None:
    ids = _append(db, 3)
    runner = CliRunner()
    missing = runner.invoke(cli, ["audit-export-head"], env=_env(db, tmp_path))
    assert missing.exit_code == 2
    assert "GATEWAY_AUDIT_HEAD_EXPORT (dossier d'export) non défini" in missing.output
    env = _env(db, tmp_path, GATEWAY_AUDIT_HEAD_EXPORT=str(tmp_path / "tetes"))
    done = runner.invoke(cli, ["audit-export-head"], env=env)
    assert done.exit_code == 0 and f"Tête exportée : entrée n° {ids[-1]}" in done.output
    path = tmp_path / "tetes" / heads.HEADS_FILE
    at, entry_id, head, _mac = path.read_text().strip().split(",")
    assert entry_id == str(ids[-1])
    logged = [json.loads(line) for line in done.output.splitlines() if line.startswith("{")]
    assert [(r["logger"], r["entry_id"], r["head"], r["at"]) for r in logged] == [
        ("gateway.audit", ids[-1], head, at)
    ]
    assert TEST_AUDIT_KEY not in done.output

    ok = runner.invoke(cli, ["audit-verify", "--against", str(path)], env=env)
    assert (ok.exit_code, ok.output.strip()) == (
        0,
        f"Chaîne intègre ({ids[-1]} entrées, conforme aux têtes exportées)",
    )
    nowhere = runner.invoke(cli, ["audit-verify", "--against", str(tmp_path / "x")], env=env)
    assert nowhere.exit_code == 2
    assert "Erreur : fichier des têtes exportées introuvable" in nowhere.output

    _rewrite(db, ids[0], key=TEST_AUDIT_KEY.encode())
    assert runner.invoke(cli, ["audit-verify"], env=env).exit_code == 0  # alone: consistent
    bad = runner.invoke(cli, ["audit-verify", "--against", str(path)], env=env)
    assert bad.exit_code == 1
    assert f"Chaîne altérée à l'entrée n° {ids[-1]} : journal réécrit" in bad.output
    refused = runner.invoke(cli, ["audit-export-head"], env=env)
    assert refused.exit_code == 1 and refused.output.startswith("Tête non exportée : chaîne")


def test_cli_with_another_key_names_the_first_entry(db: Database, tmp_path: Path) -> None:
    _append(db, 1)
    env = _env(db, tmp_path, GATEWAY_AUDIT_KEY="une-autre-cle-que-celle-de-la-base-0123")
    result = CliRunner().invoke(cli, ["audit-verify"], env=env)
    assert result.exit_code == 1 and "à l'entrée n° 1 : contenu modifié" in result.output


def test_the_consoles_check_reads_the_exported_heads(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path
) -> None:
    """`check_chain` (the console's "Vérifier la chaîne") names an insider's rewrite too."""
    app = make_app(sqlite_url, tmp_path, store_dir=demo_store_dir, audit_head_export=tmp_path)
    with app.app_context():
        db = get_database()
        ids = _append(db, 3)
        heads.export_head(db, tmp_path)
        _rewrite(db, ids[0], key=TEST_AUDIT_KEY.encode())
        with db.transaction() as session:
            check = check_chain(session, None)
    assert not check.ok and check.altered is not None and check.altered.id == ids[-1]
    assert check.reason.startswith("journal réécrit")
    app_state(app).database.dispose()


def test_cli_migrate_seals_a_chain_written_before_the_key(db: Database, tmp_path: Path) -> None:
    ids = _append(db, 2)
    _rewrite(db, ids[0], key=None, first=1)  # as the chain was before the upgrade
    runner = CliRunner()
    assert runner.invoke(cli, ["audit-verify"], env=_env(db, tmp_path)).exit_code == 1
    result = runner.invoke(cli, ["migrate"], env=_env(db, tmp_path))
    assert result.exit_code == 0, result.output
    assert f"Journal d'audit scellé avec sa clé (entrée n° {ids[-1] + 1})." in result.output
    verified = runner.invoke(cli, ["audit-verify"], env=_env(db, tmp_path))
    assert (verified.exit_code, verified.output.strip()) == (
        0,
        f"Chaîne intègre ({ids[-1] + 1} entrées)",
    )
    again = runner.invoke(cli, ["migrate"], env=_env(db, tmp_path))
    assert again.exit_code == 0 and "scellé" not in again.output
