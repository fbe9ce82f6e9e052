"""Turn a refused policy decision into the domain error the HTTP layer maps, reasons structured."""

from __future__ import annotations

from policies.access import Decision
from policies.errors import AccessDenied, ConventionRequired


def enforce(decision: Decision) -> None:
    """Raise when refused; each reason carries its rule, its message and what would allow it."""
    if decision.allowed:
        return
    reasons = [
        {"regle": str(r.rule), "message": r.message_fr, "solution": r.remedy_fr}
        for r in decision.refusals
    ]
    summary = " ; ".join(r.message_fr for r in decision.refusals)
    if all(str(r.rule).startswith("convention.") for r in decision.refusals):
        raise ConventionRequired(f"Convention requise : {summary}", reasons)
    raise AccessDenied(f"Demande refusée : {summary}", reasons)
