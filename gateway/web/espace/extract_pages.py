"""My extracts: the list (as `GET /me/extracts`), an extract's page, its files in any format."""

from __future__ import annotations

from flask import Response, request

from gateway.api.me.listing_schemas import ExtractListQuerySchema
from gateway.delivery import FORMATS
from gateway.services.extracts import service as extracts
from gateway.services.extracts.files import download_file
from gateway.services.pricing.subject import request_subject
from gateway.services.requesters import history
from gateway.state import request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate
from gateway.web.espace.common import EXTRACT_STATUSES, api_call, listing_page
from gateway.web.files import delivered_download
from gateway.web.twin import FORMAT_LABELS
from policies.access import Action
from policies.errors import InvalidInput

#: The formats an extract's page offers, in the order a reader looks for them.
FORMAT_ORDER = ("csv-fr", "csv", "xlsx", "pdf", "json", "jsonstat", "sdmx-csv")


@person_gate(Action.EXTRACT_READ)
def extracts_page() -> Response:
    """List the organisation's extracts, newest first, by date and status."""
    return listing_page(
        "espace/extracts.html",
        ExtractListQuerySchema,
        history.extracts_of,
        "/api/v1/me/extracts",
        subject=request_subject,
        statuses=EXTRACT_STATUSES,
    )


@person_gate(Action.EXTRACT_READ)
def extract_page(extract_id: str) -> Response:
    """Show an extract: its status, what was asked, its counts and its files."""
    extract = extracts.owned_extract(request_session(), extract_id, signed_in().caller)
    formats = [(name, FORMAT_LABELS.get(name, name)) for name in FORMAT_ORDER if name in FORMATS]
    return page(
        "espace/extract.html",
        private=True,
        extract=extract,
        subject=request_subject(extract.request) if not extract.request.get("socle") else (),
        statuses=EXTRACT_STATUSES,
        formats=formats,
        api=api_call(f"/api/v1/extracts/{extract.id}"),
    )


@person_gate(Action.EXTRACT_READ)
def extract_download(extract_id: str) -> Response:
    """Send a delivered extract in the format asked, through the API's download service."""
    format_name = request.args.get("format", "csv-fr")
    if format_name not in FORMATS:
        raise InvalidInput(
            f"Format inconnu : « {format_name} ». Formats proposés : {', '.join(sorted(FORMATS))}."
        )
    session = request_session()
    extract = extracts.owned_extract(session, extract_id, signed_in().caller)
    return delivered_download(download_file(session, extract, format_name))
