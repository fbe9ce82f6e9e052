"""Quotes and invoices as stored documents and as the values their PDF prints."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from policies.domain import RequesterType, Use
from policies.errors import InvalidInput, QuoteExpired
from tariffs import (
    PricingMode,
    PricingRequest,
    Quote,
    TariffSchedule,
    ensure_quote_valid,
    format_eur,
    format_invoice_number,
    invoice_document,
    invoice_from_mapping,
    invoice_from_quote,
    invoice_to_mapping,
    price,
    quote_document,
    quote_from_mapping,
    quote_to_mapping,
)
from tests.support.tariffs import CAF, REQUESTER, golden_quote
from tests.tariffs.conftest import DAY


@pytest.fixture
def quote(schedule: TariffSchedule) -> Quote:
    return golden_quote(schedule, DAY)


def test_format_eur() -> None:
    assert format_eur(Decimal("1234.56")).replace("\u00a0", " ") == "1 234,56 €"
    assert format_eur(Decimal("0")).replace("\u00a0", " ") == "0,00 €"
    assert format_eur(Decimal("-0.00")).replace("\u00a0", " ") == "0,00 €"


def test_quote_survives_json(quote: Quote, schedule: TariffSchedule) -> None:
    stored = json.loads(json.dumps(quote_to_mapping(quote)))
    assert quote_from_mapping(stored) == quote
    assert stored["total_ttc"] == "179.59"
    free = price(
        PricingRequest(RequesterType.GRAND_PUBLIC, Use.USAGE_FINAL, socle_commun=True),
        schedule,
        DAY,
    )
    assert quote_from_mapping(json.loads(json.dumps(quote_to_mapping(free)))) == free


def test_damaged_quote_mapping_is_invalid_input(quote: Quote) -> None:
    stored = quote_to_mapping(quote)
    stored["usage"] = "revente"
    del stored["lignes"][0]["montant"]
    with pytest.raises(InvalidInput) as raised:
        quote_from_mapping(stored)
    assert {reason.split(":")[0] for reason in raised.value.reasons} == {
        "usage",
        "lignes.0.montant",
    }


def test_quote_expires_after_its_validity_date(quote: Quote) -> None:
    ensure_quote_valid(quote, date(2026, 5, 31))
    with pytest.raises(QuoteExpired):
        ensure_quote_valid(quote, date(2026, 6, 1))


def test_invoice_from_quote(quote: Quote) -> None:
    number = format_invoice_number("131", 2026, 42)
    assert number == "131-2026-000042"
    invoice = invoice_from_quote(
        quote, number=number, caf=CAF, requester=REQUESTER, issued_on=date(2026, 3, 20)
    )
    assert invoice.total == Decimal("179.59")
    assert invoice.due_on == date(2026, 4, 19)
    assert invoice.lines == quote.lines + quote.adjustments
    assert invoice_from_mapping(json.loads(json.dumps(invoice_to_mapping(invoice)))) == invoice


@pytest.mark.parametrize(
    ("number", "issued_on"),
    [
        ("131-2026-42", date(2026, 3, 20)),
        ("131-2025-000042", date(2026, 3, 20)),  # the year is the year of issue
        ("751-2026-000042", date(2026, 3, 20)),  # another Caf's numbering
    ],
)
def test_invoice_number_is_checked(quote: Quote, number: str, issued_on: date) -> None:
    with pytest.raises(InvalidInput):
        invoice_from_quote(quote, number=number, caf=CAF, requester=REQUESTER, issued_on=issued_on)


def test_zero_quote_is_not_invoiced(schedule: TariffSchedule) -> None:
    flat_fee = PricingRequest(
        RequesterType.COMMUNE,
        Use.ETUDES,
        convention_ref="CONV-1",
        convention_pricing=PricingMode.ANNUAL_FLAT_FEE,
    )
    free = price(flat_fee, schedule, DAY, caf_code="131")
    with pytest.raises(InvalidInput):
        invoice_from_quote(
            free, number="131-2026-000001", caf=CAF, requester=REQUESTER, issued_on=DAY
        )


def test_printed_quote_and_invoice_say_what_their_pdf_shows(quote: Quote) -> None:
    printed = quote_document(quote, caf=CAF, requester=REQUESTER)
    assert (printed.title, printed.reference) == ("Devis", "Devis du 02/03/2026")
    assert ("Barème", "2026.1 (barème par défaut)") in printed.facts
    assert printed.totals[-1] == ("Total TTC", Decimal("179.59"))
    assert printed.notes == ("Devis valable jusqu'au 31/05/2026 inclus.",)
    invoice = invoice_from_quote(
        quote, number="131-2026-000042", caf=CAF, requester=REQUESTER, issued_on=date(2026, 3, 20)
    )
    billed = invoice_document(invoice)
    assert (billed.title, billed.reference) == ("Facture", "Facture n° 131-2026-000042")
    assert ("Date d'échéance", "19/04/2026") in billed.facts
    assert billed.notes == invoice.terms
