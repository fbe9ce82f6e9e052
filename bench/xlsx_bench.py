"""Benchmark: render a large extract as XLSX, its wall time and its memory.

A synthetic delivery as the extracts pipeline builds it (`build_delivery`): real communes
and their names, five indicators (counts, a euro amount, a ratio; two broken down, by age
and by family situation, with their totals), three periods, secret cells ("s"), néant,
already published and "sans objet" cells; about `--cells` delivered cells (181,000: the
extract of issue 15 that took 111 s). Each run renders it in a fresh process: wall time of
`FORMATS["xlsx"].render`, and the extra memory it needed (peak resident size during the
rendering minus the resident size before it; with `--tracemalloc`, also the Python heap's
peak, in a separate, slower run). The file is then opened back (openpyxl, read-only) and
its rows counted; the runs' SHA-256 tell whether the rendering is deterministic.

    python -m bench.xlsx_bench [--cells 181000] [--repeat 3] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.delivery import FORMATS, DeliveredCell, Delivery, DeliveryHeader
from gateway.pipeline.deliver import build_delivery
from policies.catalogue import Catalogue
from policies.secrecy import Reason, Status

COMMUNES = REPO_ROOT / "data" / "reference" / "communes.csv"
INDICATORS = ("ALLOC", "ALLOC_SITFAM", "ENF_MOINS_6", "AL_MONTANT", "TAUX_COUV_EAJE")
PERIODS = (2021, 2022, 2023)
# Engine outcome of a cell, drawn with these weights (the rest is published as computed).
OUTCOMES = (
    ((Status.PRIMARY, Reason.FREQUENCY), 0.10),
    ((Status.SECONDARY, Reason.RELATION), 0.06),
    ((Status.EMPTY, Reason.EMPTY), 0.03),
    ((Status.APRIORI_PUBLISHED, Reason.APRIORI_PUBLISHED), 0.02),
)


def communes() -> list[dict[str, str]]:
    with COMMUNES.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _categories(catalogue: Catalogue, code: str) -> list[dict[str, str]]:
    """Every category combination a cell of the indicator takes, totals included."""
    breakdowns = catalogue.get(code).breakdowns
    if not breakdowns:
        return [{}]
    [breakdown] = breakdowns  # the indicators chosen have at most one breakdown
    return [{breakdown: c} for c in (*catalogue.breakdown(breakdown).category_codes, "_T")]


def _outcome(rng: random.Random, ratio: bool) -> tuple[Status, Reason]:
    draw = rng.random()
    if ratio:  # a ratio has no primary rule; some have a zero denominator
        zero = draw < 0.02
        return (Status.EMPTY, Reason.ZERO_DENOMINATOR) if zero else (Status.SAFE, Reason.NONE)
    for outcome, weight in OUTCOMES:
        if draw < weight:
            return outcome
        draw -= weight
    return Status.SAFE, Reason.NONE


def _value(rng: random.Random, population: int, kind: str, status: Status) -> float | None:
    if status.suppressed:
        return None
    if status is Status.EMPTY:
        return 0.0
    if kind == "ratio":
        return rng.uniform(0, 120)
    foyers = max(1, round(population * rng.uniform(0.02, 0.12)))
    return foyers * rng.uniform(180, 320) if kind == "amount" else float(foyers)


def make_delivery(cells: int, seed: int = 15) -> Delivery:
    """Build a delivery of about `cells` cells over the first communes of France."""
    catalogue = load_catalogue()
    rng = random.Random(seed)
    shapes = [(code, _categories(catalogue, code)) for code in INDICATORS]
    per_commune = len(PERIODS) * sum(len(categories) for _code, categories in shapes)
    delivered: list[DeliveredCell] = []
    for commune in islice(communes(), max(1, round(cells / per_commune))):
        for code, categories in shapes:
            indicator = catalogue.get(code)
            for period in PERIODS:
                for category in categories:
                    status, reason = _outcome(rng, indicator.is_ratio)
                    value = (
                        None
                        if reason is Reason.ZERO_DENOMINATOR
                        else _value(rng, int(commune["population"]), indicator.kind, status)
                    )
                    delivered.append(
                        DeliveredCell(
                            indicator=code,
                            period=period,
                            territory_level="commune",
                            territory_code=commune["code"],
                            territory_label=commune["nom"],
                            categories=category,
                            value=value,
                            status=status,
                            reason=reason,
                            unit_label=indicator.unit_label,
                        )
                    )
    header = DeliveryHeader(
        extract_id="EXT-2026-015181",
        created_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
        requester_name="Conseil départemental de l’Ain",
        requester_type="conseil_departemental",
        caf_code="011",
        caf_name="Caf de l’Ain",
        convention_reference="CONV-011-2026-003",
        use="etudes",
        synthetic=True,
        price_total=Decimal("1250.00"),
        quote_reference="DEV-011-2026-0015",
    )
    return build_delivery(header, INDICATORS, catalogue, tuple(delivered))


def _rss_kib() -> int:
    """Return the process's current resident size (KiB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("VmRSS absent de /proc/self/status")


