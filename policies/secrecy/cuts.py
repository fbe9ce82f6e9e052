"""Protection constraints of the exact mode: capacity cuts from the attacker's LP duals.

The attacker of a pattern x moves every cell c by z_c, with the table's relations A z = 0,
z_c in [-L_c x_c, U_c x_c] (a suppressed cell may fall to 0, or anywhere when negative, and
rise without limit; a published cell does not move). Primary cell i is protected on one side
when min sign * z_i <= -q (q: the protection it needs there). For any multipliers lambda of
the relations, with d = sign * e_i - A^T lambda, weak duality gives

    min sign * z_i >= - sum_c (d_c^+ L_c + d_c^- U_c) x_c,

so every protected pattern satisfies  sum_c min(q, d_c^+ L_c + d_c^- U_c) x_c >= q  (a
coefficient may be capped at q since x is binary). With the optimal lambda of the attack on a
pattern that fails, the cut is violated by that pattern (strong duality): adding such cuts
until none is violated gives a pattern that is exactly protected (Fischetti and Salazar).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from policies.secrecy.audit import _short, components, push_short, required
from policies.secrecy.lp import ComponentLP
from policies.secrecy.rules import BoolArray, FloatArray, IntArray, Percent
from policies.secrecy.singletons import Singletons

# Dual coefficients below this are solver noise.
_NOISE = 1e-9


@dataclass(frozen=True)
class Cut:
    """sum(coefs * x[cells]) >= rhs over the cells of the table (any status)."""

    cells: IntArray
    coefs: FloatArray
    rhs: float


def needs(
    values: FloatArray, interval_percent: Percent
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the move each cell needs downwards, upwards, and either way (the audit's).

    With a zero interval the audit only asks that a (non-zero) cell is not a single value: a
    tiny move either way. Whenever x protects it, one side's cut holds, and both cuts have
    non-negative coefficients: their sum >= tiny is valid, and a pinned pattern violates it.
    """
    need_low, need_high = required(values, interval_percent)
    down = np.nan_to_num(values - need_low)
    up = np.nan_to_num(need_high - values)
    either = np.where((down <= 0) & (up <= 0), 1e-6 * np.maximum(1.0, np.abs(values)), 0.0)
    return down, up, either


def merged(first: Cut, second: Cut, need: float) -> Cut:
    """Return the sum of two cuts, over the union of their cells, with right-hand side need."""
    cells, at = np.unique(np.concatenate([first.cells, second.cells]), return_inverse=True)
    coefs = np.bincount(at, np.concatenate([first.coefs, second.coefs]), len(cells))
    return Cut(cells.astype(np.int64), np.minimum(coefs, need), need)


def capacity_cut(touched: IntArray, d: FloatArray, values: FloatArray, need: float) -> Cut | None:
    """Turn reduced costs d (over the touched cells) into the cut they prove, or None."""
    keep = np.abs(d) > _NOISE
    cells, d = touched[keep], d[keep]
    if not len(cells):
        return None
    # Downwards a cell may reach 0 (anywhere when negative); upwards it is unbounded.
    room_down = np.where(values[cells] >= 0, np.abs(values[cells]), np.inf)
    coefs = np.where(d > 0, np.minimum(d * room_down, need), need)
    return Cut(cells.astype(np.int64), coefs, float(need))


def relation_cuts(
    relations: sparse.csr_array, values: FloatArray, primary: BoolArray, interval_percent: Percent
) -> list[Cut]:
    """Return the cuts each single relation gives for each primary cell in it, both sides."""
    down, up, either = needs(values, interval_percent)
    by_cell = sparse.csc_array(relations)
    cuts = []
    for cell in np.flatnonzero(primary):
        for row in by_cell.indices[by_cell.indptr[cell] : by_cell.indptr[cell + 1]]:
            start, end = relations.indptr[row], relations.indptr[row + 1]
            members, coef = relations.indices[start:end].astype(np.int64), relations.data[start:end]
            own = coef[members == cell][0]
            sides = []
            for sign, need in ((1.0, down[cell]), (-1.0, up[cell])):
                # lambda = sign / own cancels the cell itself: d = -lambda * A_row elsewhere.
                d = np.where(members == cell, 0.0, -sign * coef / own)
                cut = capacity_cut(members, d, values, float(max(need, either[cell])))
                if cut is not None and need > 0:
                    cuts.append(cut)
                sides.append(cut)
            first, second = sides
            if either[cell] > 0 and first is not None and second is not None:
                cuts.append(merged(first, second, float(either[cell])))
    return cuts


