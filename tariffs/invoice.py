"""Invoices: a numbered, dated document built from an accepted quote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from policies.errors import InvalidInput
from tariffs.components import QuoteLine
from tariffs.money import format_number
from tariffs.quote import Quote
from tariffs.schedule import Billing

#: "131-2026-000042": Caf code, year of issue, sequence within the Caf and year.
DEFAULT_BILLING = Billing()  # 30 days, by bank transfer, the Caf's identity unknown
INVOICE_NUMBER = re.compile(r"^(?P<caf>[0-9A-Z]{2,5})-(?P<year>\d{4})-(?P<sequence>\d{6})$")


@dataclass(frozen=True)
class Party:
    """Who issues or receives a document, as printed on it."""

    name: str
    address: tuple[str, ...] = ()
    identifier: str | None = None  # SIREN / SIRET, or the requester's account reference
    email: str | None = None


@dataclass(frozen=True)
class Invoice:
    """An invoice; amounts in euros, `net` excluding VAT, `total` including it."""

    number: str
    caf: Party
    requester: Party
    issued_on: date
    due_on: date
    schedule_version: str
    convention_ref: str | None
    quote_ref: str | None  # the accepted quote's reference, as persisted
    lines: tuple[QuoteLine, ...]  # the quote's components, then its adjustments
    net: Decimal
    vat: QuoteLine
    total: Decimal
    legal_mentions: tuple[str, ...] = ()
    currency: str = "EUR"
    subject: tuple[tuple[str, str], ...] = ()  # what is bought: the request, line by line
    extract_ref: str | None = None  # the delivered extract
    terms: tuple[str, ...] = ()  # payment terms and VAT status (`billing_terms`)

    def __post_init__(self) -> None:
        match = INVOICE_NUMBER.match(self.number)
        if match is None:
            raise InvalidInput(
                "Numéro de facture invalide.", ("numero: format CAF-AAAA-NNNNNN attendu",)
            )
        if int(match["year"]) != self.issued_on.year:
            raise InvalidInput(
                "Numéro de facture invalide.", ("numero: l'année doit être celle d'émission",)
            )


def format_invoice_number(caf_code: str, year: int, sequence: int) -> str:
    """Format an invoice number: "131-2026-000042"."""
    if not 1 <= sequence <= 999_999:
        raise InvalidInput("Numéro de séquence de facture hors limites (1 à 999999).")
    return f"{caf_code}-{year:04d}-{sequence:06d}"


def invoice_from_quote(
    quote: Quote,
    *,
    number: str,
    caf: Party,
    requester: Party,
    issued_on: date,
    billing: Billing = DEFAULT_BILLING,
    quote_ref: str | None = None,
    legal_mentions: tuple[str, ...] = (),
    subject: tuple[tuple[str, str], ...] = (),
    extract_ref: str | None = None,
) -> Invoice:
    """Build the invoice of an accepted quote (acceptance checks its validity, not this)."""
    if quote.total <= 0:
        raise InvalidInput(
            "Un devis à 0 € ne donne pas lieu à facture.", (quote.zero_reason or "",)
        )
    if not number.startswith(f"{quote.caf_code}-"):
        raise InvalidInput(
            "Numéro de facture invalide.", (f"numero: doit commencer par {quote.caf_code}-",)
        )
    due_on = issued_on + timedelta(days=billing.payment_days)
    return Invoice(
        number=number,
        caf=caf,
        requester=requester,
        issued_on=issued_on,
        due_on=due_on,
        schedule_version=quote.schedule_version,
        convention_ref=quote.convention_ref,
        quote_ref=quote_ref,
        lines=quote.lines + quote.adjustments,
        net=quote.net,
        vat=quote.vat,
        total=quote.total,
        legal_mentions=legal_mentions,
        currency=quote.currency,
        subject=subject,
        extract_ref=extract_ref,
        terms=billing_terms(billing, quote.vat, issued_on, due_on),
    )


def billing_terms(
    billing: Billing, vat: QuoteLine, issued_on: date, due_on: date
) -> tuple[str, ...]:
    """Write the payment terms and the VAT status of an invoice: one text each, never two."""
    if due_on == issued_on:
        payment = f"Paiement à réception de la facture, par {billing.payment_method}."
    else:
        payment = (
            f"Paiement par {billing.payment_method} à {billing.payment_days} jours, au plus "
            f"tard le {due_on.strftime('%d/%m/%Y')} ; pas d'escompte pour paiement anticipé."
        )
    if vat.quantity == 0:  # the schedule says VAT does not apply
        status = billing.vat_exemption or "TVA non applicable."
    else:
        status = f"TVA au taux de {format_number(vat.quantity * 100)} %"
        status += (
            f" ; n° de TVA intracommunautaire : {billing.vat_number}."
            if billing.vat_number
            else "."
        )
    return (payment, status, *((billing.late_payment,) if billing.late_payment else ()))
