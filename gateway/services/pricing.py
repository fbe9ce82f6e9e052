"""Quotes, orders and invoices: pricing a request, accepting it, invoicing its delivery.

Invoicing the delivery of an order lives in `gateway.services.invoices`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import (
    Order,
    QuoteRecord,
)
from gateway.db.models.pricing import OrderStatus, QuoteStatus
from gateway.services.catalogue import current_catalogue
from gateway.services.conventions import conventions_for
from gateway.services.policy_matrix import current_matrix
from gateway.services.pricing_request import (
    access_request,
    pricing_request,
    pricing_request_to_mapping,
    request_fingerprint,
)
from gateway.services.pricing_schedules import (
    current_record,
    current_schedule,
    require_caf,
    schedule_of,
    seed_default_schedule,
)
from policies.access import Decision, RequesterProfile, may_see
from policies.decision import decide
from policies.domain import GeoLevel
from policies.errors import AccessDenied, InvalidInput, NotFound
from policies.geography import Geography
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
    "assess_request",
    "covering_order",
    "current_schedule",
    "quote_for_request",
    "request_fingerprint",
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


@dataclass(frozen=True)
class Assessment:
    """What the policy and the tariff make of a described request."""

    decision: Decision
    caf_code: str
    pricing_request: PricingRequest | None  # None when refused


def assess_request(
    session: Session,
    *,
    requester: RequesterProfile,
    requester_id: int,
    description: Mapping[str, Any],
    geography: Geography,
    today: date,
) -> Assessment:
    """Decide a described request, then count it for the tariff if it is allowed."""
    catalogue = current_catalogue(session)
    conventions = tuple(conventions_for(session, requester_id))
    decision = decide(
        access_request(description, geography),
        requester,
        conventions=conventions,
        catalogue=catalogue.indicators,
        matrix=current_matrix(session),
        territories=geography,
        today=today,
    )
    caf_code = quoting_caf(session, description, requester, geography)
    if not decision.allowed:
        return Assessment(decision, caf_code, None)
    request = pricing_request(
        description,
        requester=requester,
        decision=decision,
        conventions=conventions,
        catalogue=catalogue,
        geography=geography,
        today=today,
    )
    return Assessment(decision, caf_code, request)


def quoting_caf(
    session: Session,
    description: Mapping[str, Any],
    requester: RequesterProfile,
    geography: Geography,
) -> str:
    """Return the Caf that quotes: named in the request, else the requester's, else the area's."""
    code = description.get("caf") or requester.caf_code or _area_caf(description, geography)
    if code is None:
        raise InvalidInput(
            "Demande invalide.", errors={"caf": ["Préciser la Caf qui établit le devis."]}
        )
    try:
        require_caf(session, code)
    except NotFound as error:
        raise InvalidInput("Demande invalide.", errors={"caf": [error.detail]}) from error
    return str(code)


def _area_caf(description: Mapping[str, Any], geography: Geography) -> str | None:
    spec = description["territories"]
    level, code = (
        (spec["level"], spec["codes"][0])
        if "codes" in spec
        else (spec["parent_level"], spec["parent_code"])
    )
    level = GeoLevel(level)
    departement = (
        code
        if level is GeoLevel.DEPARTEMENT
        else geography.parents(level, code).get(GeoLevel.DEPARTEMENT)
    )
    return geography.caf_of(departement).code if departement else None


def quote_for_request(
    session: Session,
    *,
    requester_id: int,
    caf_code: str,
    pricing_request: PricingRequest,
    description: Mapping[str, Any],
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
        fingerprint=request_fingerprint(description),
        description=dict(description),
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
