"""A delivered extract's file, as a download sends it: rendered once for large extracts.

A background extract (one with job inputs) is rendered in every format by its job and kept
(`gateway.delivery.storage`); its downloads read the file. One whose file is missing (a job
cut short after its commit, a folder not shared between nodes) is rendered at its first
download and kept. A small extract is rendered at each download, as it always was: it
renders in milliseconds, and keeping every one would fill the disk for nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED
from gateway.delivery import FORMATS, filename
from gateway.delivery.storage import ExtractFiles
from gateway.pipeline.deliver import stored_delivery
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from policies.errors import Conflict


@dataclass(frozen=True)
class DeliveredFile:
    """A file to send: on disk (`path`) or rendered now (`content`), with its digest."""

    media_type: str
    name: str
    sha256: str
    size: int
    path: Path | None = None
    content: bytes | None = None

    @property
    def etag(self) -> str:
        return self.sha256


def extract_files() -> ExtractFiles:
    """Return the current app's folder of rendered extract files."""
    return ExtractFiles(app_state().settings.extract_files_dir)


def download_file(session: Session, extract: Extract, format_name: str) -> DeliveredFile:
    """Return a delivered extract's file in a format: kept, or rendered (and kept if large).

    A kept file is answered without reading the extract's stored result (every cell):
    `owned_extract` defers it, and the file's name holds its digest and download name.
    """
    if extract.status != DELIVERED:
        raise _not_delivered(extract)
    renderer = FORMATS[format_name]
    files = extract_files()
    kept = files.find(extract.id, format_name) if extract.job is not None else None
    if kept is not None:
        return DeliveredFile(renderer.media_type, kept.name, kept.sha256, kept.size, kept.path)
    if extract.result is None:
        raise _not_delivered(extract)
    delivery = stored_delivery(extract, current_catalogue(session, app_state().caches.catalogue))
    content = renderer.render(delivery)
    name = filename(delivery, format_name)
    if extract.job is not None:  # a background extract: kept for the next downloads
        stored = files.store(extract.id, format_name, content, name)
        return DeliveredFile(renderer.media_type, name, stored.sha256, stored.size, stored.path)
    digest = hashlib.sha256(content).hexdigest()
    return DeliveredFile(renderer.media_type, name, digest, len(content), content=content)


def _not_delivered(extract: Extract) -> Conflict:
    return Conflict(f"L'extrait {extract.id} n'est pas encore livré (statut : {extract.status}).")
