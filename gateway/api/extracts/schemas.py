"""Schemas of the extracts, socle commun, custom zones and IMAJE endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList

from gateway.api.schemas import LEVELS, QuerySchema, Schema, one_of
from gateway.delivery import FORMATS
from gateway.services.extracts.screens import MAX_HISTORY_INDICATORS
from policies.domain import GeoLevel, Use

MAX_INDICATORS, MAX_PERIODS, MAX_ZONES, MAX_BREAKDOWNS, MAX_CODES = 30, 12, 20, 4, 2000
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _sized(low: int, high: int, what: str) -> ma.validate.Length:
    return ma.validate.Length(min=low, max=high, error=f"Entre {low} et {high} {what}.")


def indicator_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=1, max=64), **kwargs)


def year_field(**kwargs: Any) -> ma.fields.Integer:
    """A year: an integer (2024.5 is refused, not read as 2024)."""
    error = f"Année entière attendue, entre {FIRST_YEAR} et {LAST_YEAR}."
    return ma.fields.Integer(
        strict=True, validate=ma.validate.Range(FIRST_YEAR, LAST_YEAR, error=error), **kwargs
    )


def use_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=one_of([u.value for u in Use]), **kwargs)


def zone_id_field(**kwargs: Any) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1), **kwargs
    )


_BY_CODES = "level et codes"
_BY_PARENT = "parent_level, parent_code et, au choix, level"
TERRITORY_FORMS = [
    {
        "title": "Par codes",
        "required": ["level", "codes"],
        "not": {"anyOf": [{"required": ["parent_level"]}, {"required": ["parent_code"]}]},
    },
    {
        "title": "Enfants d'un territoire parent",
        "required": ["parent_level", "parent_code"],
        "not": {"required": ["codes"]},
    },
]


class TerritoriesSchema(Schema):
    """Either territories by code at one level, or the territories of one level within a parent."""

    class Meta(Schema.Meta):
        description = (
            f"Deux formes exclusives : {_BY_CODES} (les territoires nommés), ou {_BY_PARENT} "
            "(les territoires du niveau level compris dans le parent ; par défaut, le niveau "
            "immédiatement plus fin : régions de la France, départements d'une région, "
            "communes sinon). level doit être plus fin que parent_level."
        )

    level = ma.fields.String(validate=one_of(LEVELS))
    codes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=16)),
        validate=_sized(1, MAX_CODES, "codes"),
    )
    parent_level = ma.fields.String(validate=one_of(LEVELS))
    parent_code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))

    @ma.validates_schema
    def one_form(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Accept exactly one of the two forms, whole, with a level finer than its parent."""
        by_code = "codes" in data
        by_parent = "parent_level" in data or "parent_code" in data
        if by_code == by_parent:
            message = f"Donner soit {_BY_CODES}, soit {_BY_PARENT}, mais pas les deux."
            raise ma.ValidationError(message, "codes" if by_code else "_schema")
        if by_code and "level" not in data:
            raise ma.ValidationError("Champ obligatoire avec codes.", "level")
        if by_parent:
            for name in ("parent_level", "parent_code"):
                if name not in data:
                    raise ma.ValidationError(
                        "parent_level et parent_code vont ensemble : champ obligatoire.", name
                    )
            parent, level = GeoLevel(data["parent_level"]), data.get("level")
            if level is not None and GeoLevel(level).fineness >= parent.fineness:
                raise ma.ValidationError(
                    f"Le niveau « {level} » n'est pas plus fin que « {parent.value} ».", "level"
                )


def territories_field(**kwargs: Any) -> ma.fields.Nested:
    metadata = {"oneOf": TERRITORY_FORMS, **kwargs.pop("metadata", {})}
    return ma.fields.Nested(TerritoriesSchema, metadata=metadata, **kwargs)


