"""Speed of protect() + audit: one département, then all of France (communes x 7 age bands).

Run: .venv/bin/python -m bench.secrecy_speed [DEP ...]   (no argument: 13, then France)
"""

from __future__ import annotations

import resource
import sys
import time

from bench.secrecy_data import cells, communes, dimensions, tables_parser
from policies.secrecy import protect


def run(departements: tuple[str, ...] | None) -> None:
    """Protect and audit one table; print sizes, statuses, time and peak memory."""
    frame = communes(departements)
    leaves, dims = cells(frame), dimensions(frame)
    start = time.perf_counter()
    result = protect(dims, leaves, rules=["FREQ(5,10)"])
    elapsed = time.perf_counter() - start
    counts = result.cells["status"].value_counts().to_dict()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = ",".join(departements) if departements else "France"
    report = result.report
    print(
        f"{name}: {len(frame)} communes, {len(leaves)} leaf cells, {len(result.cells)} cells, "
        f"statuses {counts}, audit ok={result.ok}, {report.components} components, "
        f"{report.programs} LPs (last audit), {elapsed:.2f} s, peak RSS {peak:.0f} MB"
    )


def main(argv: list[str]) -> None:
    """Run on the départements named (one table of them all), or on 13 then France."""
    named = tables_parser("bench.secrecy_speed", __doc__).parse_args(argv).tables
    targets = [tuple(code for table in named for code in table)] if named else [("13",), None]
    for target in targets:
        run(target)


if __name__ == "__main__":
    main(sys.argv[1:])
