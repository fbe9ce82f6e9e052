"""Published versions and a node's sync: complete, checksummed, switched atomically, pruned."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gateway.store import CellStore, publish
from gateway.store.layout import POINTER, VERSIONS
from gateway.store.publication import CHECKSUMS, VersionError, publish_version, verify_version
from gateway.store.sync import sync_version
from tests.gateway.store.conftest import COMMUNES, random_cells


def _staging(root: Path) -> list[str]:
    return [p.name for p in (root / VERSIONS).iterdir() if p.name.startswith(".")]


def test_a_published_version_carries_checksums_sha256sum_accepts(tmp_path: Path) -> None:
    source, published = tmp_path / "source", tmp_path / "publie"
    version = publish(source, [random_cells("X", 1), random_cells("Y", 2)], COMMUNES).name
    release = publish_version(source, published)
    assert release.version == version
    assert os.readlink(published / POINTER) == f"{VERSIONS}/{version}"
    lines = (release.path / CHECKSUMS).read_text().splitlines()
    assert sorted(line.split("  ")[1] for line in lines) == [
        "X.arrow",
        "Y.arrow",
        "communes.txt",
        "manifest.json",
    ]
    # The operator's own tool reads the same file.
    check = subprocess.run(
        ["sha256sum", "--check", "--quiet", CHECKSUMS],
        check=False,
        cwd=release.path,
        capture_output=True,
    )
    assert check.returncode == 0
    assert publish_version(source, published) == release  # again: checked, unchanged
    assert _staging(published) == []


def test_sync_copies_verifies_switches_and_is_idempotent(tmp_path: Path) -> None:
    source, published, node = tmp_path / "source", tmp_path / "publie", tmp_path / "noeud"
    publish(source, [random_cells("X", 1), random_cells("Y", 2)], COMMUNES)
    first = publish_version(source, published)
    done = sync_version(node, published, first.version, first.checksums_sha256, keep=3)
    assert (done.copied, done.linked, done.switched) == (4, 0, True)
    assert CellStore(node).version() == first.version
    verify_version(node / VERSIONS / first.version, first.checksums_sha256)
    again = sync_version(node, published, first.version, first.checksums_sha256, keep=3)
    assert not again.changed

    # Only Y changes: X and the communes are hard-linked from the version held already.
    publish(source, [random_cells("Y", 3)], COMMUNES)
    second = publish_version(source, published)
    done = sync_version(node, published, second.version, second.checksums_sha256, keep=3)
    assert (done.copied, done.linked, done.switched) == (2, 2, True)
    x_before = node / VERSIONS / first.version / "X.arrow"
    assert (node / VERSIONS / second.version / "X.arrow").stat().st_ino == x_before.stat().st_ino
    assert CellStore(node).version() == second.version


def test_an_altered_file_is_refused_and_nothing_switches(tmp_path: Path) -> None:
    source, published, node = tmp_path / "source", tmp_path / "publie", tmp_path / "noeud"
    publish(source, [random_cells("X", 1)], COMMUNES)
    first = publish_version(source, published)
    sync_version(node, published, first.version, first.checksums_sha256, keep=3)
    publish(source, [random_cells("X", 4)], COMMUNES)
    second = publish_version(source, published)
    target = second.path / "X.arrow"
    target.write_bytes(target.read_bytes()[:-8] + b"\0" * 8)  # same size, other bytes
    with pytest.raises(VersionError, match=r"somme de contrôle fausse : X\.arrow"):
        sync_version(node, published, second.version, second.checksums_sha256, keep=3)
    assert CellStore(node).version() == first.version
    assert _staging(node) == [] and not (node / VERSIONS / second.version).exists()


def test_checksums_that_differ_from_the_recorded_digest_are_refused(tmp_path: Path) -> None:
    source, published, node = tmp_path / "source", tmp_path / "publie", tmp_path / "noeud"
    publish(source, [random_cells("X", 1)], COMMUNES)
    release = publish_version(source, published)
    with pytest.raises(VersionError, match="ne correspond pas à la version publiée"):
        sync_version(node, published, release.version, "0" * 64, keep=3)
    assert not (node / POINTER).exists()


def test_a_version_absent_from_the_published_location_is_named(tmp_path: Path) -> None:
    with pytest.raises(VersionError, match="absente de l'emplacement publié"):
        sync_version(tmp_path / "noeud", tmp_path / "publie", "20990101T000000Z-abcdef", None, 3)


def test_pruning_keeps_the_served_version_and_the_one_before(tmp_path: Path) -> None:
    source, published, node = tmp_path / "source", tmp_path / "publie", tmp_path / "noeud"
    releases = []
    for seed in range(4):
        publish(source, [random_cells("X", seed)], COMMUNES, keep=5)
        releases.append(publish_version(source, published))
    for release in releases:
        sync_version(node, published, release.version, release.checksums_sha256, keep=2)
    held = sorted(p.name for p in (node / VERSIONS).iterdir())
    assert held == [releases[2].version, releases[3].version]
    # Back to an older version (a rollback): it is copied again; the one served until now stays.
    back = sync_version(node, published, releases[0].version, releases[0].checksums_sha256, 2)
    assert back.switched and releases[3].version not in back.removed
    assert CellStore(node).version() == releases[0].version
    assert (node / VERSIONS / releases[3].version).is_dir()


def test_going_back_to_a_published_version_needs_no_local_copy(tmp_path: Path) -> None:
    source, published = tmp_path / "source", tmp_path / "publie"
    old = publish(source, [random_cells("X", 1)], COMMUNES, keep=1).name
    publish_version(source, published)
    publish(source, [random_cells("X", 2)], COMMUNES, keep=1)  # the old one leaves the source
    publish_version(source, published)
    assert not (source / VERSIONS / old).exists()
    back = publish_version(source, published, old)
    assert back.version == old and os.readlink(published / POINTER) == f"{VERSIONS}/{old}"
    with pytest.raises(VersionError, match="identifiant de version invalide"):
        publish_version(source, published, "../ailleurs")
