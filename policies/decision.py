"""The one entry point of access control: `decide` a request, default deny."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from policies.access.matrix import Access, PolicyMatrix
from policies.access.rules import RULES, Context, Item, Verdict, indicator_gate
from policies.access.scope import Coverage, Needs, assess, outside_caf
from policies.access.values import (
    AccessRequest,
    Decision,
    IndicatorLike,
    RequesterProfile,
    TerritoryResolver,
    deny,
)
from policies.conventions import Convention
from policies.refusals import Rule


def decide(
    request: AccessRequest,
    requester: RequesterProfile,
    *,
    conventions: Sequence[Convention],
    catalogue: Mapping[str, IndicatorLike],
    matrix: PolicyMatrix,
    territories: TerritoryResolver,
    today: date,
) -> Decision:
    """Decide a request: any refusal refuses, one allowing rule is needed, else default deny."""
    known = tuple(catalogue[c] for c in dict.fromkeys(request.indicators) if c in catalogue)
    cleared = tuple(i for i in known if not indicator_gate(i, requester, matrix))
    free, needing = _split(request, requester, matrix, cleared)
    coverage = Coverage(None, None, ())
    if needing:
        needs = _needs(request, requester, matrix, needing)
        coverage = assess(conventions, requester, needs, territories, today)
    outside = outside_caf(requester, request.territories, request.zone_communes, territories)
    return _judge(
        Context(
            request, requester, matrix, catalogue, known, cleared, free, needing, coverage, outside
        )
    )


def _judge(ctx: Context) -> Decision:
    """Run every rule on the prepared context and turn their verdicts into the decision."""
    verdicts: list[tuple[Rule, Verdict]] = [(code, rule(ctx)) for code, rule in RULES]
    applied = tuple(code for code, _ in verdicts)
    refusals = tuple(r for _, v in verdicts for r in v.refusals)
    if refusals:
        closest = ctx.coverage.closest.label if ctx.coverage.closest else None
        return Decision(
            allowed=False,
            refusals=refusals,
            rules_applied=applied,
            closest_convention_reference=closest,
        )
    allowing = [code for code, v in verdicts if v.allows]
    if not allowing:
        return deny(applied=applied)
    by = allowing[0]
    conv = ctx.coverage.covering if by is Rule.CONVENTION_COUVERTURE else None
    return Decision(
        allowed=True,
        rules_applied=applied,
        allowed_by=by,
        convention_id=conv.id if conv else None,
        convention_reference=conv.label if conv else None,
        free_access=by is Rule.ACCES_LIBRE,
    )


def _needs(
    request: AccessRequest,
    requester: RequesterProfile,
    matrix: PolicyMatrix,
    needing: tuple[Item, ...],
) -> Needs:
    """Gather what the cells that need a convention ask of one."""
    return Needs(
        indicators=tuple(dict.fromkeys(i for i, _ in needing)),
        territories=tuple(dict.fromkeys(t for _, t in needing)),
        levels=frozenset(request.cell_level(t) for _, t in needing),
        periods=frozenset(request.periods),
        breakdowns=frozenset(request.breakdowns),
        use=request.use,
        matrix_level=matrix.finest_level(requester.type),
        zone_communes=request.zone_communes,
    )


def _split(
    request: AccessRequest,
    requester: RequesterProfile,
    matrix: PolicyMatrix,
    cleared: tuple[IndicatorLike, ...],
) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """Split the cleared cells into free ones and those that need a convention."""
    free_level = matrix.free_finest_level(requester.type)
    conventionable = matrix.accepts_conventions(requester.type)
    free: list[Item] = []
    needing: list[Item] = []
    for ind in cleared:
        access = matrix.access(requester.type, ind.tier)
        for territory in dict.fromkeys(request.territories):
            level = request.cell_level(territory)
            if access is Access.LIBRE and level.fineness >= free_level.fineness:
                free.append((ind, territory))
            elif conventionable and access is not Access.INTERDIT:
                needing.append((ind, territory))
    return tuple(free), tuple(needing)
