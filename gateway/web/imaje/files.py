"""A screen's table as a file: the extract it is, rendered by the delivery's own renderers."""

from __future__ import annotations

from flask import Response

from gateway.services.extracts import service as extracts
from gateway.services.extracts.files import download_file
from gateway.state import request_session
from gateway.web.account.current import current_person
from gateway.web.account.forms import person_gate
from gateway.web.files import delivered_download
from gateway.web.imaje.twin import TABLE_FORMATS
from policies.access import Action
from policies.errors import NotFound


@person_gate(Action.EXTRACT_READ)
def download(extract_id: str, format_name: str) -> Response:
    """Download a screen's table (as `GET /api/v1/extracts/{id}/download?format=`)."""
    if format_name not in TABLE_FORMATS:
        raise NotFound(f"Format inconnu : {format_name}.")
    person = current_person()
    assert person is not None  # the gate signed them in
    session = request_session()
    extract = extracts.owned_extract(session, extract_id, person.caller)
    return delivered_download(download_file(session, extract, format_name))
