"""Schemas of schedule administration and revenue reports."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from gateway.api.schemas import QuerySchema, Schema
from gateway.api.tariffs.schemas import ScheduleVersionSchema
from gateway.services.pricing.reports import GROUPS

_GROUP_ERROR = "Regroupements possibles : " + ", ".join(GROUPS) + "."


class NewVersionSchema(Schema):
    bareme = ma.fields.Dict(
        required=True,
        metadata={
            "description": "Le barème complet, sous sa forme publiée (voir GET /tariffs/{caf}) ; "
            "le code de Caf est celui du chemin."
        },
    )


class PreviewSchema(NewVersionSchema):
    derniers = ma.fields.Integer(
        load_default=50,
        validate=ma.validate.Range(min=1, max=500, error="Doit être entre 1 et 500."),
        metadata={"description": "Nombre de devis récents à rechiffrer"},
    )


class VersionListSchema(Schema):
    caf = ma.fields.String()
    versions = ma.fields.List(ma.fields.Nested(ScheduleVersionSchema))


class PreviewRowSchema(Schema):
    devis_id = ma.fields.Integer()
    date_devis = ma.fields.Date()
    bareme_version = ma.fields.String()
    type_demandeur = ma.fields.String()
    usage = ma.fields.String()
    ancien_total_ttc = ma.fields.Decimal(as_string=True)
    nouveau_total_ttc = ma.fields.Decimal(as_string=True, allow_none=True)
    ecart_ttc = ma.fields.Decimal(as_string=True, allow_none=True)
    remarque = ma.fields.String(allow_none=True)


class PreviewResultSchema(Schema):
    caf = ma.fields.String()
    version = ma.fields.String()
    devis = ma.fields.List(ma.fields.Nested(PreviewRowSchema))
    ancien_total_ttc = ma.fields.Decimal(as_string=True)
    nouveau_total_ttc = ma.fields.Decimal(as_string=True)
    ecart_ttc = ma.fields.Decimal(as_string=True)


class RevenueQuerySchema(QuerySchema):
    group_by = ma.fields.String(
        load_default="caf,month",
        metadata={"description": "Regroupements séparés par des virgules : " + ", ".join(GROUPS)},
    )
    caf = ma.fields.String(
        validate=ma.validate.Length(2, 5),
        metadata={"description": "Caf (obligatoire pour un administrateur de Caf)"},
    )
    start = ma.fields.Date(metadata={"description": "Factures émises à partir de ce jour"})
    end = ma.fields.Date(metadata={"description": "Factures émises jusqu'à ce jour inclus"})
    format = ma.fields.String(
        load_default="json",
        validate=ma.validate.OneOf(["json", "csv"], error="Formats : json ou csv."),
    )

    @ma.post_load
    def split_groups(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        groups = [g.strip() for g in data["group_by"].split(",") if g.strip()]
        if not groups or any(g not in GROUPS for g in groups):
            raise ma.ValidationError(_GROUP_ERROR, "group_by")
        data["group_by"] = groups
        return data


class RevenueRowSchema(Schema):
    caf = ma.fields.String()
    requester_type = ma.fields.String()
    use = ma.fields.String()
    month = ma.fields.String()
    factures = ma.fields.Integer()
    net_ht = ma.fields.Decimal(as_string=True)
    tva = ma.fields.Decimal(as_string=True)
    total_ttc = ma.fields.Decimal(as_string=True)


class RevenueSchema(Schema):
    regroupements = ma.fields.List(ma.fields.String())
    lignes = ma.fields.List(ma.fields.Nested(RevenueRowSchema))
    factures = ma.fields.Integer()
    total_ttc = ma.fields.Decimal(as_string=True)
