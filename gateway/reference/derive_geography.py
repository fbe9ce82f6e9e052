"""Derive the compact reference geography CSV files from the Etalab npm package.

Usage: python -m gateway.reference.derive_geography <package.tgz> <output_dir>
"""

from __future__ import annotations

import csv
import json
import sys
import tarfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# Only the 101 départements (metropolitan France and the five DROM) have a Caf;
# the collectivités d'outre-mer (975, 977, 978, 984, 986-989) are out of scope.
SERVED_ZONES = frozenset({"metro", "drom"})

# Insee "type de nom en clair" (typeLiaison) -> preposition + article before the name.
_LINKS = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}

# Family benefits in Mayotte are paid by its social security fund, not by a Caf.
_SPECIAL_FUNDS = {"976": "Caisse de sécurité sociale de Mayotte"}


def read_package(tgz: Path) -> dict[str, list[dict[str, Any]]]:
    """Read the four JSON tables of the package, keyed by table name."""
    tables = {}
    with tarfile.open(tgz, "r:gz") as archive:
        for name in ("communes", "epci", "departements", "regions"):
            member = archive.extractfile(f"package/data/{name}.json")
            if member is None:
                raise ValueError(f"{tgz}: package/data/{name}.json introuvable")
            tables[name] = json.load(member)
    return tables


def caf_name(departement: dict[str, Any]) -> str:
    """Name the Caf of a département with the right French preposition and article."""
    special = _SPECIAL_FUNDS.get(departement["code"])
    if special:
        return special
    return f"Caf {_LINKS[departement['typeLiaison']]}{departement['nom']}"


def commune_rows(tables: dict[str, list[dict[str, Any]]]) -> list[list[object]]:
    """Return one row per current commune of a served département."""
    epci_of = {m["code"]: e["code"] for e in tables["epci"] for m in e["membres"]}
    rows = [
        [
            c["code"],
            c["nom"],
            c["departement"],
            c["region"],
            epci_of.get(c["code"], ""),
            int(c.get("population", 0)),
        ]
        for c in tables["communes"]
        if c["type"] == "commune-actuelle" and c["zone"] in SERVED_ZONES
    ]
    return sorted(rows, key=lambda row: str(row[0]))


def epci_rows(tables: dict[str, list[dict[str, Any]]]) -> list[list[object]]:
    """Return one row per EPCI (SIREN, name, legal type)."""
    return sorted([e["code"], e["nom"], e["type"]] for e in tables["epci"])


def departement_rows(tables: dict[str, list[dict[str, Any]]]) -> list[list[object]]:
    """Return one row per served département, with the Caf that covers it."""
    return sorted(
        [d["code"], d["nom"], d["region"], d["code"], caf_name(d)]
        for d in tables["departements"]
        if d["zone"] in SERVED_ZONES
    )


def region_rows(tables: dict[str, list[dict[str, Any]]]) -> list[list[object]]:
    """Return one row per served région."""
    return sorted([r["code"], r["nom"]] for r in tables["regions"] if r["zone"] in SERVED_ZONES)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a UTF-8 CSV file with Unix line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def derive(tgz: Path, out_dir: Path) -> dict[str, int]:
    """Write communes.csv, epci.csv, departements.csv and regions.csv; return row counts."""
    tables = read_package(tgz)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        "communes": (("code", "nom", "departement", "region", "epci", "population"), commune_rows),
        "epci": (("code", "nom", "type"), epci_rows),
        "departements": (("code", "nom", "region", "caf_code", "caf_nom"), departement_rows),
        "regions": (("code", "nom"), region_rows),
    }
    counts = {}
    for name, (header, build) in outputs.items():
        rows = build(tables)
        write_csv(out_dir / f"{name}.csv", header, rows)
        counts[name] = len(rows)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """Run the derivation from the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    counts = derive(Path(args[0]), Path(args[1]))
    for name, count in counts.items():
        print(f"{name}.csv : {count} lignes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
