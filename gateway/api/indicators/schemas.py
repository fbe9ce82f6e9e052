"""Schemas of the indicator catalogue endpoints."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import QuerySchema, Schema
from policies.domain import Axis, Source, Tier


def _one_of(values: list[str]) -> ma.validate.OneOf:
    return ma.validate.OneOf(values, error="Valeur inconnue ; valeurs possibles : {choices}.")


class IndicatorQuerySchema(QuerySchema):
    axis = ma.fields.String(validate=_one_of([a.value for a in Axis]))
    tier = ma.fields.String(validate=_one_of([t.value for t in Tier]))
    source = ma.fields.String(validate=_one_of([s.value for s in Source]))


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


class IndicatorListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(IndicatorSummarySchema))
    total = ma.fields.Integer()
