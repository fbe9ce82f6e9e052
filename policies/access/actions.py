"""One gate per action: who may perform which action, on which Caf (default deny)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from policies.access.values import Decision, Refusal, RequesterProfile, Rule, deny, type_label
from policies.domain import RequesterType


class Audience(StrEnum):
    """Who an action is for."""

    REQUESTERS = "demandeurs"  # requesters with an account (and admins)
    ADMINS = "administrateurs"  # admins of the target Caf, and national admins
    NATIONAL = "national"  # national admins only (catalogue, policy)


@dataclass(frozen=True)
class ActionRule:
    """The gate of one action."""

    name: str
    audience: Audience
    label_fr: str
    public: bool = False  # also open to grand_public (no account)


def _actions(*rules: ActionRule) -> Mapping[str, ActionRule]:
    return {r.name: r for r in rules}


ACTIONS: Mapping[str, ActionRule] = _actions(
    ActionRule("socle_read", Audience.REQUESTERS, "lire le socle commun", public=True),
    ActionRule("extract_create", Audience.REQUESTERS, "demander un extrait", public=True),
    ActionRule("extract_read", Audience.REQUESTERS, "suivre ou télécharger ses extraits"),
    ActionRule("quote_create", Audience.REQUESTERS, "demander un devis"),
    ActionRule("quote_accept", Audience.REQUESTERS, "accepter un devis"),
    ActionRule("zone_create", Audience.REQUESTERS, "créer une zone personnalisée"),
    ActionRule("zone_read", Audience.REQUESTERS, "consulter ses zones personnalisées"),
    ActionRule("me_read", Audience.REQUESTERS, "consulter son propre compte"),
    ActionRule("convention_create", Audience.ADMINS, "créer une convention"),
    ActionRule("convention_update", Audience.ADMINS, "modifier une convention"),
    ActionRule("convention_activate", Audience.ADMINS, "activer une convention"),
    ActionRule("requester_create", Audience.ADMINS, "créer un demandeur"),
    ActionRule("requester_update", Audience.ADMINS, "modifier un demandeur"),
    ActionRule("api_key_create", Audience.ADMINS, "créer une clé d'API"),
    ActionRule("api_key_revoke", Audience.ADMINS, "révoquer une clé d'API"),
    ActionRule("audit_read", Audience.ADMINS, "consulter le journal d'audit"),
    ActionRule(
        "requester_records_read",
        Audience.ADMINS,
        "consulter les extraits, devis et factures d'un demandeur",
    ),
    ActionRule("tariff_update", Audience.ADMINS, "modifier le tarif"),
    ActionRule("policy_update", Audience.NATIONAL, "modifier la matrice d'accès"),
    ActionRule("catalogue_update", Audience.NATIONAL, "modifier le catalogue"),
)


def _refusal(rule: Rule, message: str, remedy: str) -> Decision:
    return deny(Refusal(rule, message, remedy), applied=(rule,))


def _allow(rule: Rule) -> Decision:
    return Decision(allowed=True, rules_applied=(rule,), allowed_by=rule)


def authorize(
    action: str,
    actor: RequesterProfile,
    target_caf: str | None,
    caf_names: Mapping[str, str] | None = None,
) -> Decision:
    """Decide whether `actor` may perform `action` on `target_caf` (None: no Caf / all Cafs).

    `caf_names` ("13" -> "Caf des Bouches-du-Rhône") name the Cafs in a refusal's message.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        return _refusal(
            Rule.AUTORISATION_ACTION_INCONNUE, f"action « {action} » inconnue", "aucune"
        )
    if actor.type is RequesterType.ADMIN_NATIONAL:
        return _allow(Rule.AUTORISATION_ROLE)
    if not _role_allows(spec, actor.type):
        return _refusal(
            Rule.AUTORISATION_ROLE,
            f"action « {spec.label_fr} » non permise au type « {type_label(actor.type)} »",
            _role_remedy(spec),
        )
    if target_caf is not None and target_caf == actor.caf_code:
        return _allow(Rule.AUTORISATION_CAF)
    if target_caf is None and spec.audience is Audience.REQUESTERS:
        return _allow(Rule.AUTORISATION_ROLE)
    names = caf_names or {}

    def caf(code: str) -> str:
        return f"la {names[code]} ({code})" if code in names else f"la Caf {code}"

    own = caf(actor.caf_code) if actor.caf_code else "aucune Caf"
    target = f"sur {caf(target_caf)}" if target_caf else "sur toutes les Caf à la fois"
    return _refusal(
        Rule.AUTORISATION_CAF,
        f"action « {spec.label_fr} » {target} : le demandeur est rattaché à {own}",
        "seule la Caf de rattachement, ou un administrateur national, peut agir",
    )


def _role_allows(spec: ActionRule, rtype: RequesterType) -> bool:
    if spec.audience is Audience.NATIONAL:
        return False  # national admins are handled before
    if rtype is RequesterType.ADMIN_CAF:
        return True
    if rtype is RequesterType.GRAND_PUBLIC:
        return spec.public
    return spec.audience is Audience.REQUESTERS


def _role_remedy(spec: ActionRule) -> str:
    return {
        Audience.NATIONAL: "réservé aux administrateurs nationaux (Cnaf)",
        Audience.ADMINS: "réservé aux administrateurs de la Caf concernée",
        Audience.REQUESTERS: "réservé aux demandeurs disposant d'un compte",
    }[spec.audience]


def may_see(viewer: RequesterProfile, owner_id: int | str, owner_caf: str | None) -> bool:
    """Tell whether `viewer` may read a record (extract, quote, invoice) of a requester.

    Its owner may, and the administrators of the owner's Caf, and national administrators.
    """
    if viewer.type is RequesterType.ADMIN_NATIONAL:
        return True
    if viewer.type is RequesterType.ADMIN_CAF:
        return owner_caf is not None and viewer.caf_code == owner_caf
    return viewer.id == str(owner_id)
