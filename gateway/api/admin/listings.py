"""GET /api/v1/admin/requesters/{id}/extracts, /quotes, /invoices: a requester's history.

For the administrators of the requester's Caf (national administrators: every requester);
the same listings as the requester's own `/me/...`.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.api.admin.common import read, requester_caf
from gateway.api.auth import gate
from gateway.api.me.listing_schemas import (
    ExtractListQuerySchema,
    ExtractPageSchema,
    InvoiceListQuerySchema,
    InvoicePageSchema,
    QuoteListQuerySchema,
    QuotePageSchema,
)
from gateway.api.me.listings import page_of
from gateway.services import listings, requesters

blp = Blueprint(
    "admin-demandeurs-historique",
    __name__,
    url_prefix="/admin/requesters",
    description="Administration : extraits, devis et factures d'un demandeur",
)


def _known(requester_id: int) -> int:
    read(requesters.get_requester, requester_id)  # 404 for an unknown requester
    return requester_id


@blp.route("/<int:requester_id>/extracts")
class RequesterExtracts(MethodView):
    @blp.arguments(ExtractListQuerySchema, location="query")
    @blp.response(200, ExtractPageSchema)
    @gate("requester_records_read", caf=requester_caf)
    def get(self, args: dict[str, Any], requester_id: int) -> Any:
        """Les extraits d'un demandeur de sa Caf (filtres : dates, statut)."""
        return page_of(listings.extracts_of, _known(requester_id), args)


@blp.route("/<int:requester_id>/quotes")
class RequesterQuotes(MethodView):
    @blp.arguments(QuoteListQuerySchema, location="query")
    @blp.response(200, QuotePageSchema)
    @gate("requester_records_read", caf=requester_caf)
    def get(self, args: dict[str, Any], requester_id: int) -> Any:
        """Les devis d'un demandeur de sa Caf et leur commande (filtres : dates, statut)."""
        return page_of(listings.quotes_of, _known(requester_id), args)


@blp.route("/<int:requester_id>/invoices")
class RequesterInvoices(MethodView):
    @blp.arguments(InvoiceListQuerySchema, location="query")
    @blp.response(200, InvoicePageSchema)
    @gate("requester_records_read", caf=requester_caf)
    def get(self, args: dict[str, Any], requester_id: int) -> Any:
        """Les factures d'un demandeur de sa Caf et l'extrait facturé (filtres : dates)."""
        return page_of(listings.invoices_of, _known(requester_id), args)
