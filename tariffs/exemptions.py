"""Well-known exemptions and convention pricing modes, decided as values with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from policies.domain import PricingMode, RequesterType


class Exemption(StrEnum):
    """Exemptions of the doctrine de diffusion (DOMAIN.md, section 4)."""

    SOCLE_COMMUN = "socle_commun"
    CONSEIL_DEPARTEMENTAL_PMI = "conseil_departemental_pmi"
    DIAGNOSTIC_CAF = "diagnostic_caf"
    CONVENTION_NATIONALE_ETAT = "convention_nationale_etat"


#: Every exemption; the socle commun is granted by every schedule.
ALL_EXEMPTIONS: frozenset[Exemption] = frozenset(Exemption)

EXEMPTION_RULES: dict[Exemption, str] = {
    Exemption.SOCLE_COMMUN: (
        "Socle commun : données diffusées gratuitement à tous, financées par la Cnaf "
        "(doctrine de diffusion, principe 1)."
    ),
    Exemption.CONSEIL_DEPARTEMENTAL_PMI: (
        "Échanges avec le conseil départemental et la PMI : gratuits (doctrine de diffusion)."
    ),
    Exemption.DIAGNOSTIC_CAF: (
        "Diagnostic requis par la Caf (par exemple l'agrément d'un centre social) : gratuit."
    ),
    Exemption.CONVENTION_NATIONALE_ETAT: (
        "Service de l'État couvert par une convention nationale avec la Cnaf : gratuit."
    ),
}


@dataclass(frozen=True)
class Waiver:
    """Why a quote is priced at zero: a stable rule code and its French reason."""

    code: str
    reason: str
    exemption: Exemption | None = None


def exemption_waiver(exemption: Exemption) -> Waiver:
    """Return the waiver of a well-known exemption."""
    return Waiver(f"exoneration.{exemption.value}", EXEMPTION_RULES[exemption], exemption)


def applicable_exemption(
    requester_type: RequesterType,
    *,
    socle_commun: bool,
    diagnostic_caf: bool = False,
    convention_nationale_etat: bool = False,
    granted: frozenset[Exemption] = ALL_EXEMPTIONS,
) -> Waiver | None:
    """Decide the exemption a request is entitled to; None when it pays the tariff.

    The socle commun is always free. The others apply only if the Caf's schedule
    grants them (`granted`), in this order: national State convention,
    conseil départemental / PMI, diagnostic required by the Caf.
    """
    if socle_commun:
        return exemption_waiver(Exemption.SOCLE_COMMUN)
    candidates = (
        (
            Exemption.CONVENTION_NATIONALE_ETAT,
            convention_nationale_etat and requester_type is RequesterType.SERVICE_ETAT,
        ),
        (
            Exemption.CONSEIL_DEPARTEMENTAL_PMI,
            requester_type is RequesterType.CONSEIL_DEPARTEMENTAL,
        ),
        (Exemption.DIAGNOSTIC_CAF, diagnostic_caf),
    )
    for exemption, entitled in candidates:
        if entitled and exemption in granted:
            return exemption_waiver(exemption)
    return None


def convention_waiver(mode: PricingMode, convention_ref: str | None) -> Waiver | None:
    """Return the waiver of a convention priced free or by an annual flat fee."""
    ref = convention_ref or "(sans référence)"
    if mode is PricingMode.ANNUAL_FLAT_FEE:
        return Waiver(
            "convention.forfait_annuel",
            f"Convention {ref} : demande couverte par le forfait annuel de la convention, "
            "pas de facturation à l'extraction.",
        )
    if mode is PricingMode.FREE_EXEMPTION:
        return Waiver(
            "convention.gratuite",
            f"Convention {ref} : la convention prévoit une diffusion gratuite.",
        )
    return None
