"""An extract asked on the portal: its status and progress, its files, its invoice.

The same service calls as `GET /api/v1/extracts/{id}` and `.../download?format=`, with the
person's organisation as the caller. A background extract's page polls its progress
fragment every second (htmx); without JavaScript, an "Actualiser" link reloads the page.
"My space" (`/espace`) may link here: this page is the extract's page of the portal.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, request

from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED, FAILED, IN_FLIGHT
from gateway.delivery import FORMATS
from gateway.services.extracts import service as extracts
from gateway.services.extracts.files import download_file
from gateway.services.pricing import documents
from gateway.services.pricing.subject import request_subject
from gateway.state import request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate
from gateway.web.files import attachment, delivered_download
from gateway.web.socle.routes import FORMAT_ORDER
from gateway.web.twin import FORMAT_LABELS
from policies.access import Action

#: "My space"'s page of an extract, linked when that area is installed.
SPACE_ENDPOINT = "espace.extract"


def _extract(extract_id: str) -> Extract:
    return extracts.owned_extract(request_session(), extract_id, signed_in().caller)


def _context(extract: Extract) -> dict[str, Any]:
    return {
        "extract": extract,
        "in_flight": extract.status in IN_FLIGHT,
        "delivered": extract.status == DELIVERED,
        "failed": extract.status == FAILED,
        "formats": [(name, FORMAT_LABELS[name]) for name in FORMAT_ORDER if name in FORMATS],
        "subject": request_subject(extract.request or {}),
        "space": SPACE_ENDPOINT in current_app.view_functions,
    }


@person_gate(Action.EXTRACT_READ)
def result(extract_id: str) -> Response:
    """Show an extract: what was asked, its status (progress bar), downloads or its error."""
    extract = _extract(extract_id)
    return page("demande/result.html", person=signed_in(), **_context(extract))


@person_gate(Action.EXTRACT_READ)
def progress(extract_id: str) -> Response:
    """Return the status block alone: htmx polls it while the extract is in flight."""
    return page("demande/_status.html", **_context(_extract(extract_id)))


@person_gate(Action.EXTRACT_READ)
def download(extract_id: str) -> Response:
    """Return the delivered extract in a format, as the API's download does."""
    format_name = request.args.get("format", "csv")
    if format_name not in FORMATS:
        abort(404)
    session = request_session()
    extract = extracts.owned_extract(session, extract_id, signed_in().caller)
    return delivered_download(download_file(session, extract, format_name))


@person_gate(Action.INVOICE_READ)
def invoice_pdf(number: str) -> Response:
    """Return an invoice as PDF, as `GET /api/v1/invoices/{number}.pdf` does."""
    invoice = documents.visible_invoice(request_session(), number, signed_in().profile)
    pdf = documents.invoice_pdf(invoice)
    return attachment(pdf, "application/pdf", f"facture-{invoice.number}.pdf", inline=True)
