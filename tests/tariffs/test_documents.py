"""Quotes and invoices as stored documents and as PDF."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from policies.domain import RequesterType, Use
from policies.errors import InvalidInput, QuoteExpired
from tariffs import (
    Party,
    PricingMode,
    PricingRequest,
    Quote,
    TariffSchedule,
    ensure_quote_valid,
    format_eur,
    format_invoice_number,
    invoice_from_mapping,
    invoice_from_quote,
    invoice_to_mapping,
    price,
    quote_from_mapping,
    quote_to_mapping,
    render_invoice_pdf,
    render_quote_pdf,
)
from tests.tariffs.conftest import DAY

CAF = Party(
    "Caisse d'allocations familiales des Bouches-du-Rhône",
    ("215 chemin de Gibbes", "13014 Marseille"),
    "SIRET 000 000 000 00000",
)
REQUESTER = Party("Études & Territoires (exemple)", ("13001 Marseille",), None, "a@example.fr")


@pytest.fixture
def quote(schedule: TariffSchedule) -> Quote:
    request = PricingRequest(
        RequesterType.CABINET_PRIVE,
        Use.ETUDES,
        cells_per_zone=1200,
        zones=2,
        indicators=3,
        custom_zones=2,
        bespoke_breakdowns=1,
        convention_ref="CONV-131-2026-007",
    )
    return price(request, schedule, DAY, caf_code="131")  # total 179,59 (golden)


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


def page_text(pdf: bytes) -> bytes:
    """Return the uncompressed content of a PDF rendered with compress=False."""
    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" not in pdf
    return pdf


def test_quote_pdf_shows_lines_totals_and_validity(quote: Quote, schedule: TariffSchedule) -> None:
    pdf = render_quote_pdf(
        quote,
        caf=CAF,
        requester=REQUESTER,
        legal_mentions=schedule.legal_mentions,
        compress=False,
    )
    content = page_text(pdf)
    euro = "\u00a0€".encode("cp1252")
    for expected in ("179,59", "149,66", "29,93", "31/05/2026", "CONV-131-2026-007"):
        assert expected.encode("cp1252") in content
    assert b"179,59" + euro in content
    assert "Études".encode("cp1252") in content
    assert "coût marginal".encode("cp1252") in content


def test_free_quote_pdf_says_why(schedule: TariffSchedule) -> None:
    socle = PricingRequest(RequesterType.GRAND_PUBLIC, Use.USAGE_FINAL, socle_commun=True)
    pdf = render_quote_pdf(
        price(socle, schedule, DAY), caf=CAF, requester=REQUESTER, compress=False
    )
    assert "Socle commun : données diffusées gratuitement".encode("cp1252") in page_text(pdf)


def test_invoice_pdf_shows_number_and_total(quote: Quote) -> None:
    invoice = invoice_from_quote(
        quote, number="131-2026-000042", caf=CAF, requester=REQUESTER, issued_on=date(2026, 3, 20)
    )
    content = page_text(render_invoice_pdf(invoice, compress=False))
    assert b"131-2026-000042" in content
    assert b"179,59" in content
    assert b"19/04/2026" in content


def test_compressed_pdf_is_deterministic(quote: Quote) -> None:
    first = render_quote_pdf(quote, caf=CAF, requester=REQUESTER)
    assert first == render_quote_pdf(quote, caf=CAF, requester=REQUESTER)
    assert len(first) < len(render_quote_pdf(quote, caf=CAF, requester=REQUESTER, compress=False))
