"""Pricing steps of an extract: quota, free or covered by an order, else a quote to accept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models import InvoiceRecord, Order, QuoteRecord
from gateway.pipeline.prepare import Prepared
from gateway.services import audit_log
from gateway.services.invoices import invoice_order
from gateway.services.pricing import covering_order, quote_for_request, quoting_caf
from gateway.services.pricing_request import pricing_request
from gateway.services.pricing_schedules import current_schedule
from policies.errors import PaymentRequired, QuotaExceeded
from policies.geography import Geography
from tariffs import price


class QuoteToAccept(PaymentRequired):
    """The extract is not free and no accepted quote covers it: here is the quote."""

    def __init__(self, record: QuoteRecord) -> None:
        super().__init__(
            f"Cet extrait est payant ({record.total} € TTC). Acceptez le devis n° {record.id} "
            "puis renouvelez la demande à l'identique.",
        )
        self.extra: dict[str, Any] = {
            "devis": {
                "id": record.id,
                "total": str(record.total),
                "valable_jusqu_au": record.valid_until.isoformat(),
                "accepter": f"/api/v1/quotes/{record.id}/accept",
                "document": f"/api/v1/quotes/{record.id}.pdf",
            }
        }


def check_quota(session: Session, prepared: Prepared, day: date) -> None:
    """Refuse an extract beyond the convention's monthly quotas (extracts and cells)."""
    convention = prepared.convention
    if convention is None or prepared.caller.requester_id is None:
        return
    extracts, cells = audit_log.monthly_usage(
        session, prepared.caller.requester_id, prepared.decision.convention_reference, day
    )
    quotas = convention.quotas
    if quotas.extracts_per_month is not None and extracts + 1 > quotas.extracts_per_month:
        raise QuotaExceeded(
            f"Quota mensuel de la convention {convention.label} atteint : "
            f"{extracts} extraits sur {quotas.extracts_per_month} ce mois-ci."
        )
    if quotas.cells_per_month is not None and cells + prepared.cells > quotas.cells_per_month:
        raise QuotaExceeded(
            f"Quota mensuel de cellules de la convention {convention.label} dépassé : "
            f"{cells} livrées + {prepared.cells} demandées > {quotas.cells_per_month}."
        )


def settle(
    session: Session, prepared: Prepared, geography: Geography, day: date
) -> int | QuoteRecord | None:
    """Return the covering order id, None when free, or a new quote the requester must accept."""
    if prepared.decision.free_access or prepared.caller.requester_id is None:
        return None
    description = prepared.request.description
    request = pricing_request(
        description,
        requester=prepared.caller.profile,
        decision=prepared.decision,
        conventions=prepared.conventions,
        catalogue=prepared.catalogue,
        geography=geography,
        today=day,
    )
    caf_code = quoting_caf(session, description, prepared.caller.profile, geography)
    if price(request, current_schedule(session, caf_code, day), day, caf_code=caf_code).total == 0:
        return None
    order = covering_order(
        session,
        requester_id=prepared.caller.requester_id,
        fingerprint=prepared.request.fingerprint(),
        today=day,
    )
    if order is not None:
        return order.id
    return quote_for_request(
        session,
        requester_id=prepared.caller.requester_id,
        caf_code=caf_code,
        pricing_request=request,
        description=description,
        today=day,
    )


def invoice(session: Session, order_id: int | None, key: str | None) -> InvoiceRecord | None:
    """Invoice the delivered order (None when free or zero-priced)."""
    if order_id is None:
        return None
    return invoice_order(session, order_id=order_id, idempotency_key=key)


def order_total(session: Session, order_id: int | None) -> Decimal | None:
    if order_id is None:
        return None
    order = session.get(Order, order_id)
    quote = session.get(QuoteRecord, order.quote_id) if order else None
    return quote.total if quote else None
