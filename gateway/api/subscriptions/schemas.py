"""Schemas of the subscriptions (abonnements): the request is the extract's own schema."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.extracts.schemas import ExtractPreviewSchema, ExtractRequestSchema
from gateway.api.schemas import PageQuerySchema, PageSchema, Schema, one_of
from gateway.services.subscriptions.values import Cadence, DeliveryStatus, Status

CADENCES = [c.value for c in Cadence]


class SubscriptionCreateSchema(Schema):
    """A standing extract request: delivered at each data vintage, or each month, quarter or
    year, first at once."""

    demande = ma.fields.Nested(
        ExtractRequestSchema,
        required=True,
        metadata={"description": "La demande, exactement comme pour POST /extracts"},
    )
    rythme = ma.fields.String(
        required=True,
        validate=one_of(CADENCES),
        metadata={
            "description": "millesime (à chaque nouvelle version des données), mensuel, "
            "trimestriel ou annuel"
        },
    )
    nom = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=200, error="200 caractères au plus.")
    )
    webhook = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=2000, error="2000 caractères au plus."),
        metadata={
            "description": "Adresse https appelée à chaque livraison, signée par un secret "
            "que la passerelle génère et ne montre qu'une fois, à la création"
        },
    )
    accepter_tarif = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Accepter que chaque livraison payante soit facturée au tarif de "
            "la convention en vigueur ce jour-là (obligatoire si elle est payante)"
        },
    )


class DeliverySchema(Schema):
    """One delivery of a subscription's history."""

    echeance = ma.fields.String(metadata={"description": "2026-12, 2026-T4, 2026 ou v:<millésime>"})
    echeance_libelle = ma.fields.String()
    statut = ma.fields.String(metadata={"description": ", ".join(s.value for s in DeliveryStatus)})
    statut_libelle = ma.fields.String()
    extrait = ma.fields.String(allow_none=True, metadata={"description": "L'extrait livré"})
    millesime = ma.fields.String(allow_none=True, metadata={"description": "Version des données"})
    motif = ma.fields.Dict(
        allow_none=True, metadata={"description": "Un refus ou un échec : son problème"}
    )
    commencee_le = ma.fields.DateTime()
    terminee_le = ma.fields.DateTime(allow_none=True)
    notifiee_le = ma.fields.DateTime(allow_none=True)
    liens = ma.fields.Dict(metadata={"description": "L'extrait et son téléchargement"})


class SubscriptionSchema(Schema):
    id = ma.fields.Integer()
    nom = ma.fields.String()
    statut = ma.fields.String(metadata={"description": ", ".join(s.value for s in Status)})
    statut_libelle = ma.fields.String()
    rythme = ma.fields.String(metadata={"description": ", ".join(CADENCES)})
    rythme_libelle = ma.fields.String()
    demande = ma.fields.Dict(metadata={"description": "La demande livrée à chaque échéance"})
    webhook = ma.fields.String(allow_none=True)
    tarif_accepte = ma.fields.Boolean()
    cree_le = ma.fields.DateTime()
    mis_en_pause_le = ma.fields.DateTime(allow_none=True)
    termine_le = ma.fields.DateTime(allow_none=True)
    prochaine_livraison = ma.fields.String(allow_none=True)
    derniere_livraison = ma.fields.Nested(DeliverySchema, allow_none=True)
    liens = ma.fields.Dict()


class SubscriptionCreatedSchema(SubscriptionSchema):
    secret_webhook = ma.fields.String(
        allow_none=True,
        metadata={"description": "Secret de signature du webhook : affiché cette seule fois"},
    )
    premiere_livraison = ma.fields.Nested(
        ExtractPreviewSchema,
        metadata={"description": "Ce que donnerait la livraison maintenant (convention, prix)"},
    )


class SubscriptionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(SubscriptionSchema))


class DeliveryPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(DeliverySchema))


class DeliveryQuerySchema(PageQuerySchema):
    """A page of the history, newest first."""
