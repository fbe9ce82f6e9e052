"""Invoices: one per delivered order, numbered per Caf and year without gaps.

The number is taken from the `invoice_counter` row inside the delivery transaction (an
UPDATE ... RETURNING, whose row lock serializes concurrent deliveries on PostgreSQL until
commit; SQLite serializes write transactions), so a rolled-back delivery gives its number
back.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from gateway.db.models.pricing import OrderStatus
from gateway.services.pricing import quote_reference, quote_value
from gateway.services.pricing_schedules import schedule_of
from policies.access.values import LEVEL_LABELS, USE_LABELS
from policies.domain import GeoLevel, Use
from policies.errors import NotFound
from tariffs import (
    Billing,
    Party,
    TariffSchedule,
    format_invoice_number,
    invoice_from_quote,
    invoice_to_mapping,
)


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


def request_subject(description: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Describe what is bought, line by line, from the stored request (quote, invoice)."""
    subject = [
        ("Indicateurs", ", ".join(description.get("indicators") or ())),
        ("Territoires", _territories_text(description)),
        ("Périodes", ", ".join(map(str, description.get("periods") or ()))),
        ("Ventilations", ", ".join(description.get("breakdowns") or ()) or "aucune"),
    ]
    bespoke = description.get("bespoke_breakdowns") or ()
    if bespoke:
        text = "; ".join(f"{b['label']} ({b['categories']} modalités)" for b in bespoke)
        subject.append(("Ventilations spécifiques", text))
    margins = [
        m for m, key in (("total", "totals"), ("parents", "parents")) if description.get(key)
    ]
    if margins:
        subject.append(("Marges ajoutées", ", ".join(margins)))
    subject.append(("Usage", _label(USE_LABELS, Use, description.get("use"))))
    return tuple(subject)


#: "chaque commune du département 13": the parent level with its French preposition.
_OF = {"epci": "de l'EPCI", "departement": "du département", "region": "de la région"}


def _label(labels: Mapping[Any, str], kind: Any, code: object) -> str:
    """Return the French label of a stored code, or the code itself when it is unknown."""
    try:
        return labels[kind(code)]
    except (KeyError, ValueError):
        return str(code or "-")


def _territories_text(description: Mapping[str, Any]) -> str:
    lines = description.get("territories") or ()
    # One line as asked in a request body; several for a screen comparing territories.
    parts = [_line_text(spec) for spec in ([lines] if isinstance(lines, Mapping) else lines)]
    for zone in description.get("zones") or ():
        name = zone.get("nom") or zone.get("code") or zone.get("id")
        parts.append(f"zone personnalisée « {name} » ({len(zone.get('communes') or ())} communes)")
    return " ; ".join(parts) or "-"


def _line_text(spec: Mapping[str, Any]) -> str:
    level = _label(LEVEL_LABELS, GeoLevel, spec.get("level") or "commune")
    if spec.get("codes"):
        return f"{level} : {', '.join(spec['codes'])}"
    parent = _OF.get(spec["parent_level"], f"de {spec['parent_level']}")
    return f"chaque {level} {parent} {spec['parent_code']}"


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
