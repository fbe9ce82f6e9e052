"""The keyed chain, pure: signed entries, an unsigned prefix, rotation, exported heads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policies.audit_chain import GENESIS_HASH, ChainEntry, chain_entry, verify_chain
from policies.audit_keys import AuditKeyError, AuditKeys, Checkpoint, head_line, read_head_lines

OLD, NEW = "ancienne-cle-du-journal-0123456789abcdef", "nouvelle-cle-du-journal-0123456789abcdef"
RING = AuditKeys.from_text(NEW, [OLD])


def _chain(*keys: str | None) -> list[ChainEntry]:
    """One entry per key (None: an entry written before the chain was keyed)."""
    entries, prev = [], GENESIS_HASH
    for number, key in enumerate(keys, start=1):
        entry = chain_entry(number, {"n": number}, prev, None if key is None else key.encode())
        entries.append(entry)
        prev = entry.hash
    return entries


@pytest.mark.parametrize(
    ("keys", "first_bad", "reason"),
    [
        ((None, None, OLD, NEW, NEW), None, ""),
        ((None, OLD, None), 3, "entrée non signée après des entrées signées"),
        ((OLD, NEW, OLD), 3, "entrée signée par une clé retirée"),
        ((NEW, "une-cle-inconnue-du-trousseau-0123456789"), 2, "contenu modifié"),
        ((None, None), None, "aucune entrée signée"),
    ],
)
def test_signers_follow_the_ring(
    keys: tuple[str | None, ...], first_bad: int | None, reason: str
) -> None:
    report = verify_chain(_chain(*keys), keys=RING)
    assert (report.ok, report.first_bad_id) == (reason == "", first_bad)
    assert report.reason.startswith(reason)


def test_without_a_ring_the_chain_verifies_as_before() -> None:
    assert verify_chain(_chain(None, None)).ok
    assert not verify_chain(_chain(NEW)).ok


def test_an_exported_head_the_chain_no_longer_reaches_is_named() -> None:
    chain = _chain(NEW, NEW, NEW)
    exported = Checkpoint("2026-12-02T08:00:00+00:00", 2, chain[1].hash)
    assert verify_chain(chain, keys=RING, checkpoints=[exported]).ok
    rewritten = _chain(NEW, NEW, NEW)
    rewritten[0] = chain_entry(1, {"n": 0}, GENESIS_HASH, NEW.encode())
    for i in (1, 2):
        previous = rewritten[i - 1].hash
        rewritten[i] = chain_entry(i + 1, {"n": i + 1}, previous, NEW.encode())
    report = verify_chain(rewritten, keys=RING, checkpoints=[exported])
    assert (report.ok, report.first_bad_id) == (False, 2)
    assert "entrées réécrites entre le n° 1 et le n° 2" in report.reason


def test_head_lines_are_signed_and_read_back_with_a_former_key() -> None:
    at = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    line = head_line(AuditKeys.from_text(OLD), at, 7, "ab" * 32)
    assert read_head_lines(RING, [line, ""]) == [Checkpoint(at.isoformat(), 7, "ab" * 32)]
    with pytest.raises(AuditKeyError, match=r"ligne 1 .* signature invalide"):
        read_head_lines(RING, [line.replace(",7,", ",8,")])
    with pytest.raises(AuditKeyError, match="illisible"):
        read_head_lines(RING, ["pas une ligne"])


def test_short_keys_are_refused_and_never_shown() -> None:
    with pytest.raises(AuditKeyError, match="trop courte"):
        AuditKeys.from_text("court")
    assert NEW not in repr(RING) and OLD not in repr(RING)
