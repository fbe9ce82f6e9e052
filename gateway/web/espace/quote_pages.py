"""My quotes and invoices: lists (as `GET /me/quotes`, `/me/invoices`), a quote, PDFs, accepting.

Accepting calls the API's own service (`quotes.accept_quote`); once accepted, the extract the
quote covers is asked again through the extract service, as the API asks the same body again.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import Response, flash

from gateway.api.me.listing_schemas import InvoiceListQuerySchema, QuoteListQuerySchema
from gateway.db.models.pricing import QuoteStatus
from gateway.services.extracts.reorder import ask_again
from gateway.services.pricing import documents, quotes
from gateway.services.pricing.queries import quote_reference
from gateway.services.pricing.subject import request_subject
from gateway.services.requesters import history
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate, see_other
from gateway.web.espace.common import ORDER_STATUSES, QUOTE_STATUSES, api_call, listing_page
from gateway.web.files import attachment
from policies.access import Action
from policies.errors import DomainError


@person_gate(Action.QUOTE_READ)
def quotes_page() -> Response:
    """List the organisation's quotes with their status today and their order."""
    return listing_page(
        "espace/quotes.html",
        QuoteListQuerySchema,
        partial(history.quotes_of, today=date.today()),
        "/api/v1/me/quotes",
        statuses=QUOTE_STATUSES,
        order_statuses=ORDER_STATUSES,
        subject=request_subject,
    )


@person_gate(Action.QUOTE_READ)
def quote_page(quote_id: int) -> Response:
    """Show a quote: what it covers, its lines, its PDF, and how to accept it."""
    return _quote(quote_id)


def _quote(quote_id: int, status: int = 200, refusal: DomainError | None = None) -> Response:
    session, person = request_session(), signed_in()
    record = quotes.owned_quote(session, quote_id, person.profile)
    return page(
        "espace/quote.html",
        status,
        private=True,
        record=record,
        reference=quote_reference(record),
        status_now=quotes.quote_status(record, date.today()).value,
        statuses=QUOTE_STATUSES,
        order_statuses=ORDER_STATUSES,
        subject=request_subject(record.description),
        follow_up=history.quote_follow_up(session, record.id),
        refusal=refusal,
        api=api_call(f"/api/v1/quotes/{record.id}"),
        accept_api=api_call(f"/api/v1/quotes/{record.id}/accept", method="POST"),
    )


@person_gate(Action.QUOTE_READ)
def quote_pdf(quote_id: int) -> Response:
    """Send the quote as a PDF, as `GET /api/v1/quotes/{id}.pdf` does."""
    session = request_session()
    record = quotes.owned_quote(session, quote_id, signed_in().profile)
    content = documents.quote_pdf(session, record)
    return attachment(content, "application/pdf", f"{quote_reference(record)}.pdf")


@person_gate(Action.QUOTE_ACCEPT)
def quote_accept(quote_id: int) -> Response:
    """Accept the quote: it becomes an order (an expired quote is refused, and said so)."""
    profile = signed_in().profile
    try:
        with app_state().database.transaction() as session:
            order, created = quotes.accept_quote(
                session, quote_id=quote_id, requester=profile, today=date.today()
            )
            order_id = order.id
    except DomainError as error:
        if error.http_status == 404:
            raise
        return _quote(quote_id, error.http_status, error)
    if created:
        flash(
            f"Devis accepté : commande n° {order_id}. Obtenez maintenant l’extrait qu’il couvre.",
            "succes",
        )
    else:
        flash(f"Ce devis était déjà accepté (commande n° {order_id}) : rien n’a changé.", "info")
    return see_other("espace.quote", quote_id=quote_id)


@person_gate(Action.EXTRACT_CREATE)
def quote_extract(quote_id: int) -> Response:
    """Ask for the extract an accepted quote covers; show the extract (or why not)."""
    person = signed_in()
    record = quotes.owned_quote(request_session(), quote_id, person.profile)
    if quotes.quote_status(record, date.today()) is not QuoteStatus.ACCEPTED:
        flash("Acceptez d’abord le devis : l’extrait sera ensuite produit.", "info")
        return see_other("espace.quote", quote_id=quote_id)
    try:
        outcome = ask_again(person.caller, record.description)
    except DomainError as error:
        return _quote(quote_id, error.http_status, error)
    return see_other("espace.extract", extract_id=outcome.extract_id)


@person_gate(Action.INVOICE_READ)
def invoices_page() -> Response:
    """List the organisation's invoices with the extract each one bills."""
    return listing_page(
        "espace/invoices.html", InvoiceListQuerySchema, history.invoices_of, "/api/v1/me/invoices"
    )


@person_gate(Action.INVOICE_READ)
def invoice_pdf(number: str) -> Response:
    """Send an invoice as a PDF, as `GET /api/v1/invoices/{n}.pdf` does."""
    invoice = documents.visible_invoice(request_session(), number, signed_in().profile)
    content = documents.invoice_pdf(invoice)
    return attachment(content, "application/pdf", f"facture-{invoice.number}.pdf")
