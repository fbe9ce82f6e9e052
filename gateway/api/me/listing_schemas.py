"""Schemas of the listings of extracts, quotes and invoices (a requester's, or for its Caf)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from gateway.api.extracts.schemas import ExtractStatusSchema
from gateway.api.schemas import PageQuerySchema, PageSchema, Schema, one_of
from gateway.db.models.extracts import EXTRACT_STATUSES
from gateway.services.requesters.history import INVOICE_STATUSES, QUOTE_STATUSES


class _ListingQuerySchema(PageQuerySchema):
    since = ma.fields.Date(metadata={"description": "Depuis ce jour (inclus), AAAA-MM-JJ"})
    until = ma.fields.Date(metadata={"description": "Jusqu'à ce jour (inclus), AAAA-MM-JJ"})

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            raise ma.ValidationError("Doit être postérieure ou égale à « since ».", "until")


class ExtractListQuerySchema(_ListingQuerySchema):
    status = ma.fields.String(
        validate=one_of(EXTRACT_STATUSES), metadata={"description": "Statut de l'extrait"}
    )


class QuoteListQuerySchema(_ListingQuerySchema):
    status = ma.fields.String(
        validate=one_of(QUOTE_STATUSES),
        metadata={"description": "Statut du devis à ce jour (un devis échu est « expire »)"},
    )


class InvoiceListQuerySchema(_ListingQuerySchema):
    status = ma.fields.String(
        validate=one_of(INVOICE_STATUSES), metadata={"description": "Statut de la facture"}
    )


class ExtractItemSchema(ExtractStatusSchema):
    """An extract's status (as `GET /extracts/{id}` serves it), with its request and dates."""

    demande = ma.fields.Dict(metadata={"description": "La demande, telle que décrite"})
    cree_le = ma.fields.DateTime()
    livre_le = ma.fields.DateTime(allow_none=True)


class OrderItemSchema(Schema):
    id = ma.fields.Integer()
    statut = ma.fields.String(metadata={"description": "commandee, livree"})
    livree_le = ma.fields.DateTime(allow_none=True)


class QuoteItemSchema(Schema):
    id = ma.fields.Integer()
    statut = ma.fields.String(metadata={"description": "propose, accepte, expire"})
    caf = ma.fields.String()
    total = ma.fields.String(metadata={"description": "Euros TTC, décimal exact"})
    date_devis = ma.fields.Date()
    valable_jusqu_au = ma.fields.Date()
    convention = ma.fields.String(allow_none=True)
    demande = ma.fields.Dict()
    commande = ma.fields.Nested(OrderItemSchema, allow_none=True)
    liens = ma.fields.Dict(metadata={"description": "Devis, PDF, et acceptation s'il y a lieu"})


class InvoiceItemSchema(Schema):
    numero = ma.fields.String()
    statut = ma.fields.String(metadata={"description": "emise"})
    caf = ma.fields.String()
    date_emission = ma.fields.Date()
    net_ht = ma.fields.String(metadata={"description": "Euros, décimal exact"})
    tva = ma.fields.String()
    total_ttc = ma.fields.String()
    commande = ma.fields.Integer()
    extrait = ma.fields.String(allow_none=True, metadata={"description": "L'extrait facturé"})
    liens = ma.fields.Dict(metadata={"description": "Facture et PDF"})


class ExtractPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(ExtractItemSchema))


class QuotePageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(QuoteItemSchema))


class InvoicePageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(InvoiceItemSchema))
