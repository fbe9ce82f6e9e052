"""Schemas of quotes, orders and invoices (the request is the extracts' `RequestSchema`)."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.extracts.schemas import RequestSchema
from gateway.api.schemas import Schema


class BespokeBreakdownSchema(Schema):
    label = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    categories = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(2, 100, error="Entre 2 et 100 modalités."),
        metadata={"description": "Nombre de modalités de la ventilation"},
    )


class QuoteRequestSchema(RequestSchema):
    """The request of the extracts, plus what only the Caf can produce: bespoke breakdowns.

    The quoting Caf is never chosen: it is the requester's Caf (or, for a national account,
    the Caf of the territories asked). A quote without bespoke breakdown covers the
    extract asked with the same body.
    """

    bespoke_breakdowns = ma.fields.List(
        ma.fields.Nested(BespokeBreakdownSchema),
        validate=ma.validate.Length(0, 4, error="Entre 0 et 4 ventilations spécifiques."),
        metadata={
            "description": "Ventilations spécifiques, hors nomenclature, produites par la Caf"
        },
    )


class LineSchema(Schema):
    code = ma.fields.String(metadata={"description": "Règle qui a produit la ligne"})
    libelle = ma.fields.String()
    quantite = ma.fields.String()
    unite = ma.fields.String()
    prix_unitaire = ma.fields.String()
    montant = ma.fields.String(metadata={"description": "Euros, exact, arrondi au centime"})
    explication = ma.fields.String(metadata={"description": "Le calcul, en toutes lettres"})


class WaiverSchema(Schema):
    code = ma.fields.String()
    motif = ma.fields.String()
    exoneration = ma.fields.String(allow_none=True)


class QuoteDocumentSchema(Schema):
    """The priced quote (tariffs.quote_to_mapping); amounts are exact strings, in euros."""

    caf = ma.fields.String()
    bareme_caf = ma.fields.String()
    bareme_version = ma.fields.String()
    date_devis = ma.fields.String()
    valide_jusqu_au = ma.fields.String()
    type_demandeur = ma.fields.String()
    categorie = ma.fields.String()
    usage = ma.fields.String()
    convention_ref = ma.fields.String(allow_none=True)
    convention_tarification = ma.fields.String()
    mode = ma.fields.String(metadata={"description": "tarif, logistique ou gratuit"})
    lignes = ma.fields.List(ma.fields.Nested(LineSchema))
    sous_total = ma.fields.String()
    ajustements = ma.fields.List(
        ma.fields.Nested(LineSchema),
        metadata={"description": "Coefficients, minimum de perception ou gratuité, dans l'ordre"},
    )
    net_ht = ma.fields.String()
    tva = ma.fields.Nested(LineSchema)
    total_ttc = ma.fields.String()
    gratuite = ma.fields.Nested(WaiverSchema, allow_none=True)
    motif_gratuite = ma.fields.String(allow_none=True)
    devise = ma.fields.String()


class SubjectLineSchema(Schema):
    rubrique = ma.fields.String()
    valeur = ma.fields.String()


class PartySchema(Schema):
    nom = ma.fields.String()
    adresse = ma.fields.List(ma.fields.String())
    identifiant = ma.fields.String(allow_none=True, metadata={"description": "SIRET, ou compte"})
    courriel = ma.fields.String(allow_none=True)


class InvoiceSchema(Schema):
    """An invoice as issued (tariffs.invoice_to_mapping): what is bought, by whom, on what terms."""

    numero = ma.fields.String()
    caf = ma.fields.Nested(PartySchema, metadata={"description": "Le vendeur : la Caf"})
    demandeur = ma.fields.Nested(PartySchema, metadata={"description": "L'acheteur"})
    date_emission = ma.fields.String()
    date_echeance = ma.fields.String()
    bareme_version = ma.fields.String()
    convention_ref = ma.fields.String(allow_none=True)
    devis_ref = ma.fields.String(allow_none=True)
    extrait = ma.fields.String(allow_none=True, metadata={"description": "L'extrait livré"})
    demande = ma.fields.Dict(metadata={"description": "La demande facturée"})
    objet = ma.fields.List(ma.fields.Nested(SubjectLineSchema))
    lignes = ma.fields.List(ma.fields.Nested(LineSchema))
    net_ht = ma.fields.String()
    tva = ma.fields.Nested(LineSchema)
    total_ttc = ma.fields.String()
    conditions = ma.fields.List(
        ma.fields.String(), metadata={"description": "Conditions de paiement et régime de TVA"}
    )
    mentions_legales = ma.fields.List(ma.fields.String())
    devise = ma.fields.String()
    pdf = ma.fields.String(metadata={"description": "Adresse de la facture en PDF"})


class QuoteSchema(Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    statut = ma.fields.String(metadata={"description": "propose, accepte ou expire"})
    caf = ma.fields.String()
    demandeur_id = ma.fields.Integer()
    empreinte = ma.fields.String(metadata={"description": "Empreinte de la demande"})
    demande = ma.fields.Dict(
        metadata={"description": "La demande chiffrée : indicateurs, territoires, périodes..."}
    )
    objet = ma.fields.List(
        ma.fields.Nested(SubjectLineSchema), metadata={"description": "La demande, en clair"}
    )
    devis = ma.fields.Nested(QuoteDocumentSchema)
    pdf = ma.fields.String(metadata={"description": "Adresse du devis en PDF"})


class OrderSchema(Schema):
    id = ma.fields.Integer()
    statut = ma.fields.String(metadata={"description": "commandee ou livree"})
    devis_id = ma.fields.Integer()
    caf = ma.fields.String()
    acceptee_le = ma.fields.DateTime()
    livree_le = ma.fields.DateTime(allow_none=True)
    devis = ma.fields.Nested(QuoteSchema)
