"""A requester's extracts, quotes and invoices: its own, and for the administrators of its Caf.

GET /api/v1/me/extracts, /me/quotes, /me/invoices: what I asked, was quoted, was billed.
GET /api/v1/admin/requesters/{id}/extracts, /quotes, /invoices: the same listings of a
requester, for the administrators of its Caf (national administrators: every requester).
Both come from one table of listings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask.views import MethodView

from gateway.api.admin.common import read, requester_caf
from gateway.api.auth import gate, own_requester_id
from gateway.api.blueprint import Blueprint
from gateway.api.me.listing_schemas import (
    ExtractListQuerySchema,
    ExtractPageSchema,
    InvoiceListQuerySchema,
    InvoicePageSchema,
    QuoteListQuerySchema,
    QuotePageSchema,
)
from gateway.api.schemas import Schema
from gateway.services.paging import Page
from gateway.services.requesters import history, queries
from policies.access import Action

mine = Blueprint(
    "mes-listes", __name__, url_prefix="/me", description="Mes extraits, devis et factures"
)
theirs = Blueprint(
    "admin-demandeurs-historique",
    __name__,
    url_prefix="/admin/requesters",
    description="Administration : extraits, devis et factures d'un demandeur",
)


@dataclass(frozen=True)
class Listing:
    """One listing: its path, schemas and service, its own gate, its two routes' summaries."""

    path: str
    name: str  # of its routes' endpoints: My<name>, Requester<name>
    query: type[Schema]
    page: type[Schema]
    service: Callable[..., Page]
    action: Action  # the requester's own; its administrators' is `requester_records_read`
    mine: str
    theirs: str


LISTINGS = (
    Listing(
        "extracts",
        "Extracts",
        ExtractListQuerySchema,
        ExtractPageSchema,
        history.extracts_of,
        Action.EXTRACT_READ,
        "Mes extraits, du plus récent au plus ancien (filtres : dates, statut).",
        "Les extraits d'un demandeur de sa Caf (filtres : dates, statut).",
    ),
    Listing(
        "quotes",
        "Quotes",
        QuoteListQuerySchema,
        QuotePageSchema,
        history.quotes_of,
        Action.QUOTE_READ,
        "Mes devis et leur commande, du plus récent au plus ancien (filtres : dates, statut).",
        "Les devis d'un demandeur de sa Caf et leur commande (filtres : dates, statut).",
    ),
    Listing(
        "invoices",
        "Invoices",
        InvoiceListQuerySchema,
        InvoicePageSchema,
        history.invoices_of,
        Action.INVOICE_READ,
        "Mes factures et l'extrait facturé, de la plus récente à la plus ancienne.",
        "Les factures d'un demandeur de sa Caf et l'extrait facturé (filtres : dates).",
    ),
)


def page_of(service: Callable[..., Page], requester_id: int, args: dict[str, Any]) -> Any:
    """Run one listing of a requester with the query's filters and page."""
    filters = history.Filters(args.get("since"), args.get("until"), args.get("status"))
    extra = {"today": date.today()} if service is history.quotes_of else {}
    found = read(service, requester_id, filters, args["page"], args["per_page"], **extra)
    return found.as_dict()


def _known(requester_id: int) -> int:
    read(queries.get_requester, requester_id)  # 404 for an unknown requester
    return requester_id


def _my_listing(listing: Listing) -> type[MethodView]:
    class Listed(MethodView):
        @gate(listing.action)
        @mine.arguments(listing.query, location="query")
        @mine.response(200, listing.page)
        def get(self, args: dict[str, Any]) -> Any:
            return page_of(listing.service, own_requester_id(), args)

    return _named(Listed, f"My{listing.name}", listing.mine)


def _their_listing(listing: Listing) -> type[MethodView]:
    class Listed(MethodView):
        @gate(Action.REQUESTER_RECORDS_READ, caf=requester_caf)
        @theirs.arguments(listing.query, location="query")
        @theirs.response(200, listing.page)
        def get(self, args: dict[str, Any], requester_id: int) -> Any:
            return page_of(listing.service, _known(requester_id), args)

    return _named(Listed, f"Requester{listing.name}", listing.theirs)


def _named(view: type[MethodView], name: str, summary: str) -> type[MethodView]:
    """Name a listing's view (its endpoint) and give its GET the summary the docs show."""
    view.__name__ = view.__qualname__ = name
    view.get.__doc__ = summary  # type: ignore[attr-defined]  # set on every MethodView above
    return view


for _listing in LISTINGS:
    mine.route(f"/{_listing.path}")(_my_listing(_listing))
    theirs.route(f"/<int:requester_id>/{_listing.path}")(_their_listing(_listing))
