"""Secondary suppression over all relations at once, checked and repaired by the interval audit.

Two steps: grow a pattern (close lone relations, repair what the audit finds), then prune
it (publish back the cells no primary cell needs any more). The result is audited anew.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from policies.secrecy.audit import AuditReport
from policies.secrecy.lp import ModelCache
from policies.secrecy.progress import Stage, advance
from policies.secrecy.prune import prune
from policies.secrecy.repair import Problem, close_relations, grow
from policies.secrecy.rules import BoolArray, FloatArray, Percent
from policies.secrecy.singletons import Singletons

__all__ = ["Pattern", "close_relations", "suppress"]

# Programs the pruning pass may solve per component: trials stop there.
PRUNE_PROGRAMS = 2000
# Keep big components' models across repair rounds (ModelCache(warm=True)): same programs from
# other bases, hence other optimal duals and repairs. On the four France tables of
# bench.secrecy_france (issue 16, now audited two components at a time as the cold models
# are): 31 % less secondary value in all (France -34 %, seed2020 -41 %, small -34 %, dense
# +3 %) for 1.5 to 6.5 % more cells; value is the default cost, the one the engine minimises.
WARM_MODELS = True


@dataclass(frozen=True)
class Pattern:
    """A suppression pattern: suppressed cells, those added by audit repairs, and its audit."""

    suppressed: BoolArray
    repaired: BoolArray
    report: AuditReport


def suppress(
    relations: sparse.csr_array,
    values: FloatArray,
    primary: BoolArray,
    candidate: BoolArray,
    rank: FloatArray,
    interval_percent: Percent,
    singletons: Singletons | None = None,
    forced: BoolArray | None = None,
    exact_limit: int = 400,
) -> Pattern:
    """Add secondary suppressions until the audit protects every primary cell it can.

    `forced` cells are withheld from the start without needing protection (hidden cells).
    """
    exempt = np.zeros_like(primary) if forced is None else forced & ~primary
    problem = Problem(
        relations, values, primary, candidate, rank, interval_percent, singletons, exempt
    )
    pattern = problem.close(primary | exempt)
    repaired = np.zeros_like(pattern)
    report, _ = grow(problem, pattern, repaired, warm=WARM_MODELS)
    return _pruned(problem, Pattern(pattern, repaired, report), exact_limit)


def _pruned(problem: Problem, found: Pattern, exact_limit: int) -> Pattern:
    """Publish back the secondary cells protection does not need, then audit the result.

    Components where a cell was published are audited from scratch (bounds of the bigger
    pattern no longer hold there); the others are unchanged, so their certified bounds stand.
    Should the audit find a primary cell unprotected that the unpruned pattern protected,
    the unpruned pattern is returned: pruning never trades protection for fewer cells.
    """
    p = problem
    pattern, changed = prune(
        p.relations,
        p.values,
        found.suppressed,
        p.primary,
        found.suppressed & p.candidate,
        p.rank,
        p.interval_percent,
        p.singletons,
        PRUNE_PROGRAMS,
    )
    advance(Stage.AUDIT, 0.0)
    if not changed.any():
        exact = found.suppressed.sum() <= exact_limit
        report = found.report
        if exact:
            report = p.audit(found.suppressed, True, None, ModelCache())
        return Pattern(found.suppressed, found.repaired, report)
    known = (
        np.where(changed, np.nan, found.report.lower),
        np.where(changed, np.nan, found.report.upper),
    )
    report = p.audit(pattern, pattern.sum() <= exact_limit, known, ModelCache())
    if not set(report.unprotected.tolist()) <= set(found.report.unprotected.tolist()):
        pattern = found.suppressed
        report = p.audit(pattern, pattern.sum() <= exact_limit, None, ModelCache())
    return Pattern(pattern, found.repaired & pattern, report)
