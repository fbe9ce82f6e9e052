"""A file a page sends: a signed-in person's document, to save or to open, never cached."""

from __future__ import annotations

from flask import Response

from gateway.api.files import send_delivered
from gateway.services.extracts.files import DeliveredFile


def attachment(content: bytes, media_type: str, name: str, *, inline: bool = False) -> Response:
    """Return a file to save (or, `inline`, to open in the browser), never cached."""
    response = Response(content, status=200, mimetype=media_type.split(";", maxsplit=1)[0])
    response.headers["Content-Type"] = media_type
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def delivered_download(file: DeliveredFile) -> Response:
    """Return a delivered extract's file (length, ETag): JSON opens, the others are saved."""
    disposition = "inline" if file.media_type.startswith("application/json") else "attachment"
    return send_delivered(file, disposition=disposition, cache_control="private, no-store")
