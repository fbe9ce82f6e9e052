"""A file a page sends: a signed-in person's document, to save or to open, never cached."""

from __future__ import annotations

from flask import Response


def attachment(content: bytes, media_type: str, name: str, *, inline: bool = False) -> Response:
    """Return a file to save (or, `inline`, to open in the browser), never cached."""
    response = Response(content, status=200, mimetype=media_type.split(";", maxsplit=1)[0])
    response.headers["Content-Type"] = media_type
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def delivered_file(content: bytes, media_type: str, name: str) -> Response:
    """Return a delivered extract's file: JSON opens in the browser, the others are saved."""
    return attachment(content, media_type, name, inline=media_type.startswith("application/json"))
