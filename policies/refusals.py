"""Refusals: the closed set of rule codes that decide, and one refusal type for every rule.

Access, secrecy, quotas and pricing refuse alike: a `Refusal` names its `Rule`, says what is
not allowed and what would allow it. A domain error carries them; `problem_member` is the one
place their problem-document form (`{"regle", "message", "solution"}`) is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """Stable codes of the rules that decide; every refusal names one."""

    CATALOGUE_INDICATEUR = "catalogue.indicateur_inconnu"
    CATALOGUE_VENTILATION = "catalogue.ventilation"
    DEMANDE_PERIODE = "demande.periode_inconnue"
    DEMANDE_ZONE = "demande.zone_non_resolue"
    TIER_INTERNE = "tier.interne"
    MATRICE_TYPE_TIER = "matrice.type_tier"
    TIER_RESTREINT = "tier.restreint"
    SOURCE_RESTRICTION = "source.restriction"
    MATRICE_NIVEAU_FIN = "matrice.niveau_fin"
    ACCES_LIBRE = "matrice.acces_libre"
    CONVENTION_COUVERTURE = "convention.couverture"
    CONVENTION_AUCUNE_ACTIVE = "convention.aucune_active"
    CONVENTION_EXPIREE = "convention.expiree"
    CONVENTION_INACTIVE = "convention.inactive"
    CONVENTION_USAGE = "convention.usage"
    HORS_PERIMETRE_INDICATEUR = "convention.hors_perimetre.indicateur"
    HORS_PERIMETRE_TERRITOIRE = "convention.hors_perimetre.territoire"
    HORS_PERIMETRE_PERIODE = "convention.hors_perimetre.periode"
    HORS_PERIMETRE_NIVEAU = "convention.hors_perimetre.niveau"
    HORS_PERIMETRE_VENTILATION = "convention.hors_perimetre.ventilation"
    AUTORISATION_ACTION_INCONNUE = "autorisation.action_inconnue"
    AUTORISATION_ROLE = "autorisation.role"
    AUTORISATION_CAF = "autorisation.caf"
    TERRITOIRE_CAF = "autorisation.territoire_caf"
    DEFAUT_REFUS = "defaut.refus"
    # Statistical secrecy: what no protection can answer, or answers at too high a cost.
    SECRET_COHERENCE = "secret.coherence"
    SECRET_DIFFERENCIATION = "secret.differenciation"
    SECRET_TROP_FIN = "secret.trop_fin"
    # Pricing and publication.
    DEVIS_DEMANDEUR = "devis.demandeur"
    DEVIS_A_ACCEPTER = "tarif.devis_a_accepter"
    SOCLE_PUBLICATION = "socle.publication"


@dataclass(frozen=True)
class Refusal:
    """One reason to refuse: the rule, what is not allowed, and what would allow it."""

    rule: Rule
    message_fr: str
    remedy_fr: str = ""  # empty: nothing the requester can change (another's quote)

    def problem_member(self) -> dict[str, str]:
        """Return the refusal as a problem document's `reasons` list writes it."""
        member = {"regle": str(self.rule), "message": self.message_fr}
        if self.remedy_fr:
            member["solution"] = self.remedy_fr
        return member
