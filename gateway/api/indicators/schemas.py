"""Schemas of the indicator catalogue endpoints."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import EditSchema, QuerySchema, Schema, one_of
from policies.domain import Axis, RequesterType, Source, Tier


class IndicatorQuerySchema(QuerySchema):
    axis = ma.fields.String(validate=one_of([a.value for a in Axis]))
    tier = ma.fields.String(validate=one_of([t.value for t in Tier]))
    source = ma.fields.String(validate=one_of([s.value for s in Source]))


class FicheSchema(Schema):
    objectif = ma.fields.String()
    definition = ma.fields.String()
    actualisation = ma.fields.String()
    construction = ma.fields.String()
    source = ma.fields.String()
    interpretation = ma.fields.String(metadata={"description": "Interprétation et limites"})


class CategorySchema(Schema):
    code = ma.fields.String()
    label = ma.fields.String()


class BreakdownSchema(Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    categories = ma.fields.List(ma.fields.Nested(CategorySchema))


class SecretSchema(Schema):
    rules = ma.fields.List(ma.fields.String(), metadata={"example": ["FREQ(5,10)", "NK(1,85)"]})
    zero_unsafe = ma.fields.Boolean()
    interval_percent = ma.fields.Float()


class IndicatorSummarySchema(Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    axis = ma.fields.String()
    family = ma.fields.String()
    subfamily = ma.fields.String()
    kind = ma.fields.String()
    unit_label = ma.fields.String()
    tier = ma.fields.String()
    sources = ma.fields.List(ma.fields.String())


class IndicatorSchema(IndicatorSummarySchema):
    unit = ma.fields.String(metadata={"description": "Unité contributrice pour le secret"})
    breakdowns = ma.fields.List(ma.fields.Nested(BreakdownSchema))
    restricted_to = ma.fields.List(ma.fields.String())
    numerator = ma.fields.String(allow_none=True)
    denominator = ma.fields.String(allow_none=True)
    multiplier = ma.fields.Float(allow_none=True)
    secret = ma.fields.Nested(SecretSchema)
    citation = ma.fields.String()
    reliability = ma.fields.String()
    fiche = ma.fields.Nested(FicheSchema)


class SecretEditSchema(Schema):
    rules = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        validate=ma.validate.Length(min=1, max=10, error="Entre 1 et 10 règles."),
        metadata={"example": ["FREQ(5,10)", "NK(1,85)"], "description": "Notation tau-Argus"},
    )
    zero_unsafe = ma.fields.Boolean()
    interval_percent = ma.fields.Float(allow_nan=False)


class IndicatorEditSchema(EditSchema):
    """What a national administrator changes: the diffusion tier and the secrecy rules."""

    tier = ma.fields.String(validate=one_of([t.value for t in Tier]))
    restricted_to = ma.fields.List(
        ma.fields.String(validate=one_of([t.value for t in RequesterType])),
        metadata={"description": "Types de demandeur d'un indicateur restreint"},
    )
    secret = ma.fields.Nested(
        SecretEditSchema, metadata={"description": "Seuls les paramètres donnés changent"}
    )


class IndicatorListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(IndicatorSummarySchema))
    total = ma.fields.Integer()
