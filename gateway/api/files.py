"""A delivered extract's file, as both doors send it: its length, its ETag, conditional GETs.

A kept file (a large extract, rendered once) is streamed from disk; a file rendered for this
request is sent from memory. Either way the ETag is the file's SHA-256, so a client that has
the file gets 304 for `If-None-Match`, and `Range` requests resume a long download.
"""

from __future__ import annotations

import io

from flask import Response, send_file

from gateway.services.extracts.files import DeliveredFile


def send_delivered(file: DeliveredFile, *, disposition: str | None, cache_control: str) -> Response:
    """Return the file with Content-Length, ETag and Cache-Control; `disposition`:
    "attachment" (to save), "inline" (to open) or None (no header, as the API's JSON)."""
    source = file.path if file.path is not None else io.BytesIO(file.content or b"")
    response = send_file(
        source,
        mimetype=file.media_type.split(";", maxsplit=1)[0],
        etag=file.etag,
        conditional=True,
        last_modified=None,
    )
    response.headers["Content-Type"] = file.media_type
    if disposition is not None:
        response.headers["Content-Disposition"] = f'{disposition}; filename="{file.name}"'
    response.headers["Cache-Control"] = cache_control
    return response
