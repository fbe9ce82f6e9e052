"""Convention templates by requester type: the doctrine's usual terms, declared once (pure).

A new convention starts from its requester's type: the tiers the policy matrix opens to
that type under a convention, the uses it usually needs, its finest level, its pricing mode
(exemptions for the conseil départemental and the State's national conventions), quotas,
a finalité to adapt, and the qualities of the two signatories. Every mandatory clause is
preselected; the administrator still ticks, dates, signs and uploads before activation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from policies.conventions import MandatoryClause, Party
from policies.domain import GeoLevel, PricingMode, RequesterType, Tier, Use

#: What the Caf's signatory usually is, whoever the requester.
CAF_SIGNATORY_ROLE = "Directeur ou directrice de la Caf"
#: How many of the latest periods a new convention covers (a diagnostic's recent years).
RECENT_PERIODS = 3


@dataclass(frozen=True)
class ConventionTemplate:
    """The default terms of a convention with one type of requester."""

    requester_type: RequesterType
    title: str  # "Convention avec un conseil départemental"
    finalite: str
    tiers: frozenset[Tier]
    uses: frozenset[Use]
    finest_level: GeoLevel
    pricing: PricingMode
    extracts_per_month: int | None  # None: unlimited
    cells_per_month: int | None
    requester_role: str  # the requester's signatory: "Maire", "Président du conseil..."


def _template(
    rtype: RequesterType,
    title: str,
    finalite: str,
    tiers: Iterable[Tier],
    uses: Iterable[Use],
    finest: GeoLevel,
    pricing: PricingMode,
    quotas: tuple[int | None, int | None],
    role: str,
) -> ConventionTemplate:
    return ConventionTemplate(
        rtype, title, finalite, frozenset(tiers), frozenset(uses), finest, pricing, *quotas, role
    )


_C, _R = Tier.CONVENTION, Tier.RESTREINT
#: One template per type a convention can serve (DOMAIN.md 1; data/policy_matrix.yaml).
TEMPLATES: Mapping[RequesterType, ConventionTemplate] = MappingProxyType(
    {
        t.requester_type: t
        for t in (
            _template(
                RequesterType.CONSEIL_DEPARTEMENTAL,
                "Convention avec un conseil départemental",
                "Pilotage du RSA (stocks, flux, montants) et schéma départemental des services "
                "aux familles (petite enfance), par commune et intercommunalité.",
                (_C, _R),
                (Use.USAGE_FINAL, Use.USAGE_INTERNE),
                GeoLevel.COMMUNE,
                PricingMode.FREE_EXEMPTION,
                (31, None),
                "Président ou présidente du conseil départemental",
            ),
            _template(
                RequesterType.COMMUNE,
                "Convention avec une commune",
                "Diagnostic social de territoire de la commune (enfants par tranche d’âge, "
                "familles allocataires, taux de couverture).",
                (_C,),
                (Use.USAGE_FINAL,),
                GeoLevel.COMMUNE,
                PricingMode.PER_EXTRACT,
                (10, 50_000),
                "Maire",
            ),
            _template(
                RequesterType.EPCI,
                "Convention avec une intercommunalité (EPCI)",
                "Diagnostic social du territoire intercommunal et de ses communes (petite "
                "enfance, familles, couverture des besoins).",
                (_C,),
                (Use.USAGE_FINAL,),
                GeoLevel.COMMUNE,
                PricingMode.PER_EXTRACT,
                (10, 100_000),
                "Président ou présidente de l’intercommunalité",
            ),
            _template(
                RequesterType.SERVICE_ETAT,
                "Convention avec un service de l’État",
                "Statistiques nationales ou régionales et politique de la ville, dans le cadre "
                "d’une convention nationale.",
                (_C, _R),
                (Use.USAGE_FINAL, Use.ETUDES),
                GeoLevel.COMMUNE,
                PricingMode.FREE_EXEMPTION,
                (None, None),
                "Directeur ou directrice du service",
            ),
            _template(
                RequesterType.ORGANISME_MISSION_PUBLIQUE,
                "Convention avec un organisme à mission de service public",
                "Diagnostic partagé du territoire (observatoire, agence d’urbanisme, ORS, CDAJE).",
                (_C, _R),
                (Use.ETUDES, Use.USAGE_FINAL),
                GeoLevel.COMMUNE,
                PricingMode.PER_EXTRACT,
                (10, 50_000),
                "Directeur ou directrice de l’organisme",
            ),
            _template(
                RequesterType.CABINET_PRIVE,
                "Convention avec un cabinet privé",
                "Étude réalisée pour le compte d’un client, nommé dans la convention ; aucune "
                "rediffusion des données.",
                (_C,),
                (Use.ETUDES,),
                GeoLevel.EPCI,  # the matrix's finest for the type: never below without derogation
                PricingMode.PER_EXTRACT,
                (5, 20_000),
                "Gérant ou gérante du cabinet",
            ),
        )
    }
)


def template_for(rtype: RequesterType | str) -> ConventionTemplate | None:
    """Return the template of a requester type; None for a type no convention serves."""
    try:
        return TEMPLATES.get(RequesterType(rtype))
    except ValueError:
        return None


def draft_fields(
    template: ConventionTemplate,
    *,
    caf_code: str,
    requester_id: int,
    has_territory: bool,
    clauses: Iterable[MandatoryClause | str],
    periods: Iterable[int] = (),
) -> dict[str, Any]:
    """Return the fields `drafts.create_convention` takes, filled from the template.

    The scope covers the requester's own territory when it has one (otherwise the
    administrator chooses territories on the draft) and the latest `RECENT_PERIODS` of
    `periods` (those the store holds); every mandatory clause is preselected.
    """
    return {
        "caf_code": caf_code,
        "requester_id": requester_id,
        "finalite": template.finalite,
        "uses": sorted(u.value for u in template.uses),
        "scope": {
            "tiers": sorted(t.value for t in template.tiers),
            "own_territory": has_territory,
            "finest_level": template.finest_level.value,
            "periods": sorted(set(periods))[-RECENT_PERIODS:],
        },
        "quotas": {
            "extracts_per_month": template.extracts_per_month,
            "cells_per_month": template.cells_per_month,
        },
        "pricing": template.pricing.value,
        "clauses": [c.code if isinstance(c, MandatoryClause) else c for c in clauses],
    }


def signatory_roles(template: ConventionTemplate | None) -> dict[Party, str]:
    """Return the usual quality of each party's signatory (the form's defaults)."""
    return {
        Party.CAF: CAF_SIGNATORY_ROLE,
        Party.DEMANDEUR: template.requester_role if template else "",
    }
