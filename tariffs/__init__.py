"""Pricing of data diffusion: published tariff schedules, quotes, invoices (pure Python).

Money is exact (Decimal, euros) and rounded half-up to the cent at documented points
only (see `tariffs.quote`). Nothing here imports Flask or opens a database or a file.
"""

from policies.domain import PricingMode
from tariffs.components import Estimate, QuoteLine, Workload, estimate
from tariffs.document_mapping import (
    invoice_from_mapping,
    invoice_to_mapping,
    quote_from_mapping,
    quote_to_mapping,
)
from tariffs.exemptions import (
    Exemption,
    Waiver,
    applicable_exemption,
    convention_waiver,
)
from tariffs.invoice import (
    Invoice,
    Party,
    billing_terms,
    format_invoice_number,
    invoice_from_quote,
)
from tariffs.money import format_eur, round_cents
from tariffs.printed import PrintedDocument, invoice_document, quote_document
from tariffs.quote import (
    Quote,
    QuoteMode,
    decide_waiver,
    ensure_quote_valid,
    price,
)
from tariffs.request import PricingRequest
from tariffs.schedule import (
    DEFAULT_CAF_CODE,
    Billing,
    Forfait,
    PricingCategory,
    Production,
    TariffSchedule,
    WorkEstimate,
    pricing_category,
    schedule_for,
    select_version,
)
from tariffs.schedule_mapping import (
    schedule_from_mapping,
    schedule_to_mapping,
    schedules_from_yaml,
)

__all__ = [
    "DEFAULT_CAF_CODE",
    "Billing",
    "Estimate",
    "Exemption",
    "Forfait",
    "Invoice",
    "Party",
    "PricingCategory",
    "PricingMode",
    "PricingRequest",
    "PrintedDocument",
    "Production",
    "Quote",
    "QuoteLine",
    "QuoteMode",
    "TariffSchedule",
    "Waiver",
    "WorkEstimate",
    "Workload",
    "applicable_exemption",
    "billing_terms",
    "convention_waiver",
    "decide_waiver",
    "ensure_quote_valid",
    "estimate",
    "format_eur",
    "format_invoice_number",
    "invoice_document",
    "invoice_from_mapping",
    "invoice_from_quote",
    "invoice_to_mapping",
    "price",
    "pricing_category",
    "quote_document",
    "quote_from_mapping",
    "quote_to_mapping",
    "round_cents",
    "schedule_for",
    "schedule_from_mapping",
    "schedule_to_mapping",
    "schedules_from_yaml",
    "select_version",
]
