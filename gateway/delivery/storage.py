"""Rendered files of large extracts, kept once rendered: served from disk at each download.

<root>/<id[:2]>/<extract id>/<format>.<sha256>.<download name>   one file per format

The name carries the file's digest and the name it is downloaded under: a download reads
neither the extract's stored result nor the file to answer with its name and ETag.

A file is written under a hidden name, flushed, then renamed: a reader finds it complete or
not at all, and two writers of the same format (the job and a download racing it) write the
same bytes (the renderers are deterministic), so either rename wins. The digest in the name
is the download's ETag.

These files are derived data: an extract's stored result renders them again byte for byte,
so a node that does not find one (a folder not shared, a file removed) renders and keeps it.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from gateway.delivery.formats import FORMATS, filename
from gateway.delivery.model import Delivery

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class StoredFile:
    """A rendered file on disk: where, its SHA-256 and its size in bytes."""

    path: Path
    sha256: str
    size: int
    name: str  # the name it is downloaded under


class ExtractFiles:
    """The folder of rendered extract files (`GATEWAY_FILES_DIR`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _folder(self, extract_id: str) -> Path:
        if not _ID.match(extract_id):
            raise ValueError(f"extract id unfit for a path: {extract_id!r}")
        return self.root / extract_id[:2] / extract_id

    def find(self, extract_id: str, format_name: str) -> StoredFile | None:
        """Return the stored file of a format, or None when it was never rendered here."""
        FORMATS[format_name]  # an unknown format is a KeyError, never a path
        folder = self._folder(extract_id)
        try:
            names = [n for n in os.listdir(folder) if n.startswith(f"{format_name}.")]
        except FileNotFoundError:
            return None
        for name in names:
            parts = name.split(".", 2)  # format, digest, download name
            if len(parts) == 3 and len(parts[1]) == 64:
                path = folder / name
                return StoredFile(path, parts[1], path.stat().st_size, parts[2])
        return None

    def store(self, extract_id: str, format_name: str, content: bytes, name: str) -> StoredFile:
        """Keep a rendered file (atomically) downloaded as `name`; return it."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"download name unfit for a path: {name!r}")
        FORMATS[format_name]
        digest = hashlib.sha256(content).hexdigest()
        folder = self._folder(extract_id)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{format_name}.{digest}.{name}"
        temporary = folder / f".{format_name}-{uuid.uuid4().hex}"
        with temporary.open("wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(final)
        return StoredFile(final, digest, len(content), name)

    def render_all(self, delivery: Delivery) -> dict[str, StoredFile]:
        """Render a delivery once in every offered format and keep each file."""
        extract_id = delivery.header.extract_id
        stored = {}
        for format_name, renderer in FORMATS.items():
            found = self.find(extract_id, format_name)
            name = filename(delivery, format_name)
            stored[format_name] = found or self.store(
                extract_id, format_name, renderer.render(delivery), name
            )
        return stored
