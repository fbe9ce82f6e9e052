"""Quotes and invoices as PDF: lines, totals, validity, terms, deterministic bytes."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.delivery.pricing_pdf import render_document_pdf
from policies.domain import RequesterType, Use
from tariffs import (
    PricingRequest,
    Quote,
    TariffSchedule,
    invoice_document,
    invoice_from_quote,
    price,
    quote_document,
)
from tests.support.tariffs import CAF, REQUESTER, default_schedule, golden_quote

DAY = date(2026, 3, 2)


@pytest.fixture
def schedule() -> TariffSchedule:
    return default_schedule()


@pytest.fixture
def quote(schedule: TariffSchedule) -> Quote:
    return golden_quote(schedule, DAY)


def page_text(pdf: bytes) -> bytes:
    """Return the uncompressed content of a PDF rendered with compress=False."""
    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" not in pdf
    return pdf


def test_quote_pdf_shows_lines_totals_and_validity(quote: Quote, schedule: TariffSchedule) -> None:
    printed = quote_document(
        quote, caf=CAF, requester=REQUESTER, legal_mentions=schedule.legal_mentions
    )
    pdf = render_document_pdf(printed, compress=False)
    content = page_text(pdf)
    euro = "\u00a0€".encode("cp1252")
    for expected in ("179,59", "149,66", "29,93", "31/05/2026", "CONV-131-2026-007"):
        assert expected.encode("cp1252") in content
    assert b"179,59" + euro in content
    assert "Études".encode("cp1252") in content
    assert "coût marginal".encode("cp1252") in content


def test_free_quote_pdf_says_why(schedule: TariffSchedule) -> None:
    socle = PricingRequest(RequesterType.GRAND_PUBLIC, Use.USAGE_FINAL, socle_commun=True)
    printed = quote_document(price(socle, schedule, DAY), caf=CAF, requester=REQUESTER)
    pdf = render_document_pdf(printed, compress=False)
    assert "Socle commun : données diffusées gratuitement".encode("cp1252") in page_text(pdf)


def test_invoice_pdf_shows_number_and_total(quote: Quote) -> None:
    invoice = invoice_from_quote(
        quote, number="131-2026-000042", caf=CAF, requester=REQUESTER, issued_on=date(2026, 3, 20)
    )
    content = page_text(render_document_pdf(invoice_document(invoice), compress=False))
    assert b"131-2026-000042" in content
    assert b"179,59" in content
    assert b"19/04/2026" in content


def test_compressed_pdf_is_deterministic(quote: Quote) -> None:
    printed = quote_document(quote, caf=CAF, requester=REQUESTER)
    first = render_document_pdf(printed)
    assert first == render_document_pdf(quote_document(quote, caf=CAF, requester=REQUESTER))
    assert len(first) < len(render_document_pdf(printed, compress=False))
