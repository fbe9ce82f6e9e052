"""Quotes, orders and invoices: pricing a request, accepting it, invoicing its delivery.

Invoicing the delivery of an order lives in `gateway.services.invoices`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import (
    Order,
    QuoteRecord,
)
from gateway.db.models.pricing import OrderStatus, QuoteStatus
from gateway.pipeline.request import ExtractRequest
from gateway.services.pricing_request import pricing_request_to_mapping
from gateway.services.pricing_schedules import (
    current_record,
    current_schedule,
    schedule_of,
    seed_default_schedule,
)
from policies.access import RequesterProfile, may_see
from policies.errors import AccessDenied, NotFound
from tariffs import (
    PricingRequest,
    Quote,
    ensure_quote_valid,
    price,
    quote_from_mapping,
    quote_to_mapping,
)

__all__ = [
    "accept_quote",
    "covering_order",
    "current_schedule",
    "quote_for_request",
    "seed_default_schedule",
]


def quote_value(record: QuoteRecord) -> Quote:
    """Return the stored quote as a value."""
    return quote_from_mapping(record.document)


def quote_reference(record: QuoteRecord) -> str:
    """Return the printed reference of a quote: "DEV-13-000042"."""
    return f"DEV-{record.caf_code}-{record.id:06d}"


def quote_status(record: QuoteRecord, today: date) -> QuoteStatus:
    """Return the status as of today: a proposed quote past its validity has expired."""
    if record.status == QuoteStatus.PROPOSED and today > record.valid_until:
        return QuoteStatus.EXPIRED
    return QuoteStatus(record.status)


# --- quotes -------------------------------------------------------------------------------


def quote_for_request(
    session: Session,
    *,
    requester_id: int,
    caf_code: str,
    pricing_request: PricingRequest,
    request: ExtractRequest,
    today: date,
) -> QuoteRecord:
    """Price a request with the Caf's schedule in force today and store the proposed quote."""
    schedule_record = current_record(session, caf_code, today)
    quote = price(pricing_request, schedule_of(schedule_record), today, caf_code=caf_code)
    record = QuoteRecord(
        requester_id=requester_id,
        caf_code=caf_code,
        schedule_id=schedule_record.id,
        status=QuoteStatus.PROPOSED.value,
        fingerprint=request.fingerprint(),
        description=request.description,
        pricing_request=pricing_request_to_mapping(pricing_request),
        document=quote_to_mapping(quote),
        convention_ref=quote.convention_ref,
        made_on=quote.made_on,
        valid_until=quote.valid_until,
        total=quote.total,
    )
    session.add(record)
    session.flush()
    return record


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
            [{"regle": "devis.demandeur", "message": "devis proposé à un autre demandeur"}],
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


def covering_order(
    session: Session, *, requester_id: int, fingerprint: str, today: date | None = None
) -> Order | None:
    """Return an accepted, unexpired, undelivered order quoted for the same request."""
    day = today or date.today()
    return session.scalar(
        select(Order)
        .join(QuoteRecord, QuoteRecord.id == Order.quote_id)
        .where(
            Order.requester_id == requester_id,
            Order.status == OrderStatus.ORDERED.value,
            QuoteRecord.fingerprint == fingerprint,
            QuoteRecord.valid_until >= day,
        )
        .order_by(Order.id.desc())
        .limit(1)
    )
