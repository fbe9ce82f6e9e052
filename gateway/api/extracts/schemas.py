"""Schemas of the extracts, socle commun, custom zones and IMAJE endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList

from gateway.api.quotes.schemas import TerritoriesSchema
from gateway.api.schemas import QuerySchema, Schema
from gateway.delivery import FORMATS
from policies.domain import GeoLevel, Use

_LEVELS = [level.value for level in GeoLevel if level is not GeoLevel.ZONE]
_ONE_OF = "Valeur inconnue ; valeurs possibles : {choices}."


def _one_of(values: list[str]) -> ma.validate.OneOf:
    return ma.validate.OneOf(values, error=_ONE_OF)


class ExtractRequestSchema(Schema):
    indicators = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        required=True,
        validate=ma.validate.Length(min=1, max=30, error="Entre 1 et 30 indicateurs."),
    )
    territories = ma.fields.Nested(TerritoriesSchema)
    zones = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1)),
        validate=ma.validate.Length(max=50),
        metadata={"description": "Identifiants de zones personnalisées du demandeur"},
    )
    periods = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=1990, max=2100, error="Année invalide.")),
        required=True,
        validate=ma.validate.Length(min=1, max=12, error="Entre 1 et 12 périodes."),
    )
    breakdowns = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        validate=ma.validate.Length(max=4),
    )
    use = ma.fields.String(required=True, validate=_one_of([u.value for u in Use]))
    totals = ma.fields.Boolean(metadata={"description": "Ajouter le total des territoires"})
    parents = ma.fields.Boolean(metadata={"description": "Ajouter les territoires parents"})
    format = ma.fields.String(validate=_one_of(sorted(FORMATS)), metadata={"example": "json"})

    @ma.validates_schema
    def some_territory(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "territories" not in data and not data.get("zones"):
            raise ma.ValidationError(
                "Donner des territoires ou des zones.", field_name="territories"
            )


class ExtractStatusSchema(Schema):
    id = ma.fields.String()
    statut = ma.fields.String(metadata={"description": "en_attente, en_cours, livre, echec"})
    progression = ma.fields.Integer()
    cellules = ma.fields.Integer()
    cellules_masquees = ma.fields.Integer()
    convention = ma.fields.String(allow_none=True)
    facture = ma.fields.String(allow_none=True)
    erreur = ma.fields.Dict(allow_none=True)
    liens = ma.fields.Dict()


class DeliveredSchema(Schema):
    """The JSON delivery (other formats are files of their media type)."""

    extrait = ma.fields.Dict()
    cellules = ma.fields.List(ma.fields.Dict())
    note = ma.fields.Dict()


class DownloadQuerySchema(QuerySchema):
    format = ma.fields.String(load_default="json", validate=_one_of(sorted(FORMATS)))


class SocleQuerySchema(QuerySchema):
    level = ma.fields.String(load_default="departement", validate=_one_of(_LEVELS))
    codes = DelimitedList(ma.fields.String(validate=ma.validate.Length(min=1, max=16)))
    parent_level = ma.fields.String(validate=_one_of(_LEVELS))
    parent_code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    periods = DelimitedList(
        ma.fields.Integer(validate=ma.validate.Range(min=1990, max=2100, error="Année invalide.")),
        validate=ma.validate.Length(min=1, max=12),
    )
    breakdowns = DelimitedList(ma.fields.String(validate=ma.validate.Length(max=64)))
    format = ma.fields.String(load_default="json", validate=_one_of(sorted(FORMATS)))


class CustomZoneCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    communes = ma.fields.List(
        ma.fields.String(
            validate=ma.validate.Length(min=5, max=5, error="Code commune sur 5 caractères.")
        ),
        required=True,
        validate=ma.validate.Length(min=1, max=5000),
    )


class CustomZoneSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    communes = ma.fields.List(ma.fields.String())
    population = ma.fields.Integer()


class CustomZoneListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(CustomZoneSchema))


class HistorySchema(Schema):
    indicator = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    level = ma.fields.String(validate=_one_of(_LEVELS))
    code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    zone = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))
    last_period = ma.fields.Integer(validate=ma.validate.Range(min=1990, max=2100))
    use = ma.fields.String(required=True, validate=_one_of([u.value for u in Use]))

    @ma.validates_schema
    def territory(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("zone" in data) == ("level" in data and "code" in data):
            raise ma.ValidationError("Donner level et code, ou une zone.", field_name="code")


class ComparisonSchema(Schema):
    indicator = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    study = ma.fields.Nested(TerritoriesSchema, required=True)
    reference = ma.fields.Nested(TerritoriesSchema, required=True)
    period = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1990, max=2100))
    use = ma.fields.String(required=True, validate=_one_of([u.value for u in Use]))


class ScreenSchema(Schema):
    tableau = ma.fields.Dict()
    series = ma.fields.List(ma.fields.Dict())
