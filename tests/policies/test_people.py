"""The role's gate within an organisation: default deny, every refusal naming its rule."""

from __future__ import annotations

import pytest

from policies.access import Action
from policies.access.people import PersonRole, authorize_person, reserved
from policies.errors import AccessDenied
from policies.refusals import Rule


@pytest.mark.parametrize(
    ("role", "allowed"), [(PersonRole.GESTIONNAIRE, True), (PersonRole.LECTEUR, False)]
)
def test_only_gestionnaires_manage_the_organisation_keys(role: PersonRole, allowed: bool) -> None:
    decision = authorize_person(Action.ORGANISATION_KEYS_MANAGE, role)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.refusal_rules == (Rule.AUTORISATION_ROLE,)
        with pytest.raises(AccessDenied, match="non permise au rôle « lecteur »"):
            decision.raise_if_refused()


def test_an_action_without_a_role_rule_is_refused() -> None:
    decision = authorize_person(Action.EXTRACT_CREATE, PersonRole.GESTIONNAIRE)
    assert not decision.allowed
    assert decision.refusal_rules == (Rule.AUTORISATION_ACTION_INCONNUE,)


@pytest.mark.parametrize("role", list(PersonRole))
def test_reading_the_organisation_keys_is_reserved_as_managing_them(role: PersonRole) -> None:
    """A delegated action follows its model's roles: a lecteur does not see the keys either."""
    read = authorize_person(Action.ORGANISATION_KEYS_READ, role)
    manage = authorize_person(Action.ORGANISATION_KEYS_MANAGE, role)
    assert read.allowed is manage.allowed is (role is PersonRole.GESTIONNAIRE)
    assert reserved(Action.ORGANISATION_KEYS_READ) and not reserved(Action.EXTRACT_CREATE)
