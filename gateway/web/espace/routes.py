"""/espace: "Mon espace", every page in one table; each signed-in and gated as its API twin.

Endpoints other areas link to: `espace.extract` (extract_id), `espace.quote` (quote_id),
`espace.invoice_pdf` (number), `espace.zones`, `espace.zone_new`, `espace.conventions`,
`espace.subscription` (subscription_id: the link of a delivery's e-mail).
"""

from __future__ import annotations

from flask import Blueprint

from gateway.web.espace import convention_pages as conventions
from gateway.web.espace import extract_pages as extracts
from gateway.web.espace import quote_pages as quotes
from gateway.web.espace import subscribe_pages as subscribe
from gateway.web.espace import subscription_pages as subscriptions
from gateway.web.espace import zone_pages as zones

blp = Blueprint("espace", __name__, url_prefix="/espace")

GET, POST = ("GET",), ("POST",)
#: (rule, endpoint, view, methods)
ROUTES = (
    ("", "home", conventions.home, GET),
    ("/extraits", "extracts", extracts.extracts_page, GET),
    ("/extraits/<string:extract_id>", "extract", extracts.extract_page, GET),
    ("/extraits/<string:extract_id>/fichier", "extract_download", extracts.extract_download, GET),
    ("/devis", "quotes", quotes.quotes_page, GET),
    ("/devis/<int:quote_id>", "quote", quotes.quote_page, GET),
    ("/devis/<int:quote_id>/pdf", "quote_pdf", quotes.quote_pdf, GET),
    ("/devis/<int:quote_id>/acceptation", "quote_accept", quotes.quote_accept, POST),
    ("/devis/<int:quote_id>/extrait", "quote_extract", quotes.quote_extract, POST),
    ("/factures", "invoices", quotes.invoices_page, GET),
    ("/factures/<string:number>/pdf", "invoice_pdf", quotes.invoice_pdf, GET),
    ("/zones", "zones", zones.zones_page, GET),
    ("/zones/nouvelle", "zone_new", zones.zone_new, GET),
    ("/zones/nouvelle", "zone_new_submit", zones.zone_new_submit, POST),
    ("/conventions", "conventions", conventions.conventions_page, GET),
    ("/abonnements", "subscriptions", subscriptions.subscriptions_page, GET),
    ("/abonnements/nouveau", "subscribe", subscribe.subscribe_form, GET),
    ("/abonnements/nouveau", "subscribe_submit", subscribe.subscribe_submit, POST),
    ("/abonnements/<int:subscription_id>", "subscription", subscriptions.subscription_page, GET),
    (
        "/abonnements/<int:subscription_id>/pause",
        "subscription_pause",
        subscriptions.subscription_pause,
        POST,
    ),
    (
        "/abonnements/<int:subscription_id>/reprise",
        "subscription_resume",
        subscriptions.subscription_resume,
        POST,
    ),
    (
        "/abonnements/<int:subscription_id>/fin",
        "subscription_end",
        subscriptions.subscription_end,
        GET,
    ),
    (
        "/abonnements/<int:subscription_id>/fin",
        "subscription_end_submit",
        subscriptions.subscription_end_submit,
        POST,
    ),
)
for rule, endpoint, view, methods in ROUTES:
    blp.add_url_rule(rule, endpoint, view, methods=list(methods))
