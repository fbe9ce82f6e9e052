"""Exact mode against the heuristic: time and suppressed value, table by table.

Communes x 7 age bands with both non-nested hierarchies (département and EPCI), generated
foyer counts, ``FREQ(5,10)``. Each table is protected alternately by the heuristic and by the
exact mode (A, B, A, B...: the machine is shared), ``REPEAT`` times each; the report gives the
best time of each, the cells the exact mode may withhold (the size ``EXACT_CELLS`` bounds in
auto mode), secondaries and suppressed value, and the load (uptime).

Run: .venv/bin/python -m bench.secrecy_exact [DEP ...]   (no argument: 13, 48, 2A+2B, 01, 59)
"""

from __future__ import annotations

import os
import sys
import time

import pandas as pd

from bench.secrecy_data import cells, communes, dimensions, tables_parser
from policies.secrecy import Dimension, ProtectResult, protect
from policies.secrecy.status import Status

DEFAULT = ("13", "48", "2A+2B", "01", "59")
REPEAT = 3


def _timed(dims: list[Dimension], leaves: pd.DataFrame, mode: str) -> tuple[ProtectResult, float]:
    """Protect once; return the result and the wall time."""
    tick = time.perf_counter()
    result = protect(dims, leaves, rules=["FREQ(5,10)"], mode=mode, time_limit=60.0)
    return result, time.perf_counter() - tick


def run(departements: tuple[str, ...]) -> str:
    """Protect one table both ways, alternately; return one markdown row."""
    frame = communes(departements)
    leaves, dims = cells(frame), dimensions(frame)
    best = {"heuristic": float("inf"), "exact": float("inf")}
    results: dict[str, ProtectResult] = {}
    for _ in range(REPEAT):
        for mode in ("heuristic", "exact"):
            results[mode], seconds = _timed(dims, leaves, mode)
            best[mode] = min(best[mode], seconds)
    status = results["exact"].cells["status"]
    free = int(((status == Status.SAFE.value) | (status == Status.SECONDARY.value)).sum())
    figures = []
    for mode in ("heuristic", "exact"):
        result = results[mode]
        assert result.ok
        chosen = result.cells["status"] == Status.SECONDARY.value
        figures.append(f"{int(chosen.sum())} / {result.cells.loc[chosen, 'value'].sum():,.0f}")
    return (
        f"| {'+'.join(departements)} | {len(results['exact'].cells)} | {free} "
        f"| {int((status == Status.PRIMARY.value).sum())} | {figures[0]} | {figures[1]} "
        f"| {best['heuristic']:.2f} | {best['exact']:.2f} |"
    )


def main(argv: list[str]) -> None:
    """Compare on the tables named on the command line (or the default set)."""
    targets = tables_parser("bench.secrecy_exact", __doc__).parse_args(argv).tables or [
        tuple(a.split("+")) for a in DEFAULT
    ]
    print(
        "| table | cells | may be withheld | primaries | heuristic (n / value) "
        "| exact (n / value) | heuristic s | exact s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for target in targets:
        print(run(target), flush=True)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main(sys.argv[1:])
