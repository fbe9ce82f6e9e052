"""Generate the synthetic demonstration cells for the whole catalogue and publish them.

Usage: python -m gateway.store.demo <store_root> [--seed N] [--departements 13 2A ...]

Deterministic: each département draws from its own generator seeded by (seed,
département code), so a département's cells do not depend on which others are
generated with it. The data are synthetic and say so in the store's metadata.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from gateway.reference.geography import DEFAULT_REFERENCE_DIR, load_geography
from gateway.store.demo_catalogue import STORED, catalogue_breakdowns
from gateway.store.demo_model import N_PERIODS, Cells, draw_departement
from gateway.store.layout import SYNTHETIC_LABEL, IndicatorMetadata, current_version_dir
from gateway.store.writer import IndicatorCells, now_iso, publish
from policies.domain import PERIODS, GeoLevel
from policies.geography import Geography

DEFAULT_SEED = 20_240_601
GENERATOR = "gateway.store.demo"


def departement_rng(seed: int, departement: str) -> np.random.Generator:
    """Return the generator of one département (independent of the others)."""
    return np.random.default_rng([seed, *departement.encode("ascii")])


def _flatten(cells: Cells, commune_index: np.ndarray) -> dict[str, np.ndarray]:
    """Keep non-empty leaves only, as (period, commune, category, measures) columns."""
    value, freq, top1, top2 = cells
    p, c, k = np.nonzero((freq > 0) | (value != 0))
    return {
        "period": np.asarray(PERIODS, dtype=np.int16)[p],
        "commune": commune_index[c],
        "category": k.astype(np.int8),
        "value": value[p, c, k].astype(np.float64),
        "freq": freq[p, c, k].astype(np.int32),
        "top1": top1[p, c, k].astype(np.float64),
        "top2": top2[p, c, k].astype(np.float64),
    }


def generate(
    geography: Geography, seed: int = DEFAULT_SEED, departements: Sequence[str] | None = None
) -> list[IndicatorCells]:
    """Draw every stored indicator for the chosen départements (all by default)."""
    if len(PERIODS) != N_PERIODS:
        raise ValueError("Le modèle de démonstration est calibré pour six périodes")
    all_communes = np.asarray(geography.codes(GeoLevel.COMMUNE))
    chosen = departements or geography.codes(GeoLevel.DEPARTEMENT)
    parts: dict[str, list[dict[str, np.ndarray]]] = {code: [] for code in STORED}
    for departement in chosen:
        communes = geography.communes_of(GeoLevel.DEPARTEMENT, departement)
        population = np.array([geography.commune(c).population for c in communes])
        index = np.searchsorted(all_communes, communes).astype(np.int32)
        drawn = draw_departement(departement_rng(seed, departement), population)
        for code in STORED:
            parts[code].append(_flatten(drawn[code], index))
    catalogue = catalogue_breakdowns()
    return [_indicator(code, parts[code], seed, catalogue[code]) for code in STORED]


def _indicator(
    code: str,
    parts: list[dict[str, np.ndarray]],
    seed: int,
    breakdowns: Mapping[str, tuple[str, ...]],
) -> IndicatorCells:
    """Assemble one indicator's leaves and metadata."""
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    meta = IndicatorMetadata(
        code=code,
        periods=PERIODS,
        breakdowns=breakdowns,
        synthetic=True,
        source=GENERATOR,
        loaded_at=now_iso(),
        seed=seed,
        categories_exclusive=STORED[code].exclusive,
        note=SYNTHETIC_LABEL,
    )
    categories = dict.fromkeys(breakdowns, columns["category"])
    measures = (columns[m] for m in ("value", "freq", "top1", "top2"))
    return IndicatorCells(meta, columns["period"], columns["commune"], categories, *measures)


def load_demo(
    root: Path,
    geography: Geography,
    seed: int = DEFAULT_SEED,
    departements: Sequence[str] | None = None,
) -> Path:
    """Generate and publish the demonstration data; return the new version directory."""
    cells = generate(geography, seed, departements)
    return publish(root, cells, geography.codes(GeoLevel.COMMUNE))


def ensure_demo_store(root: Path, reference_dir: Path) -> bool:
    """Generate the demonstration data unless a store already exists; return whether it did."""
    if current_version_dir(root) is not None:
        return False
    load_demo(root, load_geography(reference_dir))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line."""
    parser = argparse.ArgumentParser(description="Données de démonstration synthétiques")
    parser.add_argument("root", type=Path, help="répertoire de l'entrepôt de cellules")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--departements", nargs="*", default=None)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE_DIR)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    version = load_demo(args.root, load_geography(args.reference), args.seed, args.departements)
    elapsed = time.perf_counter() - started
    print(f"Version publiée : {version.name} ({elapsed:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
