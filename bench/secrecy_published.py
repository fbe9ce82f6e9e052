"""Our exact mode and heuristic beside the patterns sdcTable and rtauargus publish.

For each public table of ``bench.secrecy_public``: the published secondary suppressions
(count; cost = suppressed value and our audit when the source names the cells), ours by the
heuristic and by the exact mode (cost = value, as tau-Argus and sdcTable weigh cells by
default), the exact mode with cost = unity (fewest cells), and times (best of 3).

Run: .venv/bin/python -m bench.secrecy_published (alone), or
.venv/bin/python -m bench.secrecy_vs_tauargus --public [--readme] (beside tau-Argus)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bench.secrecy_public import PublicTable, load
from policies.secrecy import CostMode, ProtectResult, audit_pattern, protect
from policies.secrecy.engine import singletons
from policies.secrecy.status import Status

REPEAT = 3
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Figures:
    """Secondaries, their suppressed value, seconds."""

    count: int
    cost: float
    seconds: float


@dataclass(frozen=True)
class PublicRow:
    """One public table compared."""

    table: PublicTable
    primaries: int
    primaries_agree: bool | None  # None: the source states no primary cells
    published_cost: float | None
    published_audit: str  # "ok", "N unprotected", or why it cannot be audited
    heuristic: Figures
    exact: Figures
    fewest: int  # exact mode with cost = unity: the fewest secondaries
    exact_ok: bool


def _run(
    table: PublicTable, mode: str, cost: CostMode | None = None
) -> tuple[ProtectResult, float]:
    """Protect a public table; return the result and the best of a few wall times."""
    options = table.options
    if cost is not None:
        options = replace(options, cost=cost)
    best, result = np.inf, None
    for _ in range(REPEAT):
        tick = time.perf_counter()
        result = protect(
            table.dims,
            table.cells,
            microdata=table.microdata,
            holding="unit" if table.microdata is not None else None,
            rules=table.rules,
            options=options,
            apriori=table.apriori,
            mode=mode,
            time_limit=TIME_LIMIT,
        )
        best = min(best, time.perf_counter() - tick)
    assert result is not None
    return result, best


def _figures(result: ProtectResult, seconds: float) -> Figures:
    chosen = result.cells["status"] == Status.SECONDARY.value
    return Figures(int(chosen.sum()), float(result.cells.loc[chosen, "value"].sum()), seconds)


def _published(table: PublicTable, result: ProtectResult) -> tuple[float | None, str]:
    """Cost and our audit of the published pattern, laid over our table and primaries."""
    published = table.published
    if published is None:
        return None, "no pattern published"
    frame, names = result.cells, [d.name for d in table.dims]
    primary = (frame["status"] == Status.PRIMARY.value).to_numpy()
    cells = published.cells
    if cells is None:
        cells = _reconstruct(table, result)
        if cells is None:
            return None, "cells not published"
    keys = list(zip(*(frame[n] for n in names), strict=True))
    chosen = np.array([key in cells for key in keys])
    pattern = primary | chosen
    guard = singletons(result.table.stats, (), table.options)
    report = audit_pattern(
        result.table.relations,
        result.table.stats.value,
        pattern,
        primary,
        table.options.interval_percent,
        guard,
    )
    verdict = "ok" if report.ok else f"{len(report.unprotected)} unprotected"
    return float(frame.loc[chosen, "value"].sum()), verdict


def _reconstruct(table: PublicTable, result: ProtectResult) -> frozenset[tuple[str, ...]] | None:
    """sdcTable's 4x4: find the one secondary whose pattern gives w|b the stated [0, 78]."""
    if not table.name.startswith("sdcTable 4x4"):
        return None
    frame = result.cells
    primary = (frame["status"] == Status.PRIMARY.value).to_numpy()
    target = result.table.cell_id(("w", "b"))
    for cell in np.flatnonzero(frame["status"].isin([Status.SAFE.value, Status.SECONDARY.value])):
        pattern = primary.copy()
        pattern[cell] = True
        report = audit_pattern(
            result.table.relations, result.table.stats.value, pattern, primary, 0.0
        )
        if np.allclose([report.lower[target], report.upper[target]], [0.0, 78.0]):
            return frozenset({(str(frame["v1"].iloc[cell]), str(frame["v2"].iloc[cell]))})
    return None


