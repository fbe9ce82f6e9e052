"""A priced request's quote: its lines and PDF, its acceptance, then the extract it covers.

The same service calls as `GET /api/v1/quotes/{id}(.pdf)`, `POST /quotes/{id}/accept` and
`POST /extracts`: the accepted quote is honoured by the pipeline through the request's
fingerprint, so asking again the request stored with the quote (`reorder.ask_again`, as "Mon
espace" does) delivers it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash

from gateway.db.models.pricing import QuoteStatus
from gateway.pipeline.payment import QuoteToAccept
from gateway.services.extracts import reorder
from gateway.services.pricing import documents
from gateway.services.pricing import quotes as quote_service
from gateway.services.pricing.queries import quote_reference
from gateway.services.pricing.subject import request_subject
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate, see_other
from gateway.web.files import attachment
from policies.access import Action
from policies.errors import DomainError


def _quote_page(quote_id: int, status: int = 200, **context: Any) -> Response:
    person = signed_in()
    record = quote_service.owned_quote(request_session(), quote_id, person.profile)
    return page(
        "demande/quote.html",
        status,
        person=person,
        record=record,
        reference=quote_reference(record),
        status_now=quote_service.quote_status(record, date.today()),
        statuses=QuoteStatus,
        subject=request_subject(record.description),
        quote=record.document,
        **context,
    )


@person_gate(Action.QUOTE_READ)
def quote(quote_id: int) -> Response:
    """Show a quote: what is asked, its lines, its validity, and what to do next."""
    return _quote_page(quote_id)


@person_gate(Action.QUOTE_READ)
def quote_pdf(quote_id: int) -> Response:
    """Return the quote as PDF, as `GET /api/v1/quotes/{id}.pdf` does."""
    session = request_session()
    record = quote_service.owned_quote(session, quote_id, signed_in().profile)
    pdf = documents.quote_pdf(session, record)
    return attachment(pdf, "application/pdf", f"{quote_reference(record)}.pdf", inline=True)


@person_gate(Action.QUOTE_ACCEPT)
def accept(quote_id: int) -> Response:
    """Accept the quote: it becomes an order (an expired quote is refused, in French)."""
    person = signed_in()
    try:
        with app_state().database.transaction() as session:
            quote_service.accept_quote(
                session, quote_id=quote_id, requester=person.profile, today=date.today()
            )
    except DomainError as error:
        return _quote_page(quote_id, error.http_status, refusal=error)
    flash("Devis accepté : vous pouvez obtenir l’extrait.", "succes")
    return see_other("demande.quote", quote_id=quote_id)


@person_gate(Action.EXTRACT_CREATE)
def deliver(quote_id: int) -> Response:
    """Ask again the request of an accepted quote: its order covers it, it is delivered."""
    person = signed_in()
    record = quote_service.owned_quote(request_session(), quote_id, person.profile)
    try:
        outcome = reorder.ask_again(person.caller, record.description)
    except QuoteToAccept as again:  # not accepted (or expired): the quote to accept
        return see_other("demande.quote", quote_id=again.extra["devis"]["id"])
    except DomainError as error:
        return _quote_page(quote_id, error.http_status, refusal=error)
    return see_other("demande.result", extract_id=outcome.extract_id)