def measure(cells: int, trace: bool) -> dict[str, Any]:
    """Render once in this process; return the figures (the child side of `run`)."""
    delivery = make_delivery(cells)
    renderer = FORMATS["xlsx"]
    renderer.render(make_delivery(60))  # import and warm the renderer's modules
    gc.collect()
    before = _rss_kib()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    data = renderer.render(delivery)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    heap = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    lines = workbook["Données"].iter_rows(values_only=True)
    columns = len(next(lines))
    rows = 1 + sum(1 for _row in lines)
    assert rows == len(delivery.cells) + 1, (rows, len(delivery.cells))
    assert workbook.sheetnames == ["Données", "Note explicative", "Fiches"], workbook.sheetnames
    return {
        "cells": len(delivery.cells),
        "secret": delivery.secret_count,
        "columns": columns,
        "seconds": seconds,
        "cpu": cpu,
        "rss_mb": max(0, peak - before) / 1024,
        "heap_mb": None if heap is None else heap / 2**20,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": rows,
    }


def run(cells: int, trace: bool) -> dict[str, Any]:
    """Measure in a fresh process, so that the peak resident size is this rendering's."""
    arguments = ["--cells", str(cells), "--child"] + (["--tracemalloc"] if trace else [])
    result = subprocess.run(
        [sys.executable, "-m", "bench.xlsx_bench", *arguments],
        stdout=subprocess.PIPE,  # the child's errors go to our stderr
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=181_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true", help="aussi le pic du tas Python")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.cells, args.tracemalloc)))
        return
    runs = [run(args.cells, trace=False) for _ in range(args.repeat)]
    first = runs[0]
    print(
        f"{first['cells']:,} cellules ({first['secret']:,} secrètes), {first['columns']} colonnes, "
        f"{first['rows']:,} lignes relues ; fichier de {first['bytes'] / 2**20:.1f} Mo"
    )
    print("| essai | temps (s) | dont CPU (s) | mémoire en plus (Mo, RSS) | SHA-256 |")
    print("|---|---|---|---|---|")
    for number, f in enumerate(runs, start=1):
        figures = f"{f['seconds']:.2f} | {f['cpu']:.2f} | {f['rss_mb']:.0f}"
        print(f"| {number} | {figures} | {f['sha256'][:12]} |")
    if args.tracemalloc:
        heap = run(args.cells, trace=True)["heap_mb"]
        print(f"pic du tas Python (tracemalloc, essai à part) : {heap:.0f} Mo")
    if len(runs) > 1:  # each run renders in its own process, seconds apart
        same = len({figures["sha256"] for figures in runs}) == 1
        print(f"octets identiques d'un essai à l'autre : {'oui' if same else 'non'}")
    seconds = statistics.median(f["seconds"] for f in runs)
    memory = max(f["rss_mb"] for f in runs)
    print(f"xlsx {first['cells']} cellules : médiane {seconds:.1f} s, max {memory:.0f} Mo")


if __name__ == "__main__":
    main()
