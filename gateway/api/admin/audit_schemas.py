"""Schemas of the audit log, admin changes and policy matrix endpoints."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import (
    POSITIVE_INT,
    PageQuerySchema,
    PageSchema,
    QuerySchema,
    Schema,
    one_of,
    text,
)
from gateway.services.audit.changes import CHANGE_ENTITIES
from gateway.services.audit.queries import ALLOWED, REFUSED
from policies.access import Action


class AuditFilterSchema(QuerySchema):
    requester_id = ma.fields.Integer(validate=POSITIVE_INT)
    caf_code = text(8, metadata={"description": "Caf (un administrateur de Caf : la sienne)"})
    decision = ma.fields.String(validate=one_of([ALLOWED, REFUSED]))
    action = ma.fields.String(validate=one_of(Action))
    since = ma.fields.Date(metadata={"description": "Depuis ce jour (inclus)"})
    until = ma.fields.Date(metadata={"description": "Jusqu'à ce jour (inclus)"})


class AuditQuerySchema(AuditFilterSchema, PageQuerySchema):
    pass


class AuditEntrySchema(Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    requester_id = ma.fields.Integer(allow_none=True)
    caf_code = ma.fields.String(allow_none=True)
    key_prefix = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    fingerprint = ma.fields.String()
    decision = ma.fields.String()
    rules = ma.fields.List(ma.fields.String())
    convention_ref = ma.fields.String(allow_none=True)
    cells_delivered = ma.fields.Integer()
    cells_suppressed = ma.fields.Integer()
    price = ma.fields.String(allow_none=True, metadata={"description": "Euros, décimal exact"})
    details = ma.fields.Dict()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class AuditPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(AuditEntrySchema))


class ChangeQuerySchema(PageQuerySchema):
    entity = ma.fields.String(validate=one_of(list(CHANGE_ENTITIES)))


class ChangeSchema(Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    person_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "La personne qui a agi sur les pages (null : clé d'API, CLI)"},
    )
    caf_code = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)


class ChangePageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(ChangeSchema))


class PolicyMatrixSchema(Schema):
    """The matrix as data/policy_matrix.yaml spells it (validated as a whole)."""

    version = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=2_147_483_647, error="Entier positif attendu."),
        metadata={
            "description": "Version de la matrice (GET) ; renvoyée par PUT, elle doit être celle "
            "en vigueur, sinon 409 : la matrice a changé depuis sa lecture"
        },
    )
    types = ma.fields.Dict(
        required=True, metadata={"description": "type de demandeur -> acces, niveaux"}
    )
    sources_restreintes = ma.fields.Dict(load_default=dict)
