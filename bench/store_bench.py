"""Benchmark the cell store on the full-France demonstration data.

Usage: python -m bench.store_bench [--root DIR] [--repeat N]

Without --root, generates the demonstration store in a temporary directory.
"Cold" is the first query of a fresh CellStore (file mapping and row index
built, as in a new gunicorn worker; the OS page cache may already be warm);
"warm" is the median of the following queries.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from gateway.reference.geography import load_geography
from gateway.store import CellStore
from gateway.store.demo import load_demo
from policies.domain import PERIODS, GeoLevel
from policies.geography import FRANCE_CODE, Geography


def timed(call: Callable[[], object]) -> float:
    """Return the wall time of one call, in milliseconds."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def scenarios(geography: Geography) -> dict[str, Mapping[str, Sequence[str]]]:
    """Return the territories to aggregate, by label."""
    rng = np.random.default_rng(0)
    france = geography.communes_of(GeoLevel.FRANCE, FRANCE_CODE)
    return {
        "département 13 (119 communes)": {"13": geography.communes_of(GeoLevel.DEPARTEMENT, "13")},
        "département 62 (890 communes)": {"62": geography.communes_of(GeoLevel.DEPARTEMENT, "62")},
        "région 84": {"84": geography.communes_of(GeoLevel.REGION, "84")},
        "zone de 50 communes": {"zone": tuple(rng.choice(france, 50, replace=False))},
        "France": {FRANCE_CODE: france},
    }


def run(root: Path, geography: Geography, indicators: Sequence[str], repeat: int) -> None:
    """Print one line per indicator x territory: cold and warm aggregation times."""
    print(f"{'indicateur':<14} {'territoire':<30} {'froid ms':>9} {'chaud ms':>9}")
    for indicator in indicators:
        for label, groups in scenarios(geography).items():
            store = CellStore(root)
            query = partial(store.aggregate, indicator, PERIODS, groups)
            cold = timed(query)
            warm = statistics.median(timed(query) for _ in range(repeat))
            print(f"{indicator:<14} {label:<30} {cold:>9.1f} {warm:>9.1f}")


def describe(root: Path) -> None:
    """Print the store's size in rows and megabytes."""
    store = CellStore(root)
    rows = sum(store.metadata(i).rows for i in store.indicators())
    size = sum(p.stat().st_size for p in (root / "current").resolve().iterdir())
    print(f"{len(store.indicators())} indicateurs, {rows:,} lignes, {size / 1e6:.0f} Mo")


def main() -> None:
    """Generate (or reuse) a store and print the benchmark table."""
    parser = argparse.ArgumentParser(description="Banc d'essai de l'entrepôt de cellules")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    geography = load_geography()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.root or Path(scratch)
        if not (root / "current").exists():
            generation = timed(lambda: load_demo(root, geography)) / 1000
            print(f"Génération des données de démonstration : {generation:.1f} s")
        describe(root)
        run(root, geography, ("ALLOC", "ENF_COUVERTS", "RSA_MONTANT"), args.repeat)


if __name__ == "__main__":
    main()
