"""One gate per action: role x action x target Caf, cross-Caf isolation, default deny."""

from __future__ import annotations

import pytest

from policies.access import (
    ACTIONS,
    Action,
    ActionRule,
    Audience,
    RequesterProfile,
    Rule,
    authorize,
    may_see,
)
from policies.domain import RequesterType

T = RequesterType
REQUESTER_ACTIONS = {
    "extract_create",
    "extract_read",
    "extract_preview_read",
    "zone_read",
    "socle_read",
    "quote_create",
    "quote_accept",
    "zone_create",
    "me_read",
    "imaje_read",
    "quote_read",
    "invoice_read",
    "organisation_keys_read",
    "organisation_keys_manage",
    "subscription_create",
    "subscription_read",
    "subscription_pause",
    "subscription_resume",
    "subscription_end",
}
PUBLIC_ACTIONS = {"extract_create", "extract_preview_read", "socle_read", "imaje_read"}
NATIONAL_ACTIONS = {
    "policy_update",
    "catalogue_update",
    "clause_update",
    "convention_expire",
    "socle_publish",
    "store_publish",
    "audit_seal",
}
ADMIN_ACTIONS = {
    "convention_create",
    "convention_read",
    "convention_update",
    "convention_document",
    "convention_activate",
    "convention_resume",
    "convention_suspend",
    "convention_terminate",
    "convention_renew",
    "requester_create",
    "requester_read",
    "requester_update",
    "api_key_create",
    "api_key_read",
    "api_key_revoke",
    "audit_read",
    "admin_change_read",
    "worklist_read",
    "policy_read",
    "requester_records_read",
    "tariff_read",
    "tariff_update",
    "tariff_preview",
    "revenue_read",
    "person_read",
    "person_invite",
    "person_update",
    "access_request_read",
    "access_request_approve",
    "access_request_reject",
}
REQUESTER_TYPES = [t for t in T if not t.is_admin and t is not T.GRAND_PUBLIC]


def actor(rtype: RequesterType, caf: str | None = "13") -> RequesterProfile:
    return RequesterProfile(id="a-1", type=rtype, caf_code=caf)


def test_registry_lists_every_action_once() -> None:
    assert set(ACTIONS) == REQUESTER_ACTIONS | NATIONAL_ACTIONS | ADMIN_ACTIONS
    assert all(name == rule.name for name, rule in ACTIONS.items())


def _expected(rtype: RequesterType, action: str, target: str | None) -> Rule | None:
    """The table the gate must follow, written independently: None when allowed."""
    if rtype is T.ADMIN_NATIONAL:
        return None
    if action in NATIONAL_ACTIONS:
        return Rule.AUTORISATION_ROLE
    if rtype is T.GRAND_PUBLIC and action not in PUBLIC_ACTIONS:
        return Rule.AUTORISATION_ROLE
    if rtype is not T.ADMIN_CAF and action in ADMIN_ACTIONS:
        return Rule.AUTORISATION_ROLE
    if target == "13" or (target is None and action in REQUESTER_ACTIONS):
        return None
    return Rule.AUTORISATION_CAF


@pytest.mark.parametrize("target", ["13", "75", None])
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("rtype", list(T))
def test_authorize_matrix(rtype: RequesterType, action: str, target: str | None) -> None:
    decision = authorize(action, actor(rtype), target)
    expected = _expected(rtype, action, target)
    assert decision.allowed is (expected is None), decision.reasons_fr
    if expected is not None:
        assert decision.refusal_rules == (expected,)
        assert decision.refusals[0].message_fr and decision.refusals[0].remedy_fr


DELEGATED = sorted(name for name, rule in ACTIONS.items() if rule.allowed_as is not None)


@pytest.mark.parametrize("target", ["13", "75", None])
@pytest.mark.parametrize("action", DELEGATED)
@pytest.mark.parametrize("rtype", list(T))
def test_a_delegated_action_is_allowed_to_whom_its_model_is(
    rtype: RequesterType, action: str, target: str | None
) -> None:
    model = ACTIONS[action].allowed_as
    assert model is not None and ACTIONS[model].allowed_as is None  # one step, no chains
    decision, modelled = (
        authorize(action, actor(rtype), target),
        authorize(model, actor(rtype), target),
    )
    assert (decision.allowed, decision.refusal_rules) == (modelled.allowed, modelled.refusal_rules)
    if not decision.allowed:  # said with its own name
        assert ACTIONS[action].label_fr in decision.refusals[0].message_fr


def test_a_rule_has_an_audience_or_a_model_never_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        ActionRule(Action.CONVENTION_READ, Audience.ADMINS, "x", allowed_as=Action.AUDIT_READ)
    with pytest.raises(ValueError, match="as public as its model"):
        ActionRule(Action.IMAJE_READ, None, "x", public=True, allowed_as=Action.EXTRACT_CREATE)


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
def test_caf_admins_stay_in_their_own_caf(action: str) -> None:
    admin_13 = actor(T.ADMIN_CAF, "13")
    assert authorize(action, admin_13, "13").allowed
    assert authorize(action, admin_13, "75").refusal_rules == (Rule.AUTORISATION_CAF,)
    assert not authorize(action, admin_13, None).allowed  # "all Cafs" is national only
    assert authorize(action, actor(T.ADMIN_NATIONAL, None), "75").allowed


@pytest.mark.parametrize("rtype", REQUESTER_TYPES)
def test_requesters_only_act_on_their_own_caf(rtype: RequesterType) -> None:
    assert authorize("quote_accept", actor(rtype, "13"), "13").allowed
    assert not authorize("quote_accept", actor(rtype, "13"), "2A").allowed
    assert not authorize("convention_update", actor(rtype, "13"), "13").allowed


@pytest.mark.parametrize("action", ["", "extract_delete", "EXTRACT_CREATE", "admin"])
def test_unknown_action_is_denied_even_to_national_admins(action: str) -> None:
    decision = authorize(action, actor(T.ADMIN_NATIONAL, None), None)
    assert decision.refusal_rules == (Rule.AUTORISATION_ACTION_INCONNUE,)


@pytest.mark.parametrize(
    ("viewer", "owner", "owner_caf", "expected"),
    [
        (RequesterProfile("7", RequesterType.COMMUNE, "13"), 7, "13", True),  # its owner
        (RequesterProfile("8", RequesterType.COMMUNE, "13"), 7, "13", False),  # another requester
        (RequesterProfile("1", RequesterType.ADMIN_CAF, "13"), 7, "13", True),  # the owner's Caf
        (RequesterProfile("1", RequesterType.ADMIN_CAF, "33"), 7, "13", False),  # another Caf
        (RequesterProfile("1", RequesterType.ADMIN_CAF, "13"), 7, None, False),  # no Caf
        (RequesterProfile("2", RequesterType.ADMIN_NATIONAL, None), 7, "13", True),
    ],
)
def test_may_see(
    viewer: RequesterProfile, owner: int, owner_caf: str | None, expected: bool
) -> None:
    assert may_see(viewer, owner, owner_caf) is expected
