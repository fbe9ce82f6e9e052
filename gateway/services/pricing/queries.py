"""The pricing records: schedules in force, quotes, orders and invoices, read and written.

An invoice is numbered per Caf and year without gaps: the number is taken from the
`invoice_counter` row inside the delivery transaction (an UPDATE ... RETURNING, whose row lock
serializes concurrent deliveries on PostgreSQL until commit; SQLite serializes write
transactions), so a rolled-back delivery gives its number back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

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
from gateway.services.pricing.stored import pricing_request_to_mapping
from gateway.services.pricing.subject import request_subject
from policies.errors import NotFound
from tariffs import (
    DEFAULT_CAF_CODE,
    Billing,
    Party,
    PricingRequest,
    Quote,
    TariffSchedule,
    format_invoice_number,
    invoice_from_quote,
    invoice_to_mapping,
    price,
    quote_from_mapping,
    quote_to_mapping,
    schedule_for,
    schedule_from_mapping,
)


class Asked(Protocol):
    """What a quote records of the request it prices (an extract request)."""

    @property
    def description(self) -> Mapping[str, Any]: ...

    def fingerprint(self) -> str: ...


# --- schedules ------------------------------------------------------------------------------


def schedule_of(record: TariffScheduleVersion) -> TariffSchedule:
    """Return the stored version as a value."""
    return schedule_from_mapping(record.document)


def version_records(session: Session, caf_code: str) -> list[TariffScheduleVersion]:
    """Return a Caf's own versions (or the default's, for "*"), oldest first."""
    return list(
        session.scalars(
            select(TariffScheduleVersion)
            .where(TariffScheduleVersion.caf_code == caf_code)
            .order_by(TariffScheduleVersion.effective_from)
        )
    )


def current_record(session: Session, caf_code: str, day: date) -> TariffScheduleVersion:
    """Return the stored version in force for the Caf on `day` (its own, else the default)."""
    records = version_records(session, caf_code) + version_records(session, DEFAULT_CAF_CODE)
    chosen = schedule_for([schedule_of(r) for r in records], caf_code, day)
    return next(r for r in records if (r.caf_code, r.version) == (chosen.caf_code, chosen.version))


def current_schedule(session: Session, caf_code: str, day: date) -> TariffSchedule:
    """Return the schedule in force for the Caf on `day`, falling back to the default one."""
    return schedule_of(current_record(session, caf_code, day))


def require_caf(session: Session, caf_code: str) -> Caf:
    caf = session.get(Caf, caf_code)
    if caf is None:
        raise NotFound(f"Caf inconnue : « {caf_code} ».")
    return caf


# --- quotes and orders ----------------------------------------------------------------------


def quote_value(record: QuoteRecord) -> Quote:
    """Return the stored quote as a value."""
    return quote_from_mapping(record.document)


def quote_reference(record: QuoteRecord) -> str:
    """Return the printed reference of a quote: "DEV-13-000042"."""
    return f"DEV-{record.caf_code}-{record.id:06d}"


def quote_for_request(
    session: Session,
    *,
    requester_id: int,
    caf_code: str,
    pricing_request: PricingRequest,
    request: Asked,
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


def order_total(session: Session, order_id: int | None) -> Decimal | None:
    if order_id is None:
        return None
    order = session.get(Order, order_id)
    quote = session.get(QuoteRecord, order.quote_id) if order else None
    return quote.total if quote else None


# --- invoices -------------------------------------------------------------------------------


def invoice_order(
    session: Session,
    *,
    order_id: int,
    idempotency_key: str | None,
    extract_id: str | None = None,
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
    schedule = quote_schedule(session, record)
    invoice = invoice_from_quote(
        quote,
        number=format_invoice_number(record.caf_code, day.year, sequence),
        caf=caf_party(session, record.caf_code, schedule.billing),
        requester=requester_party(session, record.requester_id),
        issued_on=day,
        billing=schedule.billing,
        quote_ref=quote_reference(record),
        legal_mentions=schedule.legal_mentions,
        subject=request_subject(record.description),
        extract_ref=extract_id,
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
        document={**invoice_to_mapping(invoice), "demande": record.description},
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


def caf_party(session: Session, caf_code: str, billing: Billing) -> Party:
    """Return the issuing Caf as printed on documents: its name, and what its schedule says."""
    caf = session.get(Caf, caf_code)
    name = caf.name if caf else f"Caf {caf_code}"
    return Party(
        name=name,
        address=billing.address,
        identifier=f"SIRET {billing.siret}" if billing.siret else None,
    )


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
