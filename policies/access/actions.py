"""One gate per action: who may perform which action, on which Caf (default deny)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from policies.access.values import (
    Decision,
    RequesterProfile,
    deny,
    type_label,
)
from policies.domain import RequesterType
from policies.refusals import Refusal, Rule


class Audience(StrEnum):
    """Who an action is for."""

    REQUESTERS = "demandeurs"  # requesters with an account (and admins)
    ADMINS = "administrateurs"  # admins of the target Caf, and national admins
    NATIONAL = "national"  # national admins only (catalogue, policy)


class Action(StrEnum):
    """Every action of the gateway, named after what it does: one per route or service step.

    A route's gate, an entry of the audit chain and a record of the change log all name one.
    """

    SOCLE_READ = "socle_read"
    SOCLE_PUBLISH = "socle_publish"
    STORE_PUBLISH = "store_publish"
    EXTRACT_CREATE = "extract_create"
    EXTRACT_READ = "extract_read"
    EXTRACT_PREVIEW_READ = "extract_preview_read"
    IMAJE_READ = "imaje_read"
    QUOTE_CREATE = "quote_create"
    QUOTE_READ = "quote_read"
    QUOTE_ACCEPT = "quote_accept"
    INVOICE_READ = "invoice_read"
    ZONE_CREATE = "zone_create"
    SUBSCRIPTION_CREATE = "subscription_create"
    SUBSCRIPTION_READ = "subscription_read"
    SUBSCRIPTION_PAUSE = "subscription_pause"
    SUBSCRIPTION_RESUME = "subscription_resume"
    SUBSCRIPTION_END = "subscription_end"
    ZONE_READ = "zone_read"
    ME_READ = "me_read"
    CONVENTION_CREATE = "convention_create"
    CONVENTION_READ = "convention_read"
    CONVENTION_UPDATE = "convention_update"
    CONVENTION_DOCUMENT = "convention_document"
    CONVENTION_ACTIVATE = "convention_activate"
    CONVENTION_RESUME = "convention_resume"
    CONVENTION_SUSPEND = "convention_suspend"
    CONVENTION_TERMINATE = "convention_terminate"
    CONVENTION_RENEW = "convention_renew"
    CONVENTION_EXPIRE = "convention_expire"
    REQUESTER_CREATE = "requester_create"
    REQUESTER_READ = "requester_read"
    REQUESTER_UPDATE = "requester_update"
    REQUESTER_RECORDS_READ = "requester_records_read"
    API_KEY_CREATE = "api_key_create"
    API_KEY_READ = "api_key_read"
    API_KEY_REVOKE = "api_key_revoke"
    AUDIT_READ = "audit_read"
    AUDIT_SEAL = "audit_seal"
    ADMIN_CHANGE_READ = "admin_change_read"
    WORKLIST_READ = "worklist_read"
    POLICY_READ = "policy_read"
    POLICY_UPDATE = "policy_update"
    TARIFF_READ = "tariff_read"
    TARIFF_UPDATE = "tariff_update"
    TARIFF_PREVIEW = "tariff_preview"
    REVENUE_READ = "revenue_read"
    CATALOGUE_UPDATE = "catalogue_update"
    CLAUSE_UPDATE = "clause_update"
    PERSON_READ = "person_read"
    PERSON_INVITE = "person_invite"
    PERSON_UPDATE = "person_update"
    ACCESS_REQUEST_READ = "access_request_read"
    ACCESS_REQUEST_APPROVE = "access_request_approve"
    ACCESS_REQUEST_REJECT = "access_request_reject"
    ORGANISATION_KEYS_READ = "organisation_keys_read"
    ORGANISATION_KEYS_MANAGE = "organisation_keys_manage"


@dataclass(frozen=True)
class ActionRule:
    """The gate of one action: its own audience, or the one of the action it is allowed as.

    `allowed_as` shares a rule without copying it: reading the conventions is allowed to
    whom `convention_update` allows, and follows it if that rule ever changes.
    """

    name: Action
    audience: Audience | None  # None: see `allowed_as`
    label_fr: str
    public: bool = False  # also open to grand_public (no account)
    allowed_as: Action | None = None

    def __post_init__(self) -> None:
        if (self.audience is None) == (self.allowed_as is None):
            raise ValueError(f"{self.name}: an audience or an action to be allowed as, not both")
        if self.allowed_as is not None and self.public:
            raise ValueError(f"{self.name}: a delegated action is as public as its model")


def _like(name: Action, label_fr: str, allowed_as: Action) -> ActionRule:
    """An action allowed to whom `allowed_as` is (reading what that action writes, say)."""
    return ActionRule(name, None, label_fr, allowed_as=allowed_as)


def _actions(*rules: ActionRule) -> Mapping[str, ActionRule]:
    """Index the rules by name; each delegates to a rule of its own, never to a delegate."""
    found: dict[str, ActionRule] = {Action(r.name): r for r in rules}
    for rule in rules:
        model = found.get(rule.allowed_as) if rule.allowed_as else rule
        if model is None or model.audience is None:
            raise ValueError(f"{rule.name}: allowed as {rule.allowed_as}, not a rule of its own")
    if set(found) != set(Action):
        raise ValueError(f"actions without a rule: {sorted(set(Action) - set(found))}")
    return found


A = Action
ACTIONS: Mapping[str, ActionRule] = _actions(
    ActionRule(A.SOCLE_READ, Audience.REQUESTERS, "lire le socle commun", public=True),
    ActionRule(A.SOCLE_PUBLISH, Audience.NATIONAL, "publier le socle commun d'un millésime"),
    ActionRule(A.STORE_PUBLISH, Audience.NATIONAL, "publier une version de l'entrepôt de cellules"),
    ActionRule(A.EXTRACT_CREATE, Audience.REQUESTERS, "demander un extrait", public=True),
    ActionRule(A.EXTRACT_READ, Audience.REQUESTERS, "suivre ou télécharger ses extraits"),
    # Reads what asking would give (cells, decision, price): allowed to whom asking is.
    _like(A.EXTRACT_PREVIEW_READ, "prévisualiser une demande d'extrait", A.EXTRACT_CREATE),
    _like(A.IMAJE_READ, "consulter un écran IMAJE", A.EXTRACT_CREATE),
    ActionRule(A.QUOTE_CREATE, Audience.REQUESTERS, "demander un devis"),
    _like(A.QUOTE_READ, "consulter ses devis", A.QUOTE_CREATE),
    ActionRule(A.QUOTE_ACCEPT, Audience.REQUESTERS, "accepter un devis"),
    _like(A.INVOICE_READ, "consulter ses factures", A.QUOTE_ACCEPT),
    ActionRule(A.ZONE_CREATE, Audience.REQUESTERS, "créer une zone personnalisée"),
    # A standing request: delivered later without its requester, so never to the public.
    ActionRule(A.SUBSCRIPTION_CREATE, Audience.REQUESTERS, "s'abonner à une livraison récurrente"),
    _like(A.SUBSCRIPTION_READ, "consulter ses abonnements", A.SUBSCRIPTION_CREATE),
    _like(A.SUBSCRIPTION_PAUSE, "mettre en pause un abonnement", A.SUBSCRIPTION_CREATE),
    _like(A.SUBSCRIPTION_RESUME, "reprendre un abonnement", A.SUBSCRIPTION_CREATE),
    _like(A.SUBSCRIPTION_END, "terminer un abonnement", A.SUBSCRIPTION_CREATE),
    ActionRule(A.ZONE_READ, Audience.REQUESTERS, "consulter ses zones personnalisées"),
    ActionRule(A.ME_READ, Audience.REQUESTERS, "consulter son propre compte"),
    ActionRule(A.CONVENTION_CREATE, Audience.ADMINS, "créer une convention"),
    _like(A.CONVENTION_READ, "consulter les conventions", A.CONVENTION_UPDATE),
    ActionRule(A.CONVENTION_UPDATE, Audience.ADMINS, "modifier une convention"),
    _like(A.CONVENTION_DOCUMENT, "déposer le document signé d'une convention", A.CONVENTION_UPDATE),
    ActionRule(A.CONVENTION_ACTIVATE, Audience.ADMINS, "activer une convention"),
    _like(A.CONVENTION_RESUME, "reprendre une convention suspendue", A.CONVENTION_ACTIVATE),
    _like(A.CONVENTION_SUSPEND, "suspendre une convention", A.CONVENTION_UPDATE),
    _like(A.CONVENTION_TERMINATE, "résilier une convention", A.CONVENTION_UPDATE),
    _like(A.CONVENTION_RENEW, "renouveler une convention", A.CONVENTION_CREATE),
    ActionRule(A.CONVENTION_EXPIRE, Audience.NATIONAL, "constater l'expiration des conventions"),
    ActionRule(A.REQUESTER_CREATE, Audience.ADMINS, "créer un demandeur"),
    _like(A.REQUESTER_READ, "consulter les demandeurs", A.REQUESTER_UPDATE),
    ActionRule(A.REQUESTER_UPDATE, Audience.ADMINS, "modifier un demandeur"),
    ActionRule(
        A.REQUESTER_RECORDS_READ,
        Audience.ADMINS,
        "consulter les extraits, devis et factures d'un demandeur",
    ),
    ActionRule(A.API_KEY_CREATE, Audience.ADMINS, "créer une clé d'API"),
    _like(A.API_KEY_READ, "consulter les clés d'API d'un demandeur", A.API_KEY_CREATE),
    ActionRule(A.API_KEY_REVOKE, Audience.ADMINS, "révoquer une clé d'API"),
    ActionRule(A.AUDIT_READ, Audience.ADMINS, "consulter le journal d'audit"),
    ActionRule(A.AUDIT_SEAL, Audience.NATIONAL, "sceller le journal d'audit avec sa clé"),
    _like(A.ADMIN_CHANGE_READ, "consulter les modifications des administrateurs", A.AUDIT_READ),
    _like(A.WORKLIST_READ, "consulter ce qui attend la Caf", A.AUDIT_READ),
    # Every administrator reviewing decisions needs the rules they applied.
    _like(A.POLICY_READ, "consulter la matrice d'accès", A.AUDIT_READ),
    ActionRule(A.POLICY_UPDATE, Audience.NATIONAL, "modifier la matrice d'accès"),
    _like(A.TARIFF_READ, "consulter les versions du tarif", A.TARIFF_UPDATE),
    ActionRule(A.TARIFF_UPDATE, Audience.ADMINS, "modifier le tarif"),
    _like(A.TARIFF_PREVIEW, "essayer un tarif sur les derniers devis", A.TARIFF_UPDATE),
    _like(A.REVENUE_READ, "consulter les recettes", A.AUDIT_READ),
    ActionRule(A.CATALOGUE_UPDATE, Audience.NATIONAL, "modifier le catalogue"),
    ActionRule(A.CLAUSE_UPDATE, Audience.NATIONAL, "modifier les clauses obligatoires"),
    _like(A.PERSON_READ, "consulter les personnes d'un demandeur", A.PERSON_UPDATE),
    ActionRule(A.PERSON_INVITE, Audience.ADMINS, "inviter une personne d'un demandeur"),
    ActionRule(A.PERSON_UPDATE, Audience.ADMINS, "modifier une personne d'un demandeur"),
    _like(A.ACCESS_REQUEST_READ, "consulter les demandes d'accès", A.ACCESS_REQUEST_APPROVE),
    ActionRule(A.ACCESS_REQUEST_APPROVE, Audience.ADMINS, "accepter une demande d'accès"),
    _like(A.ACCESS_REQUEST_REJECT, "refuser une demande d'accès", A.ACCESS_REQUEST_APPROVE),
    # A person of the organisation, with the role `policies.access.people` requires.
    _like(
        A.ORGANISATION_KEYS_READ,
        "consulter les clés d'API de son organisation",
        A.ORGANISATION_KEYS_MANAGE,
    ),
    ActionRule(
        A.ORGANISATION_KEYS_MANAGE, Audience.REQUESTERS, "gérer les clés d'API de son organisation"
    ),
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
    audience, public = governing(spec)
    if not _role_allows(audience, public, actor.type):
        return _refusal(
            Rule.AUTORISATION_ROLE,
            f"action « {spec.label_fr} » non permise au type « {type_label(actor.type)} »",
            _role_remedy(audience),
        )
    if target_caf is not None and target_caf == actor.caf_code:
        return _allow(Rule.AUTORISATION_CAF)
    if target_caf is None and audience is Audience.REQUESTERS:
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


def governing(spec: ActionRule) -> tuple[Audience, bool]:
    """Return who may perform this action, and whether the public may: its rule or its model's."""
    model = ACTIONS[spec.allowed_as] if spec.allowed_as else spec
    if model.audience is None:  # refused when ACTIONS is built
        raise ValueError(f"{spec.name}: allowed as {spec.allowed_as}, a delegate itself")
    return model.audience, model.public


def _role_allows(audience: Audience, public: bool, rtype: RequesterType) -> bool:
    if audience is Audience.NATIONAL:
        return False  # national admins are handled before
    if rtype is RequesterType.ADMIN_CAF:
        return True
    if rtype is RequesterType.GRAND_PUBLIC:
        return public
    return audience is Audience.REQUESTERS


def _role_remedy(audience: Audience) -> str:
    return {
        Audience.NATIONAL: "réservé aux administrateurs nationaux (Cnaf)",
        Audience.ADMINS: "réservé aux administrateurs de la Caf concernée",
        Audience.REQUESTERS: "réservé aux demandeurs disposant d'un compte",
    }[audience]


def may_see(viewer: RequesterProfile, owner_id: int | str, owner_caf: str | None) -> bool:
    """Tell whether `viewer` may read a record (extract, quote, invoice) of a requester.

    Its owner may, and the administrators of the owner's Caf, and national administrators.
    """
    if viewer.type is RequesterType.ADMIN_NATIONAL:
        return True
    if viewer.type is RequesterType.ADMIN_CAF:
        return owner_caf is not None and viewer.caf_code == owner_caf
    return viewer.id == str(owner_id)
