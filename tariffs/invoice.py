"""Invoices: a numbered, dated document built from an accepted quote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from policies.errors import InvalidInput
from tariffs.components import QuoteLine
from tariffs.quote import Quote

#: "131-2026-000042": Caf code, year of issue, sequence within the Caf and year.
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
    payment_days: int = 30,
    quote_ref: str | None = None,
    legal_mentions: tuple[str, ...] = (),
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
    return Invoice(
        number=number,
        caf=caf,
        requester=requester,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=payment_days),
        schedule_version=quote.schedule_version,
        convention_ref=quote.convention_ref,
        quote_ref=quote_ref,
        lines=quote.lines + quote.adjustments,
        net=quote.net,
        vat=quote.vat,
        total=quote.total,
        legal_mentions=legal_mentions,
        currency=quote.currency,
    )
