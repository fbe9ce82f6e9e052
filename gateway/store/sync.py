"""Bring a node's own store to a published version: copy, verify, switch, prune.

The copy is written under a hidden staging name and checked file by file against the
version's SHA256SUMS (itself checked against the digest the database recorded) before it is
renamed into `versions/`; only then does `current` move, by one rename. Files unchanged since
a version the node already holds are hard-linked, not copied again. Old versions are removed
down to `keep`, never the one served nor the one served before it (a request under way may
still read it).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from gateway.store import layout
from gateway.store.publication import (
    CHECKSUMS,
    VersionError,
    checked_id,
    copy_file,
    file_sha256,
    known_files,
    trusted_checksums,
    verify_version,
)
from gateway.store.writer import exclusive, swap_pointer


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: the version now served, files copied and linked, versions removed."""

    version: str
    copied: int = 0
    linked: int = 0
    switched: bool = False
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.copied or self.linked or self.switched or self.removed)


def sync_version(
    local_root: Path,
    published_root: Path,
    version: str,
    checksums_sha256: str | None,
    keep: int,
) -> SyncResult:
    """Make `version` the one `local_root` serves, copied from `published_root` if missing."""
    local_root, published_root = Path(local_root), Path(published_root)
    with exclusive(local_root):
        versions = local_root / layout.VERSIONS
        final = versions / checked_id(version)
        copied = linked = 0
        if not final.is_dir():
            copied, linked = _fetch(
                published_root / layout.VERSIONS / version, final, checksums_sha256
            )
        else:
            _check_held(final, checksums_sha256)
        previous = layout.current_version_dir(local_root)
        switched = previous != final.resolve()
        if switched:
            swap_pointer(local_root, final)
        protected = {final.name} | ({previous.name} if previous is not None else set())
        removed = prune(versions, keep, protected)
    return SyncResult(version, copied, linked, switched, removed)


def _check_held(final: Path, checksums_sha256: str | None) -> None:
    """A version held already must have the SHA256SUMS the database recorded (when it has
    one: a version written on this host by `import` has none)."""
    if checksums_sha256 is None or not (final / CHECKSUMS).is_file():
        return
    if file_sha256(final / CHECKSUMS) != checksums_sha256:
        raise VersionError(
            f"version {final.name} : la copie locale diffère de la version publiée ; "
            f"retirez {final} puis relancez la synchronisation"
        )


def _fetch(source: Path, final: Path, checksums_sha256: str | None) -> tuple[int, int]:
    """Copy a published version beside the local ones, verify it, then rename it in place."""
    if not source.is_dir():
        raise VersionError(f"version {final.name} absente de l'emplacement publié ({source})")
    # Checked here once (cheap), and every file after the copy, on this disk.
    digests = trusted_checksums(source, final.name, checksums_sha256)
    known = known_files(final.parent)
    staging = final.parent / f".staging-{final.name}-{uuid.uuid4().hex[:6]}"
    staging.mkdir(parents=True)
    copied = linked = 0
    try:
        for name, digest in sorted(digests.items()):
            same = known.get((name, digest))
            if same is not None:
                os.link(same, staging / name)
                linked += 1
            else:
                copy_file(source / name, staging / name)
                copied += 1
        copy_file(source / CHECKSUMS, staging / CHECKSUMS)
        # What counts is what landed on this disk: every file read back and checked.
        verify_version(staging, checksums_sha256)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return copied, linked


def prune(versions: Path, keep: int, protected: set[str]) -> tuple[str, ...]:
    """Remove the oldest versions beyond `keep`, never a protected one; return those removed."""
    held = sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    removable = [name for name in held if name not in protected]
    excess = max(len(held) - keep, 0)
    removed = tuple(removable[:excess])
    for name in removed:
        shutil.rmtree(versions / name)
    return removed
