"""Quotes, orders and invoices: pricing a request, accepting it, invoicing its delivery.

Invoices are numbered per Caf and year without gaps: the number is taken from the
`invoice_counter` row inside the delivery transaction (an UPDATE ... RETURNING,
whose row lock serializes concurrent deliveries on PostgreSQL until commit; SQLite
serializes write transactions), so a rolled-back delivery gives its number back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import (
    Caf,
    InvoiceCounter,
    InvoiceRecord,
    Order,
    QuoteRecord,
    Requester,
    TariffScheduleVersion,
)
from gateway.db.models.pricing import OrderStatus, QuoteStatus
from gateway.services.catalogue import current_catalogue
from gateway.services.pricing_request import (
    access_request,
    policy_matrix,
    pricing_request,
    pricing_request_to_mapping,
    request_fingerprint,
    requester_conventions,
)
from gateway.services.pricing_schedules import (
    current_record,
    current_schedule,
    require_caf,
    schedule_of,
    seed_default_schedule,
)
from policies.access import Decision, RequesterProfile
from policies.decision import decide
from policies.domain import GeoLevel, RequesterType
from policies.errors import AccessDenied, InvalidInput, NotFound
from policies.geography import Geography
from tariffs import (
    Party,
    PricingRequest,
    Quote,
    TariffSchedule,
    ensure_quote_valid,
    format_invoice_number,
    invoice_from_quote,
    invoice_to_mapping,
    price,
    quote_from_mapping,
    quote_to_mapping,
)

__all__ = [
    "accept_quote",
    "assess_request",
    "covering_order",
    "current_schedule",
    "invoice_order",
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
    conventions = requester_conventions(session, requester_id)
    decision = decide(
        access_request(description, geography),
        requester,
        conventions=conventions,
        catalogue=catalogue.indicators,
        matrix=policy_matrix(session),
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
    if record is None or not _may_see(requester, record.requester_id, record.caf_code):
        raise NotFound(f"Devis introuvable : {quote_id}.")
    return record


def _may_see(requester: RequesterProfile, owner_id: int, caf_code: str) -> bool:
    if requester.type is RequesterType.ADMIN_NATIONAL:
        return True
    if requester.type is RequesterType.ADMIN_CAF:
        return requester.caf_code == caf_code
    return requester.id == str(owner_id)


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


# --- invoices -----------------------------------------------------------------------------


def invoice_order(
    session: Session,
    *,
    order_id: int,
    idempotency_key: str | None,
    today: date | None = None,
) -> InvoiceRecord | None:
    """Invoice the delivery of an order, inside the delivery transaction; once per order.

    Returns the order's invoice (the existing one on a retry), or None for a zero-priced
    order, which is marked delivered without an invoice (no invoice for 0 €).
    """
    order = session.scalar(select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound(f"Commande introuvable : {order_id}.")
    existing = session.scalar(select(InvoiceRecord).where(InvoiceRecord.order_id == order.id))
    if existing is not None:
        return existing
    record = session.get(QuoteRecord, order.quote_id)
    assert record is not None
    quote = quote_value(record)
    order.status = OrderStatus.DELIVERED.value
    order.delivered_at = order.delivered_at or datetime.now(UTC)
    if quote.total <= 0:
        session.flush()
        return None
    day = today or date.today()
    sequence = next_sequence(session, record.caf_code, day.year)
    invoice = invoice_from_quote(
        quote,
        number=format_invoice_number(record.caf_code, day.year, sequence),
        caf=caf_party(session, record.caf_code),
        requester=requester_party(session, record.requester_id),
        issued_on=day,
        quote_ref=quote_reference(record),
        legal_mentions=quote_schedule(session, record).legal_mentions,
    )
    stored = InvoiceRecord(
        number=invoice.number,
        caf_code=record.caf_code,
        year=day.year,
        sequence=sequence,
        order_id=order.id,
        requester_id=record.requester_id,
        requester_type=quote.requester_type.value,
        use=quote.use.value,
        issued_on=day,
        net=invoice.net,
        vat=invoice.vat.amount,
        total=invoice.total,
        document=invoice_to_mapping(invoice),
        idempotency_key=idempotency_key,
    )
    session.add(stored)
    session.flush()
    return stored


def next_sequence(session: Session, caf_code: str, year: int) -> int:
    """Take the next invoice sequence of a Caf and year; the counter row stays locked."""
    bump = (
        update(InvoiceCounter)
        .where(InvoiceCounter.caf_code == caf_code, InvoiceCounter.year == year)
        .values(next_value=InvoiceCounter.next_value + 1)
        .returning(InvoiceCounter.next_value)
        .execution_options(synchronize_session=False)
    )
    taken = session.execute(bump).scalar_one_or_none()
    if taken is None:
        try:
            with session.begin_nested():
                session.add(InvoiceCounter(caf_code=caf_code, year=year, next_value=1))
        except IntegrityError:
            pass  # created concurrently: bump that one
        taken = session.execute(bump).scalar_one()
    return int(taken) - 1


def quote_schedule(session: Session, record: QuoteRecord) -> TariffSchedule:
    """Return the schedule version a quote was made with (its legal mentions, its terms)."""
    version = session.get(TariffScheduleVersion, record.schedule_id)
    assert version is not None  # a foreign key
    return schedule_of(version)


def caf_party(session: Session, caf_code: str) -> Party:
    """Return the issuing Caf as printed on documents."""
    caf = session.get(Caf, caf_code)
    name = caf.name if caf else f"Caf {caf_code}"
    address = ("Caisse d'allocations familiales", f"Département {caf.departement}") if caf else ()
    return Party(name=name, address=address, identifier=f"Caf {caf_code}")


def requester_party(session: Session, requester_id: int) -> Party:
    """Return the requester as printed on documents."""
    requester = session.get(Requester, requester_id)
    if requester is None:
        return Party(name=f"Demandeur n° {requester_id}")
    territory = (
        (f"Territoire : {requester.territory_level} {requester.territory_code}",)
        if requester.territory_code
        else ()
    )
    return Party(
        name=requester.name,
        address=territory,
        identifier=f"Demandeur n° {requester.id}",
        email=requester.contact_email,
    )