class RequestSchema(Schema):
    """What is asked: indicators x territories (and custom zones) x periods, broken down, for a use.

    One schema for the extracts, the quotes and the IMAJE screens: the same body gets the same
    decision, the same price and the same fingerprint everywhere.
    """

    indicators = ma.fields.List(
        indicator_field(), required=True, validate=_sized(1, MAX_INDICATORS, "indicateurs")
    )
    territories = territories_field(
        metadata={"description": "Territoires demandés (ou seulement des zones personnalisées)"}
    )
    zones = ma.fields.List(
        zone_id_field(),
        validate=_sized(0, MAX_ZONES, "zones"),
        metadata={"description": "Identifiants de zones personnalisées du demandeur"},
    )
    periods = ma.fields.List(
        year_field(), required=True, validate=_sized(1, MAX_PERIODS, "périodes")
    )
    breakdowns = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        validate=_sized(0, MAX_BREAKDOWNS, "ventilations"),
    )
    use = use_field(required=True)
    totals = ma.fields.Boolean(metadata={"description": "Ajouter le total des territoires"})
    parents = ma.fields.Boolean(metadata={"description": "Ajouter les territoires parents"})

    @ma.validates_schema
    def some_territory(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "territories" not in data and not data.get("zones"):
            raise ma.ValidationError(
                "Donner des territoires ou des zones.", field_name="territories"
            )


class ExtractRequestSchema(RequestSchema):
    """The request, and how the extract is delivered (the format is not part of the request)."""

    format = ma.fields.String(validate=one_of(sorted(FORMATS)), metadata={"example": "json"})


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


class ExtractPreviewRefusalSchema(Schema):
    """The refusal the extract would get: its problem document's members."""

    code = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    reasons = ma.fields.List(ma.fields.Dict(), metadata={"description": "regle, message, solution"})


class ExtractPreviewSchema(Schema):
    """What POST /extracts would do with this request, nothing delivered nor stored."""

    cellules = ma.fields.Integer(metadata={"description": "Cellules de l'extrait"})
    territoires = ma.fields.Integer(
        metadata={"description": "Lignes : territoires, totaux, parents"}
    )
    cellules_maximum = ma.fields.Integer(metadata={"description": "Taille maximale permise"})
    arriere_plan = ma.fields.Boolean(metadata={"description": "Traité en arrière-plan (202)"})
    autorisee = ma.fields.Boolean()
    issue = ma.fields.String(
        metadata={
            "description": "refus, deja_livre (le même extrait, servi de nouveau sans frais), "
            "gratuit, devis (402 : devis à accepter), devis_accepte"
        }
    )
    convention = ma.fields.String(allow_none=True)
    refus = ma.fields.Nested(ExtractPreviewRefusalSchema, allow_none=True)
    gratuit = ma.fields.Boolean()
    acces_gratuit = ma.fields.Boolean(metadata={"description": "Gratuit sans tarification"})
    devis_accepte = ma.fields.Integer(
        allow_none=True, metadata={"description": "Devis accepté couvrant cette demande"}
    )
    extrait_livre = ma.fields.String(
        allow_none=True,
        metadata={"description": "L'extrait déjà livré de la même demande, servi de nouveau"},
    )
    prix = ma.fields.Dict(
        allow_none=True, metadata={"description": "Le chiffrage, ligne par ligne, comme le devis"}
    )


class DeliveredSchema(Schema):
    """The JSON delivery (other formats are files of their media type)."""

    extrait = ma.fields.Dict()
    cellules = ma.fields.List(ma.fields.Dict())
    note = ma.fields.Dict()


class DownloadQuerySchema(QuerySchema):
    format = ma.fields.String(load_default="json", validate=one_of(sorted(FORMATS)))


class SocleQuerySchema(QuerySchema):
    level = ma.fields.String(load_default="departement", validate=one_of(LEVELS))
    codes = DelimitedList(ma.fields.String(validate=ma.validate.Length(min=1, max=16)))
    parent_level = ma.fields.String(validate=one_of(LEVELS))
    parent_code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    periods = DelimitedList(
        ma.fields.Integer(
            validate=ma.validate.Range(min=FIRST_YEAR, max=LAST_YEAR, error="Année invalide.")
        ),
        validate=_sized(1, MAX_PERIODS, "périodes"),
    )
    breakdowns = DelimitedList(ma.fields.String(validate=ma.validate.Length(max=64)))
    format = ma.fields.String(load_default="json", validate=one_of(sorted(FORMATS)))


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
    """One indicator (`indicator`), or several of one axis (`indicators`), on one territory."""

    indicator = indicator_field()
    indicators = ma.fields.List(
        indicator_field(),
        validate=_sized(1, MAX_HISTORY_INDICATORS, "indicateurs"),
        metadata={"description": "Plusieurs indicateurs d'un même axe (au lieu d'indicator)"},
    )
    level = ma.fields.String(validate=one_of(LEVELS))
    code = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    zone = zone_id_field(metadata={"description": "Une zone personnalisée du demandeur"})
    last_period = year_field()
    use = use_field(required=True)

    @ma.validates_schema
    def territory(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("zone" in data) == ("level" in data and "code" in data):
            raise ma.ValidationError("Donner level et code, ou une zone.", field_name="code")

    @ma.validates_schema
    def one_choice_of_indicators(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("indicator" in data) == ("indicators" in data):
            raise ma.ValidationError(
                "Donner indicator, ou indicators (un même axe), mais pas les deux.",
                field_name="indicator",
            )


class PlaceSchema(TerritoriesSchema):
    """A side of the IMAJE comparison: territories, or one of the requester's custom zones."""

    class Meta(Schema.Meta):
        description = "Une zone personnalisée du demandeur (zone), ou des territoires : " + str(
            TerritoriesSchema.Meta.description
        )

    zone = zone_id_field(metadata={"description": "Une zone personnalisée du demandeur"})

    @ma.validates_schema
    def one_form(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Accept a zone alone, or one form of territories."""
        if "zone" not in data:
            super().one_form(data, **kwargs)
        elif len(data) > 1:
            raise ma.ValidationError("Donner une zone seule, ou des territoires.", "zone")


class ComparisonSchema(Schema):
    indicator = indicator_field(required=True)
    study = ma.fields.Nested(PlaceSchema, required=True)
    reference = ma.fields.Nested(PlaceSchema, required=True)
    period = year_field(required=True)
    use = use_field(required=True)


class ScreenSchema(Schema):
    tableau = ma.fields.Dict()
    series = ma.fields.List(ma.fields.Dict())
