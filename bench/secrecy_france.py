"""France-wide tables for secondary suppression: the project's table and harder variants.

Every variant is all communes of France x 7 age bands with both non-nested hierarchies
(commune < département < région, commune < EPCI), `FREQ(5,10)`, 10% protection interval; the
counts are drawn by bench.secrecy_data with a seed, a rate scale (smaller: more small counts,
more primaries) and a floor (1: every commune x band is a non-empty leaf). Each variant runs in
a process of its own, so its peak RSS is its own. Per variant: leaves, primaries,
secondaries, suppressed value (primary and secondary), protect() time (wall clock, and the
process's CPU time, steadier on a loaded machine), peak RSS, audit.

Run: .venv/bin/python -m bench.secrecy_france [--variants france dense ...] [--region 84]
     [--exact-audit]   (--region: the same variants restricted to one région, for iterating)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bench.secrecy_data import cells, communes, dimensions
from policies.secrecy import Dimension, Status, audit, protect


@dataclass(frozen=True)
class Variant:
    """One generated table: its name, seed, rate scale and count floor."""

    name: str
    seed: int
    scale: float = 1.0
    floor: int = 0


#: The project's table first, then harder ones of the same shape.
VARIANTS: tuple[Variant, ...] = (
    Variant("france", 2018),
    # Every commune x band non-empty and smaller counts: about 93,000 primaries out of
    # 244,000 leaves, as an independently generated France table had.
    Variant("dense", 2018, 0.82, 1),
    # Half the rates: many more small communes' cells primary.
    Variant("small", 2019, 0.5),
    Variant("seed2020", 2020),
)


def run(variant: Variant, region: str | None, exact_audit: bool) -> str:
    """Protect one variant; return its line of figures."""
    frame = communes()
    if region is not None:
        frame = frame[frame["region"] == region].reset_index(drop=True)
    leaves, dims = cells(frame, variant.seed, variant.scale, variant.floor), dimensions(frame)
    start, cpu = time.perf_counter(), time.process_time()
    result = protect(dims, leaves, rules=["FREQ(5,10)"])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = result.cells["status"]
    primary, secondary = status == Status.PRIMARY.value, status == Status.SECONDARY.value
    value = result.cells["value"]
    line = (
        f"{variant.name}{'' if region is None else ' R' + region}: {len(leaves)} leaves, "
        f"{len(result.cells)} cells, {int(primary.sum())} primaries, "
        f"{int(secondary.sum())} secondaries, suppressed value {value[primary].sum():.0f} + "
        f"{value[secondary].sum():.0f}, audit ok={result.ok}, {elapsed:.2f} s "
        f"(CPU {cpu:.2f} s), peak RSS {peak:.0f} MB"
    )
    if exact_audit:
        line += f", exact audit ok={_exact(dims, result.cells)}"
    return line


def _exact(dims: Sequence[Dimension], cells_: pd.DataFrame) -> bool:
    """Audit the pattern with exact intervals (two programs per suppressed cell)."""
    return audit(dims, cells_, interval_percent=10).ok


def main(argv: Sequence[str] | None = None) -> int:
    """Run each chosen variant in a process of its own; exit 1 when an audit fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.secrecy_france", description=__doc__)
    names = [v.name for v in VARIANTS]
    parser.add_argument("--variants", nargs="+", choices=names, default=names)
    parser.add_argument("--region", help="restreindre à une région (code INSEE, ex. 84)")
    parser.add_argument("--exact-audit", action="store_true", help="audit exact du motif")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process runs one variant
    args = parser.parse_args(argv)
    if args.one:
        variant = next(v for v in VARIANTS if v.name == args.one)
        line = run(variant, args.region, args.exact_audit)
        print(line, flush=True)
        return 0 if "ok=False" not in line else 1
    failed = False
    for name in args.variants:
        child = [sys.executable, "-m", "bench.secrecy_france", "--one", name]
        child += ["--region", args.region] if args.region else []
        child += ["--exact-audit"] if args.exact_audit else []
        failed |= subprocess.run(child, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
