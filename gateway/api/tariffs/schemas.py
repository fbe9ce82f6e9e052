"""Schemas of the published tariffs: schedule documents as tariffs.schedule_to_mapping writes."""

from __future__ import annotations

import marshmallow as ma

from gateway.api.schemas import Schema

_DOCUMENT = (
    "Barème publié (clés en français, montants en euros HT écrits en chaînes exactes) : "
    "forfait_premiere_heure, taux_horaire, production, estimation_travail, coefficients_usage, "
    "coefficients_demandeur, categories_facturees, exonerations, tva, minimum_perception, "
    "validite_devis_jours, mentions_legales, facturation (délai et moyen de paiement, adresse, "
    "SIRET, numéro de TVA ou mention de non-application, pénalités de retard)."
)


class ScheduleVersionSchema(Schema):
    id = ma.fields.Integer()
    caf = ma.fields.String(metadata={"description": "Code de la Caf, ou * (barème par défaut)"})
    version = ma.fields.String()
    en_vigueur_du = ma.fields.Date()
    en_vigueur_au = ma.fields.Date(allow_none=True, metadata={"description": "Dernier jour inclus"})
    bareme = ma.fields.Dict(metadata={"description": _DOCUMENT})


class PublishedTariffSchema(Schema):
    caf = ma.fields.String()
    date = ma.fields.Date(metadata={"description": "Jour de consultation"})
    bareme_propre = ma.fields.Boolean(
        metadata={"description": "La Caf a publié son propre barème (sinon : barème par défaut)"}
    )
    en_vigueur = ma.fields.Dict(metadata={"description": _DOCUMENT})
    versions = ma.fields.List(ma.fields.Nested(ScheduleVersionSchema))
