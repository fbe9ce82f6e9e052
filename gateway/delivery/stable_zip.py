"""Date every entry of a zip archive (an XLSX file) with one moment: same content, same bytes."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

#: The earliest date a zip entry can carry (MS-DOS time).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def utc_naive(moment: datetime) -> datetime:
    """Return the moment in UTC without its zone, as a workbook's properties hold it."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def redated(archive: bytes, moment: datetime) -> bytes:
    """Return the archive with its entries in the same order and content, each dated
    `moment` (UTC), with the same permissions and compression whatever wrote it."""
    stamp = max(_ZIP_EPOCH, utc_naive(moment).timetuple()[:6])
    buffer = io.BytesIO()
    with ZipFile(io.BytesIO(archive)) as source, ZipFile(buffer, "w", allowZip64=True) as target:
        for entry in source.infolist():
            info = ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.file_size = entry.file_size  # lets ZipFile choose ZIP64 up front
            with source.open(entry) as reader, target.open(info, "w") as writer:
                shutil.copyfileobj(reader, writer, _CHUNK)
    return buffer.getvalue()
