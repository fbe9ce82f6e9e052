"""Who may ask for what: the policy matrix, the access values and one gate per action."""

from policies.access.actions import ACTIONS, ActionRule, Audience, authorize, may_see
from policies.access.matrix import (
    SEED_PATH,
    Access,
    PolicyMatrix,
    TypePolicy,
    load_policy_matrix,
    policy_matrix_from_mapping,
)
from policies.access.values import (
    ANONYMOUS,
    AccessRequest,
    Decision,
    IndicatorLike,
    Refusal,
    RequesterProfile,
    Rule,
    Territory,
    TerritoryResolver,
)

__all__ = [
    "ACTIONS",
    "ANONYMOUS",
    "SEED_PATH",
    "Access",
    "AccessRequest",
    "ActionRule",
    "Audience",
    "Decision",
    "IndicatorLike",
    "PolicyMatrix",
    "Refusal",
    "RequesterProfile",
    "Rule",
    "Territory",
    "TerritoryResolver",
    "TypePolicy",
    "authorize",
    "load_policy_matrix",
    "may_see",
    "policy_matrix_from_mapping",
]
