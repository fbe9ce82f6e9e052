"""What a person may do within their organisation: the role's gate (default deny).

A signed-in person acts as their requester for everything the requester may do (the
actions' gates decide that); some actions on the organisation itself are reserved, within
the organisation, to its managers ("gestionnaires").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from policies.access.actions import ACTIONS, Action
from policies.access.values import Decision, deny
from policies.refusals import Refusal, Rule


class PersonRole(StrEnum):
    """A person's role in their organisation."""

    LECTEUR = "lecteur"  # requests and downloads extracts
    GESTIONNAIRE = "gestionnaire"  # also manages the organisation's API keys and people

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: Mapping[PersonRole, str] = {
    PersonRole.LECTEUR: "lecteur (demandes et téléchargements)",
    PersonRole.GESTIONNAIRE: "gestionnaire (demandes, clés d'API et personnes de l'organisation)",
}

#: Organisation actions reserved to some roles, with the French label refusals use.
ORGANISATION_ACTIONS: Mapping[Action, tuple[frozenset[PersonRole], str]] = {
    Action.ORGANISATION_KEYS_MANAGE: (
        frozenset({PersonRole.GESTIONNAIRE}),
        "gérer les clés d'API de l'organisation",
    ),
}


def reserved(action: Action) -> bool:
    """Tell whether an action is reserved to some roles within the organisation."""
    return _governing(action) in ORGANISATION_ACTIONS


def _governing(action: Action) -> Action:
    """An action allowed as another (reading the keys, say) is reserved as that one is."""
    rule = ACTIONS.get(action)
    return rule.allowed_as if rule is not None and rule.allowed_as is not None else action


def authorize_person(action: Action, role: PersonRole) -> Decision:
    """Decide whether a person of this role may perform an organisation action."""
    spec = ORGANISATION_ACTIONS.get(_governing(action))
    if spec is None:
        refusal = Refusal(
            Rule.AUTORISATION_ACTION_INCONNUE, f"action « {action} » inconnue", "aucune"
        )
        return deny(refusal, applied=(Rule.AUTORISATION_ACTION_INCONNUE,))
    roles, label = spec
    if role in roles:
        return Decision(
            allowed=True, rules_applied=(Rule.AUTORISATION_ROLE,), allowed_by=Rule.AUTORISATION_ROLE
        )
    refusal = Refusal(
        Rule.AUTORISATION_ROLE,
        f"action « {label} » non permise au rôle « {role.value} »",
        "demandez-la à un gestionnaire de votre organisation, ou à votre Caf",
    )
    return deny(refusal, applied=(Rule.AUTORISATION_ROLE,))
