"""Load the reference geography from the committed CSV files (data/reference/)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from policies.geography import Caf, Commune, Departement, Epci, Geography, Region

#: The committed reference files, derived by `gateway.reference.derive_geography`.
DEFAULT_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


def _rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file as dictionaries of strings (codes keep their leading zeros)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_geography(data_dir: Path | str = DEFAULT_REFERENCE_DIR) -> Geography:
    """Return the geography stored in a directory, read once per resolved path."""
    return _load(Path(data_dir).resolve())


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> Geography:
    """Build the Geography value from the four CSV files."""
    communes = tuple(
        Commune(
            code=r["code"],
            nom=r["nom"],
            departement=r["departement"],
            region=r["region"],
            epci=r["epci"],
            population=int(r["population"]),
        )
        for r in _rows(data_dir / "communes.csv")
    )
    epcis = tuple(Epci(r["code"], r["nom"], r["type"]) for r in _rows(data_dir / "epci.csv"))
    departements = tuple(
        Departement(r["code"], r["nom"], r["region"], Caf(r["caf_code"], r["caf_nom"]))
        for r in _rows(data_dir / "departements.csv")
    )
    regions = tuple(Region(r["code"], r["nom"]) for r in _rows(data_dir / "regions.csv"))
    return Geography(communes, epcis, departements, regions)
