"""Secret statistique engine: primary rules, secondary suppression and interval audit.

A library in its own right (numpy, scipy, HiGHS; no Flask, no database), also run from the
command line: ``python -m policies.secrecy protect|audit ...`` (see ``cli.py``).

Public API
----------
``Dimension(name, leaves, hierarchies=(), groups={})``
    A dimension: its leaf codes, non-nested ``Hierarchy`` trees over the same leaves
    (``Hierarchy.from_hrc(text)`` for tau-Argus .hrc text, ``Hierarchy.from_parents({code:
    parent})`` with top codes mapped to ``"Total"``), and extra groups ``{code: [leaves]}``
    (custom zones). The grand total is the implicit code ``Total``.

``protect(dimensions, cells=None, *, microdata=None, holding=None, rules=(), options=None,
apriori=None, mode="auto", time_limit=20.0) -> ProtectResult``
    ``cells``: one row per leaf cell, one str column per dimension, ``value``, ``freq`` and
    ``top1``, ``top2``... (largest single-unit contributions, as many as the rules read). Or
    ``microdata``: one row per contribution with ``value`` and a ``holding`` column naming the
    unit; contributions of one holding, on one leaf or several, are summed in every cell before
    counting units and taking the largest ones.
    ``rules``: ``"FREQ(5,10)"``, ``"NK(3,90)"``, ``"P(10,2)"`` or the rule dataclasses
    (``parse_rule(text)`` reads one; ``str(rule)`` writes it back; ``rule.explain_fr()``); a
    cell primary by ``FREQ(n,r)`` needs an r% interval, others ``interval_percent``.
    ``options``: ``Options(zero_unsafe=, singleton=, single_single=, single_multiple=,
    min_frequency=, pair=, rule_intervals=, interval_percent=, cost=)`` (by name).
    ``apriori``: ``{(code, ...): Apriori.PUBLISHED | Apriori.SUPPRESSED}`` for any cell,
    margins and groups included (cells released, or withheld, earlier).
    ``mode``: ``Mode.EXACT`` (a minimum-cost pattern, MILP), ``Mode.HEURISTIC``, or
    ``Mode.AUTO`` (exact on components small enough, heuristic elsewhere); see ``exact.py``.

``ProtectResult``
    ``.cells``: every cell of the full table (leaves, margins of every hierarchy, groups,
    cross-classified): dimension columns, ``value``, ``freq``, ``status`` (``Status`` value:
    S, U, M, Z, A), ``reason`` (``Reason`` value), ``lower``/``upper`` (audit interval of
    suppressed cells, NaN elsewhere). ``.published()``: the same with suppressed values and
    counts blanked. ``.report``: the ``AuditReport``. ``.ok``: False when some primary cell
    could not be protected (for instance disclosed by a-priori published cells): refuse then.

``audit(dimensions, cells, *, interval_percent, singleton=True) -> AuditReport``
    Audit any pattern given as every cell of the table (codes, ``value``, ``status``,
    optional ``freq``); ``interval_percent``: one number, or one per row of ``cells``.
    ``audit_pattern(relations, values, suppressed, primary, interval_percent, owner=None)``
    audits any linear system (e.g. combined deliveries); ``interval_percent`` one number or
    one per cell.
    ``AuditReport.lower/upper`` are indexed by cell id (``cell_ids(dimensions, cells)``).

The result is deterministic: the same input always gives the same mask.
"""

from policies.secrecy.audit import AuditReport, audit_pattern
from policies.secrecy.dimensions import TOTAL, Dimension, Hierarchy
from policies.secrecy.engine import ProtectResult, audit, cell_ids, protect
from policies.secrecy.exact import Mode
from policies.secrecy.rules import (
    RULE_KINDS,
    CostMode,
    DominanceRule,
    FreqRule,
    MalformedRule,
    Options,
    PPercentRule,
    Rule,
    RuleError,
    UnsupportedRule,
    parse_rule,
)
from policies.secrecy.status import Apriori, Reason, Status
from policies.secrecy.table import Table, build_from_microdata, build_table

__all__ = [
    "RULE_KINDS",
    "TOTAL",
    "Apriori",
    "AuditReport",
    "CostMode",
    "Dimension",
    "DominanceRule",
    "FreqRule",
    "Hierarchy",
    "MalformedRule",
    "Mode",
    "Options",
    "PPercentRule",
    "ProtectResult",
    "Reason",
    "Rule",
    "RuleError",
    "Status",
    "Table",
    "UnsupportedRule",
    "audit",
    "audit_pattern",
    "build_from_microdata",
    "build_table",
    "cell_ids",
    "parse_rule",
    "protect",
]
