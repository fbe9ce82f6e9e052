"""Schemas of the people and access-request endpoints of the administration API."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import EditSchema, PageQuerySchema, PageSchema, Schema, one_of, text
from gateway.services.accounts.values import AccessRequestStatus, PersonRole, PersonStatus

ROLES = [r.value for r in PersonRole]
STATUSES = [s.value for s in AccessRequestStatus]


class PersonInviteSchema(Schema):
    email = ma.fields.String(
        required=True, metadata={"description": "Adresse électronique : l'identifiant du compte"}
    )
    name = text(200, required=True, metadata={"description": "Prénom et nom"})
    role = ma.fields.String(
        load_default=PersonRole.LECTEUR.value,
        validate=one_of(ROLES),
        metadata={"description": "lecteur (par défaut) ou gestionnaire"},
    )


class PersonUpdateSchema(EditSchema):
    name = text(200)
    role = ma.fields.String(validate=one_of(ROLES))
    active = ma.fields.Boolean(
        metadata={"description": "false : désactiver le compte (ses sessions se ferment)"}
    )


class PersonSchema(Schema):
    id = ma.fields.Integer()
    requester_id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String(metadata={"description": "lecteur ou gestionnaire"})
    status = ma.fields.String(metadata={"description": ", ".join(s.value for s in PersonStatus)})
    created_at = ma.fields.DateTime()
    last_sign_in_at = ma.fields.DateTime(allow_none=True)


class InvitedPersonSchema(PersonSchema):
    invitation_expires_at = ma.fields.DateTime(
        metadata={"description": "Fin de validité du lien d'invitation envoyé"}
    )


class PersonListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(PersonSchema))


class AccessRequestQuerySchema(PageQuerySchema):
    status = ma.fields.String(
        load_default=AccessRequestStatus.EN_ATTENTE.value,
        validate=one_of(STATUSES),
        metadata={"description": "en_attente (par défaut), approuvee ou rejetee"},
    )


class AccessRequestSchema(Schema):
    id = ma.fields.Integer()
    caf_code = ma.fields.String()
    status = ma.fields.String()
    organisation = ma.fields.String()
    siret = ma.fields.String(metadata={"description": "SIREN (9 chiffres) ou SIRET (14)"})
    requester_type = ma.fields.String()
    territory_level = ma.fields.String(allow_none=True)
    territory_code = ma.fields.String(allow_none=True)
    purpose = ma.fields.String()
    contact_name = ma.fields.String()
    contact_email = ma.fields.String()
    created_at = ma.fields.DateTime()
    decided_at = ma.fields.DateTime(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    requester_id = ma.fields.Integer(allow_none=True)
    person_id = ma.fields.Integer(allow_none=True)


class AccessRequestPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(AccessRequestSchema))


class ApproveSchema(Schema):
    requester_id = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Rattacher la personne à ce demandeur existant de la Caf, au lieu "
            "d'en créer un"
        },
    )
    role = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=one_of(ROLES),
        metadata={"description": "Par défaut : gestionnaire d'un nouveau demandeur, sinon lecteur"},
    )


class RejectSchema(Schema):
    reason = text(2000, required=True, metadata={"description": "Motif, communiqué au contact"})
