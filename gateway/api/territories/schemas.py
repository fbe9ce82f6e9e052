"""Schemas of the territories endpoints."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import PageQuerySchema, PageSchema, Schema
from gateway.services.territories.queries import LEVELS

LEVEL_VALUES = [level.value for level in LEVELS]
_LEVEL_ERROR = "Niveau inconnu ; valeurs possibles : " + ", ".join(LEVEL_VALUES) + "."


class TerritoryQuerySchema(PageQuerySchema):
    level = ma.fields.String(
        validate=ma.validate.OneOf(LEVEL_VALUES, error=_LEVEL_ERROR),
        metadata={"description": "Niveau géographique"},
    )
    parent_level = ma.fields.String(validate=ma.validate.OneOf(LEVEL_VALUES, error=_LEVEL_ERROR))
    parent_code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100, error="Entre 1 et 100 caractères."),
        metadata={"description": "Recherche dans le nom (sans accents ni casse)"},
    )

    @ma.validates_schema
    def parent_pair(self, data: dict[str, object], **_kwargs: object) -> None:
        if ("parent_level" in data) != ("parent_code" in data):
            raise ma.ValidationError(
                "parent_level et parent_code vont ensemble.", field_name="parent_code"
            )


class TerritorySchema(Schema):
    level = ma.fields.String()
    code = ma.fields.String()
    name = ma.fields.String()
    population = ma.fields.Integer(allow_none=True)


class TerritoryPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(TerritorySchema))


class TerritoryDetailSchema(TerritorySchema):
    parents = ma.fields.List(ma.fields.Nested(TerritorySchema))
    children = ma.fields.List(ma.fields.Nested(TerritorySchema))
