"""Schemas of the requester and API key endpoints."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from gateway.api.schemas import (
    LEVELS,
    EditSchema,
    PageQuerySchema,
    PageSchema,
    Schema,
    one_of,
    text,
)
from policies.domain import RequesterType

TYPES = [t.value for t in RequesterType]


class RequesterUpdateSchema(EditSchema):
    name = text(200)
    type = ma.fields.String(validate=one_of(TYPES), metadata={"description": "Type de demandeur"})
    territory_level = ma.fields.String(validate=one_of(LEVELS), allow_none=True)
    territory_code = text(16, allow_none=True)
    contact_name = text(200, allow_none=True)
    contact_email = ma.fields.Email(allow_none=True)
    active = ma.fields.Boolean()


class RequesterCreateSchema(RequesterUpdateSchema):
    name = text(200, required=True)
    type = ma.fields.String(required=True, validate=one_of(TYPES))
    caf_code = text(8, allow_none=True, load_default=None)
    active = ma.fields.Boolean(dump_only=True)


class RequesterSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    type = ma.fields.String()
    caf_code = ma.fields.String(allow_none=True)
    territory_level = ma.fields.String(allow_none=True)
    territory_code = ma.fields.String(allow_none=True)
    contact_name = ma.fields.String(allow_none=True)
    contact_email = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class RequesterQuerySchema(PageQuerySchema):
    type = ma.fields.String(validate=one_of(TYPES))


class RequesterPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(RequesterSchema))


class KeyCreateSchema(Schema):
    label = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=200, error="200 caractères au plus.")
    )
    expires_at = ma.fields.AwareDateTime(
        default_timezone=UTC,
        allow_none=True,
        load_default=None,
        metadata={"description": "Expiration (par défaut : dans un an)"},
    )


class KeyIssuedSchema(Schema):
    prefix = ma.fields.String()
    key = ma.fields.String(metadata={"description": "La clé en clair : affichée une seule fois"})
    expires_at = ma.fields.DateTime(allow_none=True)


class KeySchema(Schema):
    prefix = ma.fields.String()
    label = ma.fields.String()
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    status = ma.fields.String(metadata={"description": "active, expiree ou revoquee"})


class KeyListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(KeySchema))
