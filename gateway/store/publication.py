"""Published store versions: complete, checksummed copies in a folder every node reads.

<published>/versions/<version>/            the version's files, as in a node's own store
<published>/versions/<version>/SHA256SUMS  "<sha256>  <file>" a line (`sha256sum -c` reads it)
<published>/current                        symlink -> versions/<version>, the latest published

A version appears under `versions/` only once complete: it is written under a hidden staging
name, checked, then renamed. Its SHA256SUMS pins every file; the digest of SHA256SUMS itself
is what the database records as the expected version (`gateway.services.cell_store`), so a
node verifies what it copies against the database, not only against the share.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gateway.store import layout
from gateway.store.writer import exclusive, swap_pointer

CHECKSUMS = "SHA256SUMS"
_CHUNK = 1 << 20


class VersionError(Exception):
    """A version is missing, incomplete or altered: what is wrong, in French."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class PublishedVersion:
    """A version in the published location, and the digest of its SHA256SUMS."""

    version: str
    path: Path
    checksums_sha256: str


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def checksum_text(digests: Mapping[str, str]) -> str:
    """Return SHA256SUMS: one "<digest>  <name>" line per file, sorted by name."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests))


def read_checksums(version_dir: Path) -> dict[str, str]:
    """Read a version's SHA256SUMS as {file name: digest}; empty when it has none."""
    try:
        text = (version_dir / CHECKSUMS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    digests = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name or "/" in name:
            raise VersionError(f"{version_dir.name} : ligne illisible dans {CHECKSUMS}")
        digests[name] = digest
    return digests


def trusted_checksums(version_dir: Path, name: str, checksums_sha256: str | None) -> dict[str, str]:
    """Read a version's SHA256SUMS once it is found and matches the digest the database
    recorded at publication (`checksums_sha256`, when known); raise VersionError otherwise."""
    if not (version_dir / CHECKSUMS).is_file():
        raise VersionError(f"version {name} : fichier {CHECKSUMS} absent (version incomplète)")
    if checksums_sha256 is not None and file_sha256(version_dir / CHECKSUMS) != checksums_sha256:
        raise VersionError(
            f"version {name} : {CHECKSUMS} ne correspond pas à la version publiée "
            "enregistrée dans la base (version altérée ou republiée)"
        )
    return read_checksums(version_dir)


def verify_version(version_dir: Path, checksums_sha256: str | None = None) -> dict[str, str]:
    """Check every file of a version against its SHA256SUMS (itself against `checksums_sha256`).

    Return the digests; raise VersionError naming the first file missing, extra or altered.
    """
    name = version_dir.name
    digests = trusted_checksums(version_dir, name, checksums_sha256)
    present = {p.name for p in version_dir.iterdir()} - {CHECKSUMS}
    for missing in sorted(set(digests) - present):
        raise VersionError(f"version {name} : fichier absent : {missing}")
    for extra in sorted(present - set(digests)):
        raise VersionError(f"version {name} : fichier inattendu : {extra}")
    for file, digest in sorted(digests.items()):
        if file_sha256(version_dir / file) != digest:
            raise VersionError(f"version {name} : somme de contrôle fausse : {file}")
    return digests


def checked_id(version: str) -> str:
    """Return a version id fit for a path (no folder, not hidden), or raise VersionError."""
    if not version or "/" in version or version.startswith("."):
        raise VersionError(f"identifiant de version invalide : {version}")
    return version


def version_dir(root: Path, version: str | None) -> Path:
    """Return a store's version directory: `version`, or the one `current` designates."""
    if version is None:
        found = layout.current_version_dir(root)
        if found is None:
            raise VersionError(f"aucune version courante dans {root}")
        return found
    path = root / layout.VERSIONS / checked_id(version)
    if not (path / layout.MANIFEST).is_file():
        raise VersionError(f"version {version} absente de {root}")
    return path


def publish_version(
    store_root: Path, published_root: Path, version: str | None = None
) -> PublishedVersion:
    """Copy a version of a store to the published location, complete and checksummed.

    Unchanged files are hard-linked from the versions already published; `current` of the
    published location then designates it. A version published already is checked, not
    copied again: going back to it needs no copy in this host's store.
    """
    published_root = Path(published_root)
    with exclusive(published_root):
        versions = published_root / layout.VERSIONS
        final = versions / checked_id(version) if version is not None else None
        if final is None or not final.is_dir():
            source = version_dir(Path(store_root), version)
            final = versions / source.name
        if final.is_dir():
            verify_version(final)  # published already: checked, not copied again
        else:
            _copy_version(source, versions, final)  # checked before it is renamed in
        swap_pointer(published_root, final)
    return PublishedVersion(final.name, final, file_sha256(final / CHECKSUMS))


def _copy_version(source: Path, versions: Path, final: Path) -> None:
    """Write a version under a staging name, then rename it: it appears complete or not."""
    known = known_files(versions)
    staging = versions / f".staging-{final.name}-{uuid.uuid4().hex[:6]}"
    staging.mkdir(parents=True)
    try:
        digests = {}
        for path in sorted(source.iterdir()):
            if not path.is_file() or path.name == CHECKSUMS:
                continue
            digests[path.name] = file_sha256(path)
            same = known.get((path.name, digests[path.name]))
            if same is not None:
                os.link(same, staging / path.name)
            else:
                copy_file(path, staging / path.name)
        (staging / CHECKSUMS).write_text(checksum_text(digests), encoding="utf-8")
        _fsync(staging / CHECKSUMS)
        verify_version(staging)  # what landed on the share, read back
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def known_files(versions: Path) -> dict[tuple[str, str], Path]:
    """Index the files of the versions holding a SHA256SUMS by (name, digest): an unchanged
    file is hard-linked from there rather than copied."""
    found: dict[tuple[str, str], Path] = {}
    if not versions.is_dir():
        return found
    for directory in sorted(versions.iterdir()):
        if directory.name.startswith(".") or not directory.is_dir():
            continue
        for name, digest in read_checksums(directory).items():
            found.setdefault((name, digest), directory / name)
    return found


def copy_file(source: Path, target: Path) -> None:
    """Copy a file's bytes and flush them to disk before it is used."""
    with source.open("rb") as reader, target.open("wb") as writer:
        shutil.copyfileobj(reader, writer, _CHUNK)
        writer.flush()
        os.fsync(writer.fileno())


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())