def compare_public(table: PublicTable) -> PublicRow:
    """Protect one public table both ways and audit the published pattern."""
    heuristic, h_seconds = _run(table, "heuristic")
    exact, e_seconds = _run(table, "exact")
    fewest, _ = _run(table, "exact", CostMode.UNITY)
    frame, names = exact.cells, [d.name for d in table.dims]
    primary = frame[frame["status"] == Status.PRIMARY.value]
    found = set(zip(*(primary[n] for n in names), strict=True))
    agree = None if table.expected_primaries is None else found == set(table.expected_primaries)
    cost, verdict = _published(table, exact)
    return PublicRow(
        table=table,
        primaries=len(found),
        primaries_agree=agree,
        published_cost=cost,
        published_audit=verdict,
        heuristic=_figures(heuristic, h_seconds),
        exact=_figures(exact, e_seconds),
        fewest=_figures(fewest, 0.0).count,
        exact_ok=exact.ok and heuristic.ok,
    )


def _ratio(ours: float, theirs: float | None) -> str:
    if theirs is None:
        return "–"
    if theirs == 0:
        return "1.00" if ours == 0 else "inf"
    return f"{ours / theirs:.2f}"


def markdown(rows: Sequence[PublicRow], missing: Sequence[str]) -> str:
    """Lay the comparison out as one markdown table and its notes."""
    out = [
        "Public test tables (read from their repositories; published patterns as their "
        "sources print them; ours with the same primaries, 10% protection interval, our "
        "singleton rule only where the source detects singletons; cost = value; times best "
        f"of {REPEAT}):",
        "",
        "| table | source | primaries | published: method, secondaries / value, our audit "
        "| heuristic | exact | exact, fewest cells | exact / published (n, value) "
        "| heuristic s | exact s |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    counts, costs = [], []
    for r in rows:
        p = r.table.published
        shown = "none published"
        if p is not None:
            value = "?" if r.published_cost is None else f"{r.published_cost:,.0f}"
            shown = f"{p.method}: {p.secondaries} / {value}, {r.published_audit}"
            # Averages only where the rules are the same: the published pattern passes our
            # audit (or its cells are not printed).
            same = r.published_audit in ("ok", "cells not published")
            if p.secondaries and same:
                counts.append(r.exact.count / p.secondaries)
            if r.published_cost and same:
                costs.append(r.exact.cost / r.published_cost)
        agree = {None: "", True: " (as stated)", False: " (NOT as stated)"}[r.primaries_agree]
        ratio = (
            "–"
            if p is None
            else f"{_ratio(r.exact.count, p.secondaries)}, {_ratio(r.exact.cost, r.published_cost)}"
        )
        out.append(
            f"| {r.table.name} | {r.table.source} | {r.primaries}{agree} | {shown} "
            f"| {r.heuristic.count} / {r.heuristic.cost:,.0f} | {r.exact.count} / "
            f"{r.exact.cost:,.0f} | {r.fewest} | {ratio} | {r.heuristic.seconds:.3f} "
            f"| {r.exact.seconds:.3f} |"
        )
    safe = all(r.exact_ok for r in rows)
    out += [
        "",
        f"Every pattern of ours passes our audit: {'yes' if safe else 'NO'}. Mean exact / "
        f"published under the same rules (the published pattern passes our audit, or its "
        f"cells are not printed): {np.mean(counts):.2f} in count over {len(counts)} tables "
        f"with secondaries, {np.mean(costs):.2f} in value over {len(costs)} tables whose "
        "cells are printed."
        if counts and costs
        else "",
    ]
    if missing:
        out.append(f"Not compared (repository not mirrored): {', '.join(missing)}.")
    return "\n".join(out) + "\n"


def run_public() -> str:
    """Compare every mirrored public table; return the markdown."""
    tables, missing = load()
    rows = []
    for table in tables:
        row = compare_public(table)
        print(row.table.name, row.heuristic, row.exact, row.fewest, row.published_audit, flush=True)
        rows.append(row)
    return markdown(rows, missing)


if __name__ == "__main__":
    argparse.ArgumentParser(
        prog="python -m bench.secrecy_published", description=__doc__.split("\n\n")[0]
    ).parse_args()
    print(run_public())
