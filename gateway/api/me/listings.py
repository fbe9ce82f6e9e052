"""GET /api/v1/me/extracts, /me/quotes, /me/invoices: what I asked, was quoted, was billed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.api.admin.common import read
from gateway.api.auth import current_actor, gate
from gateway.api.me.listing_schemas import (
    ExtractListQuerySchema,
    ExtractPageSchema,
    InvoiceListQuerySchema,
    InvoicePageSchema,
    QuoteListQuerySchema,
    QuotePageSchema,
)
from gateway.services import listings
from gateway.services.paging import Page

blp = Blueprint(
    "mes-listes", __name__, url_prefix="/me", description="Mes extraits, devis et factures"
)


def page_of(service: Callable[..., Page], requester_id: int, args: dict[str, Any]) -> Any:
    """Run one listing of a requester with the query's filters and page."""
    filters = listings.Filters(args.get("since"), args.get("until"), args.get("status"))
    extra = {"today": date.today()} if service is listings.quotes_of else {}
    found = read(service, requester_id, filters, args["page"], args["per_page"], **extra)
    return found.as_dict()


def _me() -> int:
    requester_id = current_actor().requester_id
    assert requester_id is not None  # these gates are not public: the caller has an account
    return requester_id


@blp.route("/extracts")
class MyExtracts(MethodView):
    @blp.arguments(ExtractListQuerySchema, location="query")
    @blp.response(200, ExtractPageSchema)
    @gate("extract_read")
    def get(self, args: dict[str, Any]) -> Any:
        """Mes extraits, du plus récent au plus ancien (filtres : dates, statut)."""
        return page_of(listings.extracts_of, _me(), args)


@blp.route("/quotes")
class MyQuotes(MethodView):
    @blp.arguments(QuoteListQuerySchema, location="query")
    @blp.response(200, QuotePageSchema)
    @gate("me_read")
    def get(self, args: dict[str, Any]) -> Any:
        """Mes devis et leur commande, du plus récent au plus ancien (filtres : dates, statut)."""
        return page_of(listings.quotes_of, _me(), args)


@blp.route("/invoices")
class MyInvoices(MethodView):
    @blp.arguments(InvoiceListQuerySchema, location="query")
    @blp.response(200, InvoicePageSchema)
    @gate("me_read")
    def get(self, args: dict[str, Any]) -> Any:
        """Mes factures et l'extrait facturé, de la plus récente à la plus ancienne."""
        return page_of(listings.invoices_of, _me(), args)