def separate(
    relations: sparse.csr_array,
    values: FloatArray,
    pattern: BoolArray,
    primary: BoolArray,
    interval_percent: Percent,
    singletons: Singletons | None,
) -> list[Cut] | None:
    """Return a violated cut per unprotected primary side (empty: the pattern is safe).

    None when HiGHS cannot solve some attack (no cut can be trusted then).
    """
    down, up, either = needs(values, interval_percent)
    need_low, need_high = values - down, values + up
    cuts: list[Cut] = []
    for cells in components(relations, pattern):
        if not primary[cells].any():
            continue
        model = ComponentLP(relations, values, cells)
        for sign in (1.0, -1.0):
            found = _attacks(model, need_low[cells], need_high[cells], primary[cells], sign)
            if found is None:
                return None
            for column, d in found:
                need = down if sign > 0 else up
                cut = capacity_cut(model.touched, d, values, float(need[cells[column]]))
                if cut is None:
                    return None
                cuts.append(cut)
        for at in np.flatnonzero(primary[cells] & (either[cells] > 0)):
            pinned = _pinned(model, int(at), values, float(either[cells[at]]))
            if pinned is not None:
                cuts.append(pinned)
    if singletons is not None:
        cuts += singleton_cuts(relations, pattern, primary, singletons)
    return cuts


def singleton_cuts(
    relations: sparse.csr_array, pattern: BoolArray, primary: BoolArray, singletons: Singletons
) -> list[Cut]:
    """Return a cut per relation the singleton options find disclosing (singletons.py).

    A relation holding exactly the singleton a and the primary b (another unit) withheld:
    whenever both are withheld a third cell of it must be, sum(others) >= x_a + x_b - 1.
    A relation whose withheld cells are primary cells of too few units in all: one of its
    other cells must be withheld, sum(others) >= 1 (primary cells are always withheld).
    """
    rows, targets = singletons.exposed_rows(relations, pattern, primary)
    cuts = []
    for row in singletons.crowded_rows(relations, pattern, primary).tolist():
        members = relations.indices[relations.indptr[row] : relations.indptr[row + 1]]
        others = members[~primary[members]].astype(np.int64)
        cuts.append(Cut(others, np.ones(others.size), 1.0))
    for row, b in sorted(set(zip(rows.tolist(), targets.tolist(), strict=True))):
        members = relations.indices[relations.indptr[row] : relations.indptr[row + 1]]
        a = members[pattern[members] & (members != b)][0]
        coefs = np.where(np.isin(members, [a, b]), -1.0, 1.0)
        cuts.append(Cut(members.astype(np.int64), coefs, -1.0))
    return cuts


def _pinned(model: ComponentLP, column: int, values: FloatArray, need: float) -> Cut | None:
    """Return the merged cut of a cell the attack pins to one value (None: not pinned)."""
    sides = []
    for sign in (1.0, -1.0):
        bound = model.extreme(column, sign)
        if not np.isfinite(bound) or model.last_dual is None:
            return None
        objective = np.where(model.touched == model.cells[column], sign, 0.0)
        sides.append((bound, objective - model.block_t @ model.last_dual))
    (low, d_low), (high, d_high) = sides
    if high - low > 1e-7 * max(1.0, abs(float(model.values[column]))):
        return None
    first = capacity_cut(model.touched, d_low, values, need)
    second = capacity_cut(model.touched, d_high, values, need)
    if first is None or second is None:
        return Cut(np.zeros(0, dtype=np.int64), np.zeros(0), need)  # nothing can unpin it
    return merged(first, second, need)


def _attacks(
    model: ComponentLP, need_low: FloatArray, need_high: FloatArray, primary: BoolArray, sign: float
) -> list[tuple[int, FloatArray]] | None:
    """Return (column, reduced costs over model.touched) for each primary short on one side."""
    low, high = model.values.copy(), model.values.copy()
    short = push_short(model, need_low, need_high, primary, low, high, sign)
    found = []
    for column in np.flatnonzero(short):
        bound = model.extreme(int(column), sign)
        if np.isnan(bound):
            return None
        if np.isinf(bound):
            continue
        if sign > 0:
            low[column] = min(low[column], bound)
        else:
            high[column] = max(high[column], bound)
        one = slice(column, column + 1)
        if not _short(low[one], high[one], need_low[one], need_high[one], sign)[0]:
            continue
        if model.last_dual is None:
            return None
        objective = np.where(model.touched == model.cells[column], sign, 0.0)
        found.append((int(column), objective - model.block_t @ model.last_dual))
    return found
