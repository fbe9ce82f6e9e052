"""The whole socle commun of one publication as one file, built once and served from storage.

A zip holding the publication's every cell as CSV (UTF-8, "," separator, "." decimal mark:
the API's `csv` columns, which spreadsheets, R, pandas and open-data portals read without a
library) and its note explicative as text. Why CSV in a zip rather than Parquet: the socle's
readers are the public and local authorities, most with a spreadsheet, and 17,000 cells
compress to a few hundred kilobytes; a zip also carries the note beside the data.

A publication never changes (a republication is a new one, with its own id), so its archive
is written once per node under the instance folder, with the same bytes wherever it is built
(entries dated by the publication), and its `ETag` is its publication's id.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from sqlalchemy.orm import Session

from gateway.delivery import Delivery, DeliveryHeader, build_note
from gateway.delivery.formats import CsvRenderer
from gateway.delivery.stable_zip import utc_naive
from gateway.pipeline.deliver import build_delivery
from gateway.pipeline.socle import read_slice
from gateway.services.catalogue.queries import current_catalogue
from gateway.services.extracts import queries
from gateway.state import app_state
from policies.errors import NotFound

MEDIA_TYPE = "application/zip"
#: A publication's id: the hex of a UUID4 (anything else names no file).
_PUBLICATION_ID = re.compile(r"[0-9a-f]{32}")
_SOCLE_FINGERPRINT = "socle:"


@dataclass(frozen=True)
class BulkFile:
    """A publication's archive on this node's disk."""

    publication_id: str
    store_version: str
    path: Path
    name: str  # the download's name


def current_publication() -> str:
    """Return the id of the current vintage's socle publication, publishing it if missing."""
    state = app_state()
    return state.pipeline.publisher.ensure(state.store)


def bulk_file(publication_id: str) -> BulkFile:
    """Return a socle publication's archive, building it the first time it is asked.

    Once built, it is served without reading the database: its description, written after
    the archive, is the mark that the archive is whole.
    """
    if not _PUBLICATION_ID.fullmatch(publication_id):
        raise _unknown(publication_id)
    folder = _folder()
    path, described = folder / f"{publication_id}.zip", folder / f"{publication_id}.json"
    if not described.exists():
        with app_state().database.sessions() as session:
            version, header = _publication(session, publication_id)
            delivery = publication_delivery(session, publication_id)
        _write_atomically(path, archive(delivery))
        synthetic = "-donnees-synthetiques" if header.synthetic else ""
        name = f"socle-commun-{version}-{publication_id[:8]}{synthetic}.zip"
        _write_atomically(described, json.dumps({"version": version, "nom": name}).encode())
    description = json.loads(described.read_text(encoding="utf-8"))
    return BulkFile(publication_id, description["version"], path, description["nom"])


def _unknown(publication_id: str) -> NotFound:
    return NotFound(f"Aucune publication du socle commun « {publication_id} ».")


def _publication(session: Session, publication_id: str) -> tuple[str, DeliveryHeader]:
    """Return a socle publication's store version and header (404 if it is not one)."""
    extract = queries.find_extract(session, publication_id)
    if (
        extract is None
        or extract.requester_id is not None
        or not extract.fingerprint.startswith(_SOCLE_FINGERPRINT)
        or extract.store_version is None
        or extract.result is None
    ):
        raise _unknown(publication_id)
    return str(extract.store_version), DeliveryHeader.from_json(extract.result["contexte"])


def publication_delivery(session: Session, publication_id: str) -> Delivery:
    """Return every cell of a publication as one delivery, in the catalogue's order."""
    publication = read_slice(session, publication_id)
    catalogue = current_catalogue(session, app_state().caches.catalogue)
    codes = [code for code in catalogue.indicators if code in publication.cells]
    cells = tuple(cell for code in codes for cell in publication.cells[code])
    header = replace(publication.header, extract_id=publication.extract_id)
    return build_delivery(header, codes, catalogue, cells)


def archive(delivery: Delivery) -> bytes:
    """Zip the delivery's CSV and its note explicative, each entry dated by the publication."""
    stamp = utc_naive(delivery.header.created_at).timetuple()[:6]
    note = "\n\n".join(text for _level, text in build_note(delivery).outline())
    entries = (
        (f"socle-commun-{delivery.header.extract_id}.csv", CsvRenderer().render(delivery)),
        ("note-explicative.txt", note.encode("utf-8")),
    )
    buffer = io.BytesIO()
    with ZipFile(buffer, "w") as target:
        for name, content in entries:
            info = ZipInfo(name, date_time=stamp)
            info.compress_type = ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return buffer.getvalue()


def _folder() -> Path:
    return app_state().settings.instance_dir / "socle"


def _write_atomically(path: Path, content: bytes) -> None:
    """Write the file whole or not at all: a reader never sees half an archive."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as output:
        output.write(content)
    os.replace(temporary, path)
