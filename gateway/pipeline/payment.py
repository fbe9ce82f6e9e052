"""Pricing steps of an extract: quota, free or covered by an order, else a quote to accept."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models import InvoiceRecord, QuoteRecord
from gateway.links import quote_url
from gateway.pipeline.prepare import Prepared
from gateway.pipeline.pricing_request import pricing_request
from gateway.services.audit import queries as audit_log
from gateway.services.pricing.queries import (
    covering_order,
    current_schedule,
    invoice_order,
    quote_for_request,
    require_caf,
)
from policies.errors import PaymentRequired, QuotaExceeded
from policies.geography import Geography
from tariffs import PricingRequest, Quote, price


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
                "accepter": f"{quote_url(record.id)}/accept",
                "document": f"{quote_url(record.id)}.pdf",
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


@dataclass(frozen=True)
class Priced:
    """A prepared request priced by the Caf that quotes it."""

    caf_code: str
    request: PricingRequest
    quote: Quote


def quoting_caf(prepared: Prepared, geography: Geography) -> str:
    """Return the Caf that quotes: the requester's, else the one holding most requested communes.

    Never chosen by the requester: the quote must be the one its delivery finds, read by the
    administrators who see the requester's extracts.
    """
    if prepared.caller.profile.caf_code:
        return prepared.caller.profile.caf_code
    communes = sorted({c for t in prepared.territories if t.requested for c in t.communes})
    cafs = Counter(geography.caf_of(geography.commune(c).departement).code for c in communes)
    return min(cafs, key=lambda code: (-cafs[code], code))


def priced(session: Session, prepared: Prepared, geography: Geography, day: date) -> Priced:
    """Price a prepared request with the quoting Caf's schedule in force on that day."""
    caf_code = quoting_caf(prepared, geography)
    require_caf(session, caf_code)
    request = pricing_request(
        prepared.request,
        prepared.territories,
        requester=prepared.caller.profile,
        decision=prepared.decision,
        conventions=prepared.conventions,
        catalogue=prepared.catalogue,
        today=day,
    )
    quote = price(request, current_schedule(session, caf_code, day), day, caf_code=caf_code)
    return Priced(caf_code, request, quote)


def propose(session: Session, prepared: Prepared, geography: Geography, day: date) -> QuoteRecord:
    """Price a prepared request and store its quote, for its requester to accept."""
    return _store(session, prepared, priced(session, prepared, geography, day), day)


def _store(session: Session, prepared: Prepared, pricing: Priced, day: date) -> QuoteRecord:
    assert prepared.caller.requester_id is not None  # the public asks no quote
    return quote_for_request(
        session,
        requester_id=prepared.caller.requester_id,
        caf_code=pricing.caf_code,
        pricing_request=pricing.request,
        request=prepared.request,
        today=day,
    )


@dataclass(frozen=True)
class Assessment:
    """What a request would cost, read only: its pricing, and the accepted order covering it."""

    pricing: Priced | None  # None: free access, nothing priced (socle, public, free convention)
    order_id: int | None = None  # the requester's accepted order for this very request
    quote_id: int | None = None  # the accepted quote of that order

    @property
    def free(self) -> bool:
        return self.pricing is None or self.pricing.quote.total == 0


def assess(session: Session, prepared: Prepared, geography: Geography, day: date) -> Assessment:
    """Price a prepared request and find the order covering it, writing nothing."""
    if prepared.decision.free_access or prepared.caller.requester_id is None:
        return Assessment(None)
    pricing = priced(session, prepared, geography, day)
    if pricing.quote.total == 0:
        return Assessment(pricing)
    order = covering_order(
        session,
        requester_id=prepared.caller.requester_id,
        fingerprint=prepared.request.fingerprint(),
        today=day,
    )
    if order is None:
        return Assessment(pricing)
    return Assessment(pricing, order.id, order.quote_id)


def settle(
    session: Session, prepared: Prepared, geography: Geography, day: date
) -> int | QuoteRecord | None:
    """Return the covering order id, None when free, or a new quote the requester must accept."""
    assessment = assess(session, prepared, geography, day)
    if assessment.free:
        return None
    if assessment.order_id is not None:
        return assessment.order_id
    assert assessment.pricing is not None  # not free: priced
    return _store(session, prepared, assessment.pricing, day)


def invoice(
    session: Session, order_id: int | None, key: str | None, extract_id: str | None = None
) -> InvoiceRecord | None:
    """Invoice the delivered order, naming the extract (None when free or zero-priced)."""
    if order_id is None:
        return None
    return invoice_order(session, order_id=order_id, idempotency_key=key, extract_id=extract_id)
