"""How the pages name the gateway's codes (axes, tiers, sources, levels, kinds), in French."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from policies.domain import Axis, GeoLevel, Kind, RequesterType, Source, Tier

AXIS_LABELS: Mapping[Axis, str] = MappingProxyType(
    {
        Axis.PUBLIC: "Public : enfants, familles et allocataires",
        Axis.OFFRE: "Offre d’accueil",
        Axis.USAGE: "Usage des modes d’accueil",
        Axis.ADEQUATION: "Adéquation et tension entre l’offre et la demande",
    }
)
TIER_LABELS: Mapping[Tier, str] = MappingProxyType(
    {
        Tier.SOCLE_COMMUN: "Socle commun",
        Tier.CONVENTION: "Sur convention",
        Tier.RESTREINT: "Restreint",
        Tier.INTERNE: "Interne",
    }
)
TIER_EXPLANATIONS: Mapping[Tier, str] = MappingProxyType(
    {
        Tier.SOCLE_COMMUN: "Diffusé librement et gratuitement à tous, sans compte ni convention, "
        "au niveau du département (territoire d’une Caf) et au-dessus. Les niveaux plus fins "
        "(communes, EPCI) sont diffusés sous convention.",
        Tier.CONVENTION: "Diffusé aux organismes qui ont signé avec la Caf une convention en "
        "vigueur couvrant l’indicateur, le territoire et la période, selon un tarif publié "
        "fondé sur le coût marginal.",
        Tier.RESTREINT: "Diffusé sous convention, et seulement aux types de demandeurs "
        "désignés ci-dessous.",
        Tier.INTERNE: "Jamais diffusé en dehors de la branche Famille.",
    }
)
SOURCE_LABELS: Mapping[Source, str] = MappingProxyType(
    {
        Source.CNAF: "Cnaf (fichiers des allocataires)",
        Source.MSA: "MSA (régime agricole)",
        Source.ACOSS: "Acoss (CNT-Paje)",
        Source.BCAS: "BCAS (base communale d’action sociale)",
        Source.INSEE: "Insee",
    }
)
LEVEL_LABELS: Mapping[GeoLevel, str] = MappingProxyType(
    {
        GeoLevel.COMMUNE: "Communes",
        GeoLevel.ZONE: "Zones personnalisées",
        GeoLevel.EPCI: "Intercommunalités (EPCI)",
        GeoLevel.DEPARTEMENT: "Départements",
        GeoLevel.REGION: "Régions",
        GeoLevel.FRANCE: "France entière",
    }
)
KIND_LABELS: Mapping[Kind, str] = MappingProxyType(
    {Kind.COUNT: "Effectif", Kind.AMOUNT: "Montant (euros)", Kind.RATIO: "Taux ou ratio"}
)
REQUESTER_LABELS: Mapping[RequesterType, str] = MappingProxyType(
    {
        RequesterType.GRAND_PUBLIC: "grand public",
        RequesterType.CONSEIL_DEPARTEMENTAL: "conseils départementaux",
        RequesterType.COMMUNE: "communes",
        RequesterType.EPCI: "intercommunalités (EPCI)",
        RequesterType.SERVICE_ETAT: "services de l’État",
        RequesterType.ORGANISME_MISSION_PUBLIQUE: "organismes à mission de service public",
        RequesterType.CABINET_PRIVE: "cabinets privés",
        RequesterType.ADMIN_CAF: "administrateurs de Caf",
        RequesterType.ADMIN_NATIONAL: "administrateurs nationaux",
    }
)
