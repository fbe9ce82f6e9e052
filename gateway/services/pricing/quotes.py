"""Quotes: a request quoted as its extract would be priced, read, accepted as an order.

Invoicing the delivery of an order happens in the delivery's transaction
(`gateway.services.pricing.queries.invoice_order`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import Order, QuoteRecord
from gateway.db.models.pricing import OrderStatus, QuoteStatus
from gateway.pipeline import payment
from gateway.pipeline.prepare import check_size
from gateway.services.pricing.queries import quote_value
from gateway.state import app_state
from policies.access import Caller, RequesterProfile, may_see
from policies.errors import AccessDenied, NotFound
from policies.refusals import Refusal, Rule
from tariffs import ensure_quote_valid


def quote_status(record: QuoteRecord, today: date) -> QuoteStatus:
    """Return the status as of today: a proposed quote past its validity has expired."""
    if record.status == QuoteStatus.PROPOSED and today > record.valid_until:
        return QuoteStatus.EXPIRED
    return QuoteStatus(record.status)


# --- quotes -------------------------------------------------------------------------------


def propose_quote(
    session: Session, caller: Caller, body: Mapping[str, Any], *, today: date
) -> QuoteRecord:
    """Decide the request as an extract would be decided, then price and store its quote.

    A refused request is not quoted (the refusal is raised); neither is one larger than
    an extract may be. The fingerprint is the extract's: accepting the quote covers the
    extract asked with the same body.
    """
    state = app_state()
    prepared = state.pipeline.decide(session, caller, body, today)
    prepared.decision.raise_if_refused()
    check_size(prepared, state.limits)
    return payment.propose(session, prepared, state.geography, today)


def owned_quote(session: Session, quote_id: int, requester: RequesterProfile) -> QuoteRecord:
    """Return a quote its requester, or an administrator of its Caf, may see."""
    record = session.get(QuoteRecord, quote_id)
    if record is None or not may_see(requester, record.requester_id, record.caf_code):
        raise NotFound(f"Devis introuvable : {quote_id}.")
    return record


# --- orders -------------------------------------------------------------------------------


def accept_quote(
    session: Session, *, quote_id: int, requester: RequesterProfile, today: date
) -> tuple[Order, bool]:
    """Turn the requester's quote into an order; return it and whether it was created now.

    An accepted quote keeps its one order (a unique constraint guards it under races);
    an expired quote cannot be accepted (QuoteExpired).
    """
    record = owned_quote(session, quote_id, requester)
    if requester.id != str(record.requester_id):
        raise AccessDenied(
            "Seul le demandeur à qui le devis a été proposé peut l'accepter.",
            [Refusal(Rule.DEVIS_DEMANDEUR, "devis proposé à un autre demandeur")],
        )
    existing = _order_of(session, record.id)
    if existing is not None:
        return existing, False
    ensure_quote_valid(quote_value(record), today)
    order = Order(
        quote_id=record.id,
        requester_id=record.requester_id,
        caf_code=record.caf_code,
        status=OrderStatus.ORDERED.value,
    )
    try:
        with session.begin_nested():
            session.add(order)
    except IntegrityError:  # accepted concurrently: that order is the order
        existing = _order_of(session, record.id)
        assert existing is not None
        return existing, False
    record.status = QuoteStatus.ACCEPTED.value
    session.flush()
    return order, True


def _order_of(session: Session, quote_id: int) -> Order | None:
    return session.scalar(select(Order).where(Order.quote_id == quote_id))
