"""Who may ask for what: the policy matrix, the access values and one gate per action."""

from policies.access.actions import (
    ACTIONS,
    Action,
    ActionRule,
    Audience,
    authorize,
    governing,
    may_see,
)
from policies.access.matrix import (
    Access,
    PolicyMatrix,
    TypePolicy,
    policy_matrix_from_mapping,
)
from policies.access.values import (
    PUBLIC,
    AccessRequest,
    Caller,
    Decision,
    IndicatorLike,
    RequesterProfile,
    Territory,
    TerritoryResolver,
)
from policies.refusals import Refusal, Rule

__all__ = [
    "ACTIONS",
    "PUBLIC",
    "Access",
    "AccessRequest",
    "Action",
    "ActionRule",
    "Audience",
    "Caller",
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
    "governing",
    "may_see",
    "policy_matrix_from_mapping",
]
