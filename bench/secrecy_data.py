"""Deterministic benchmark tables: communes x 7 age bands with département and EPCI hierarchies."""

from __future__ import annotations

import argparse
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from policies.secrecy import Dimension, Hierarchy

COMMUNES = Path(__file__).resolve().parent.parent / "data" / "reference" / "communes.csv"
AGES = ("0-2", "3-5", "6-10", "11-14", "15-17", "18-19", "20-24")
# Share of the population that is a Caf foyer with a child in each age band (calibrated
# roughly on caf-iris-2018 ENF_* columns: about 1.5% of inhabitants per band).
BAND_RATE = np.array([0.016, 0.016, 0.026, 0.021, 0.016, 0.009, 0.006])


def communes(departements: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read the reference communes, optionally restricted to some départements."""
    frame = pd.read_csv(COMMUNES, dtype=str)
    if departements is not None:
        frame = frame[frame["departement"].isin(departements)]
    frame = frame.sort_values("code").reset_index(drop=True)
    # A few communes belong to no EPCI: give each département one pseudo-EPCI for them.
    frame["epci"] = frame["epci"].fillna("SANS-" + frame["departement"])
    return frame


@cache
def _departements() -> frozenset[str]:
    """Return the reference communes' département codes (read once per process)."""
    return frozenset(pd.read_csv(COMMUNES, dtype=str, usecols=["departement"])["departement"])


def table_argument(text: str) -> tuple[str, ...]:
    """Read a table named on a benchmark's command line: a département code, or several
    joined by "+" (2A+2B), each one of the reference communes' (argparse's `type`)."""
    codes = tuple(text.split("+"))
    unknown = [code for code in codes if code not in _departements()]
    if unknown:
        raise argparse.ArgumentTypeError(f"département inconnu « {unknown[0]} » (ex. 13, 2A+2B)")
    return codes


def tables_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """Return a benchmark's command line: its docstring's first paragraph, then the tables
    (`table_argument`) as positional arguments."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}", description=(doc or "").split("\n\n")[0]
    )
    parser.add_argument("tables", nargs="*", type=table_argument, help="départements (13, 2A+2B…)")
    return parser


def cells(
    frame: pd.DataFrame, seed: int = 2018, scale: float = 1.0, floor: int = 0
) -> pd.DataFrame:
    """Draw foyer counts per commune and age band (a frequency table), deterministically.

    `scale` multiplies the band rates (below 1: more small counts, more primary cells);
    `floor` is added to every count (1: every commune x band is a non-empty leaf).
    """
    rng = np.random.default_rng(seed)
    population = frame["population"].astype(float).to_numpy()
    counts = floor + rng.poisson(np.outer(population, BAND_RATE) * scale)
    grid = pd.DataFrame(counts, columns=list(AGES))
    grid["commune"] = frame["code"].to_numpy()
    long = grid.melt(id_vars="commune", var_name="age", value_name="freq")
    long = long[long["freq"] > 0].reset_index(drop=True)
    long["value"] = long["freq"].astype(float)
    return long


def dimensions(frame: pd.DataFrame) -> list[Dimension]:
    """Return territory (commune < département < région, commune < EPCI) and age band."""
    geo = {"R" + r: "Total" for r in frame["region"].unique()}
    pairs = zip(frame["departement"], frame["region"], strict=True)
    geo.update({"D" + d: "R" + r for d, r in pairs})
    geo.update({c: "D" + d for c, d in zip(frame["code"], frame["departement"], strict=True)})
    epci = {"E" + e: "Total" for e in frame["epci"].unique()}
    epci.update({c: "E" + e for c, e in zip(frame["code"], frame["epci"], strict=True)})
    hierarchies = [Hierarchy.from_parents(geo, "géographie"), Hierarchy.from_parents(epci, "epci")]
    territory = Dimension("commune", list(frame["code"]), hierarchies)
    return [territory, Dimension("age", list(AGES))]


def hrc_text(parents: dict[str, str]) -> str:
    """Write a child -> parent mapping as tau-Argus .hrc text (depth-first)."""
    kids: dict[str, list[str]] = {}
    for code, parent in parents.items():
        kids.setdefault(parent, []).append(code)
    lines: list[str] = []
    stack = [(code, 0) for code in reversed(kids["Total"])]
    while stack:
        code, depth = stack.pop()
        lines.append("@" * depth + code)
        stack.extend((k, depth + 1) for k in reversed(kids.get(code, [])))
    return "\n".join(lines) + "\n"
