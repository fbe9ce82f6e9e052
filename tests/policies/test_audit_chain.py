"""The audit hash chain: any edited, removed or moved entry is found where it breaks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from policies.audit_chain import (
    GENESIS_HASH,
    AuditEvent,
    ChainEntry,
    canonical_json,
    chain_entry,
    entry_hash,
    main,
    request_fingerprint,
    verify_chain,
)
from policies.domain import Use
from tests.policies.access_fakes import C, D, request


def _event(n: int) -> AuditEvent:
    return AuditEvent(
        at=datetime(2026, 3, 15, 10, n, tzinfo=UTC),
        kind="decision" if n % 2 else "livraison",
        requester_id="dem-1",
        key_prefix="cafk_ab12",
        request_fingerprint=f"{n:064x}",
        allowed=n != 3,
        rules=("matrice.type_tier", "convention.couverture"),
        convention="CONV-13-2026-004 v1",
        cells_delivered=120 * n,
        cells_suppressed=n,
        price=Decimal("152.30"),
    )


def _chain(n: int = 5) -> list[ChainEntry]:
    entries, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        entry = chain_entry(i, _event(i).payload(), prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_intact_chain_verifies() -> None:
    report = verify_chain(_chain())
    assert report.ok and report.checked == 5 and report.first_bad_id is None
    assert verify_chain([]).ok


def test_edited_entry_is_found() -> None:
    entries = _chain()
    payload = dict(entries[2].payload)  # type: ignore[call-overload]
    payload["decision"] = "autorisee"
    entries[2] = entries[2]._replace(payload=payload)
    report = verify_chain(entries)
    assert (report.ok, report.first_bad_id) == (False, 3)
    assert "modifié" in report.reason


def test_edited_and_rehashed_entry_breaks_the_next_link() -> None:
    entries = _chain()
    payload = {**entries[2].payload, "prix": "0"}  # type: ignore[dict-item]
    entries[2] = chain_entry(3, payload, entries[1].hash)
    assert verify_chain(entries).first_bad_id == 4


@pytest.mark.parametrize(("removed", "first_bad"), [(0, 2), (2, 4), (3, 5)])
def test_deleted_entry_is_found(removed: int, first_bad: int) -> None:
    entries = _chain()
    del entries[removed]
    report = verify_chain(entries)
    assert (report.ok, report.first_bad_id) == (False, first_bad)
    assert "chaînage rompu" in report.reason


@pytest.mark.parametrize(("i", "j", "first_bad"), [(1, 2, 3), (0, 4, 5), (3, 4, 5)])
def test_reordered_entries_are_found(i: int, j: int, first_bad: int) -> None:
    entries = _chain()
    entries[i], entries[j] = entries[j], entries[i]
    assert verify_chain(entries).first_bad_id == first_bad


def test_truncated_tail_needs_the_kept_head() -> None:
    entries = _chain()
    head = entries[-1].hash
    assert verify_chain(entries[:-1]).ok  # a shorter chain is still a chain ...
    report = verify_chain(entries[:-1], expected_head=head)  # ... unless the head is kept
    assert not report.ok and report.checked == 4
    assert verify_chain(entries, expected_head=head).ok


def test_canonical_json_is_stable_and_exact() -> None:
    assert canonical_json({"b": 1, "a": Decimal("0.30")}) == '{"a":"0.30","b":1}'
    assert (
        canonical_json({"z": frozenset({"b", "a"}), "é": Use.ETUDES})
        == '{"z":["a","b"],"é":"etudes"}'
    )
    assert entry_hash(GENESIS_HASH, {"a": 1, "b": 2}) == entry_hash(GENESIS_HASH, {"b": 2, "a": 1})
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_request_fingerprint_ignores_order_and_sees_content() -> None:
    one = request("PLACES_EAJE", "NB_ALLOCATAIRES", territories=((C, "13055"), (D, "13")))
    same = request("NB_ALLOCATAIRES", "PLACES_EAJE", territories=((D, "13"), (C, "13055")))
    other = request("PLACES_EAJE", "NB_ALLOCATAIRES", territories=((C, "13055"),))
    assert request_fingerprint(one) == request_fingerprint(same)
    assert request_fingerprint(one) != request_fingerprint(other)
    assert len(request_fingerprint(one)) == 64


def test_cli_reports_the_first_altered_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = _chain()
    path = tmp_path / "journal.jsonl"
    rows = [
        {"id": e.id, "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash}
        for e in entries
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main([str(path)]) == 0
    assert "5 entrées" in capsys.readouterr().out
    rows[1]["payload"]["cellules_masquees"] = 0  # type: ignore[index]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main([str(path)]) == 1
    assert "entrée 2" in capsys.readouterr().out
    assert main([]) == 2
