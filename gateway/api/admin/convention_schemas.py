"""Schemas of the convention endpoints: French field errors, closed vocabularies."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from gateway.api.schemas import (
    LEVELS,
    POSITIVE_INT,
    EditSchema,
    PageQuerySchema,
    PageSchema,
    Schema,
    one_of,
    text,
)
from policies.conventions import ConventionStatus, Party
from policies.domain import PricingMode, Tier, Use

_COUNT = ma.validate.Range(min=0, max=2_147_483_647, error="Entier positif ou nul attendu.")
_YEAR = ma.validate.Range(min=1990, max=2100, error="Année entre 1990 et 2100.")


def _codes(max_length: int = 64) -> ma.fields.List[str]:
    return ma.fields.List(text(max_length))


class TerritoryRefSchema(Schema):
    level = ma.fields.String(required=True, validate=one_of(LEVELS))
    code = text(16, required=True)


class ScopeSchema(Schema):
    indicators = _codes()
    tiers = ma.fields.List(ma.fields.String(validate=one_of([t.value for t in Tier])))
    territories = ma.fields.List(ma.fields.Nested(TerritoryRefSchema))
    own_territory = ma.fields.Boolean(
        metadata={"description": "Territoire du demandeur et ses sous-territoires"}
    )
    epci_a_cheval = ma.fields.Boolean(
        metadata={
            "description": "Conseil départemental : le territoire propre couvre aussi les EPCI "
            "à cheval sur son département et d’autres (par défaut : oui)"
        }
    )
    finest_level = ma.fields.String(validate=one_of(LEVELS))
    periods = ma.fields.List(ma.fields.Integer(validate=_YEAR))
    breakdowns = _codes()
    derogation_niveau = ma.fields.Boolean()


class QuotasSchema(Schema):
    extracts_per_month = ma.fields.Integer(allow_none=True, validate=_COUNT)
    cells_per_month = ma.fields.Integer(allow_none=True, validate=_COUNT)


class SignatorySchema(Schema):
    name = text(200, required=True)
    role = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    party = ma.fields.String(required=True, validate=one_of([p.value for p in Party]))
    signed_on = ma.fields.Date(allow_none=True)


class ConventionUpdateSchema(EditSchema):
    EDITED = "un terme"

    finalite = ma.fields.String(validate=ma.validate.Length(max=4000))
    uses = ma.fields.List(ma.fields.String(validate=one_of([u.value for u in Use])))
    scope = ma.fields.Nested(ScopeSchema)
    start = ma.fields.Date(allow_none=True)
    end = ma.fields.Date(allow_none=True)
    quotas = ma.fields.Nested(QuotasSchema)
    pricing = ma.fields.String(validate=one_of([p.value for p in PricingMode]))
    clauses = _codes()
    signatories = ma.fields.List(ma.fields.Nested(SignatorySchema))
    notes = ma.fields.String(validate=ma.validate.Length(max=10_000))
    rediffusion_to = ma.fields.List(ma.fields.Integer(validate=POSITIVE_INT))


class ConventionCreateSchema(ConventionUpdateSchema):
    caf_code = text(8, required=True)
    requester_id = ma.fields.Integer(required=True, validate=POSITIVE_INT)


class DocumentInfoSchema(Schema):
    filename = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()


class UsageSchema(Schema):
    month = ma.fields.String(metadata={"description": "Mois (AAAA-MM)"})
    extracts = ma.fields.Integer()
    cells = ma.fields.Integer()


class ConventionSchema(Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    version = ma.fields.Integer()
    label = ma.fields.String(metadata={"description": "Référence et version, comme les décisions"})
    caf_code = ma.fields.String()
    requester_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "Statut à ce jour (expirée après la fin)"})
    stored_status = ma.fields.String()
    finalite = ma.fields.String()
    uses = ma.fields.List(ma.fields.String())
    scope = ma.fields.Nested(ScopeSchema)
    start = ma.fields.Date(allow_none=True)
    end = ma.fields.Date(allow_none=True)
    quotas = ma.fields.Nested(QuotasSchema)
    pricing = ma.fields.String()
    clauses = ma.fields.List(ma.fields.String())
    signatories = ma.fields.List(ma.fields.Nested(SignatorySchema))
    document = ma.fields.Nested(DocumentInfoSchema, allow_none=True)
    notes = ma.fields.String()
    rediffusion_to = ma.fields.List(ma.fields.Integer())
    previous_id = ma.fields.Integer(allow_none=True)
    history = ma.fields.List(ma.fields.Dict())
    missing_for_activation = ma.fields.List(
        ma.fields.String(), metadata={"description": "Ce qui manque avant l'activation"}
    )
    usage = ma.fields.Nested(UsageSchema)


class ConventionPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(ConventionSchema))


class ConventionQuerySchema(PageQuerySchema):
    requester_id = ma.fields.Integer(validate=POSITIVE_INT)
    status = ma.fields.String(validate=one_of([s.value for s in ConventionStatus]))


class ReasonSchema(Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class RenewSchema(Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)


class DocumentUploadSchema(Schema):
    document = Upload(required=True, metadata={"description": "PDF signé"})


class ClauseSchema(Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    description = ma.fields.String()


class ClauseListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ClauseSchema))
