"""Schemas of quotes, orders and the request description (shared with the extracts endpoint)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from gateway.api.schemas import Schema
from gateway.services.reference import LEVELS
from policies.domain import Use

LEVEL_VALUES = [level.value for level in LEVELS]
USE_VALUES = [use.value for use in Use]
_LEVEL_ERROR = "Niveau inconnu ; valeurs possibles : " + ", ".join(LEVEL_VALUES) + "."
_USE_ERROR = "Usage inconnu ; valeurs possibles : " + ", ".join(USE_VALUES) + "."


def _sized(low: int, high: int) -> ma.validate.Length:
    return ma.validate.Length(min=low, max=high, error=f"Entre {low} et {high} éléments.")


class TerritoriesSchema(Schema):
    """Either territories by code at one level, or the children of a parent territory."""

    level = ma.fields.String(validate=ma.validate.OneOf(LEVEL_VALUES, error=_LEVEL_ERROR))
    codes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 16)), validate=_sized(1, 2000)
    )
    parent_level = ma.fields.String(validate=ma.validate.OneOf(LEVEL_VALUES, error=_LEVEL_ERROR))
    parent_code = ma.fields.String(validate=ma.validate.Length(1, 16))

    @ma.validates_schema
    def one_form(self, data: dict[str, Any], **_kwargs: object) -> None:
        by_code = "codes" in data
        by_parent = "parent_level" in data or "parent_code" in data
        if by_code == by_parent:
            raise ma.ValidationError(
                "Donner soit level et codes, soit parent_level et parent_code.", "codes"
            )
        if by_code and "level" not in data:
            raise ma.ValidationError("Champ obligatoire avec codes.", "level")
        if by_parent and not ("parent_level" in data and "parent_code" in data):
            raise ma.ValidationError("parent_level et parent_code vont ensemble.", "parent_code")


class ZoneSchema(Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(1, 32))
    communes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(5, 5)), required=True, validate=_sized(1, 2000)
    )


class BespokeBreakdownSchema(Schema):
    label = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    categories = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(2, 100, error="Entre 2 et 100 modalités."),
        metadata={"description": "Nombre de modalités de la ventilation"},
    )


class RequestDescriptionSchema(Schema):
    """What is asked: indicators x territories x periods, broken down, for a use."""

    indicators = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 64)), required=True, validate=_sized(1, 50)
    )
    territories = ma.fields.Nested(TerritoriesSchema, required=True)
    zones = ma.fields.List(
        ma.fields.Nested(ZoneSchema),
        validate=_sized(0, 20),
        metadata={"description": "Zones personnalisées (listes de communes)"},
    )
    periods = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(1900, 2100, error="Année invalide.")),
        required=True,
        validate=_sized(1, 20),
    )
    breakdowns = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 64)), validate=_sized(0, 4)
    )
    bespoke_breakdowns = ma.fields.List(
        ma.fields.Nested(BespokeBreakdownSchema),
        validate=_sized(0, 4),
        metadata={"description": "Ventilations spécifiques, hors nomenclature"},
    )
    use = ma.fields.String(required=True, validate=ma.validate.OneOf(USE_VALUES, error=_USE_ERROR))
    caf = ma.fields.String(
        validate=ma.validate.Length(2, 5),
        metadata={"description": "Caf qui établit le devis (par défaut : celle du demandeur)"},
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


class QuoteSchema(Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    statut = ma.fields.String(metadata={"description": "propose, accepte ou expire"})
    caf = ma.fields.String()
    demandeur_id = ma.fields.Integer()
    empreinte = ma.fields.String(metadata={"description": "Empreinte de la demande"})
    demande = ma.fields.Dict(metadata={"description": "La demande telle que décrite"})
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
