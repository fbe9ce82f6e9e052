"""/demande: the request builder, its quotes and its extracts, every page in one table.

Every page is for a signed-in person, gated by the action the API's route gates on
(`extract_preview_read` for the form and its preview); every POST carries the form's CSRF token.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint

from gateway.web.demande import builder_pages as builder
from gateway.web.demande import quote_pages as quotes
from gateway.web.demande import result_pages as results
from tariffs.money import format_eur, format_number

blp = Blueprint("demande", __name__, url_prefix="/demande")

GET, POST = ("GET",), ("POST",)
#: (rule, endpoint, view, methods)
ROUTES: tuple[tuple[str, str, Any, tuple[str, ...]], ...] = (
    ("", "builder", builder.builder, GET),
    ("/apercu", "preview", builder.preview_fragment, GET),
    ("/verifier", "check", builder.check, GET),
    ("/envoyer", "submit", builder.submit, POST),
    ("/devis/<int:quote_id>", "quote", quotes.quote, GET),
    ("/devis/<int:quote_id>.pdf", "quote_pdf", quotes.quote_pdf, GET),
    ("/devis/<int:quote_id>/accepter", "accept", quotes.accept, POST),
    ("/devis/<int:quote_id>/extrait", "deliver", quotes.deliver, POST),
    ("/resultat/<string:extract_id>", "result", results.result, GET),
    ("/resultat/<string:extract_id>/progression", "progress", results.progress, GET),
    ("/resultat/<string:extract_id>/telecharger", "download", results.download, GET),
    ("/factures/<string:number>.pdf", "invoice_pdf", results.invoice_pdf, GET),
)
for rule, endpoint, view, methods in ROUTES:
    blp.add_url_rule(rule, endpoint, view, methods=list(methods))


@blp.app_template_global("demande_edit_url")
def edit_url(form: Any, anchor: str = "") -> str:
    """The builder's address with a form's fields (the check page's "Modifier" links)."""
    return builder.builder_url(form, anchor)


@blp.app_template_filter("demande_euros")
def euros(amount: object) -> str:
    """Format an amount in euros the French way ("1 234,50 €"); a stored amount is text."""
    try:
        return format_eur(Decimal(str(amount)))
    except InvalidOperation:
        return str(amount)


@blp.app_template_filter("demande_nombre")
def number(value: object) -> str:
    """Format a quantity the French way ("1 234,5"), decimals only when it has some."""
    try:
        return format_number(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
