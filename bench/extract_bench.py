"""Benchmark: a département-level extract, delivered, protected and audited, end to end.

All communes of a département, two indicators, three periods, two breakdowns, through the
HTTP API of a full demonstration instance (France-wide synthetic store, SQLite database).
Each timed request differs (periods shift), so no run is served from the cache. The CPU
time of the process is reported beside the wall time: on a shared machine it moves much less
with the load (a request waits for a core, it does not compute more).

    python -m bench.extract_bench [--departements 13 59 48] [--instance DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.instance import demo_instance, in_instance

INDICATORS = ["ENF_MOINS_6", "ALLOC_SITFAM"]  # one breakdown each: two breakdowns in all
BREAKDOWNS = ["age_jeune_enfant", "situation_familiale"]
PERIOD_SETS = [[2019, 2020, 2021], [2020, 2021, 2022], [2021, 2022, 2023], [2022, 2023, 2024]]


def body(departement: str, periods: list[int]) -> dict[str, object]:
    return {
        "indicators": INDICATORS,
        "territories": {
            "parent_level": "departement",
            "parent_code": departement,
            "level": "commune",
        },
        "periods": periods,
        "breakdowns": BREAKDOWNS,
        "use": "usage_final",
        "totals": True,
    }


def run(folder: Path, departements: list[str]) -> None:
    app, keys = demo_instance(folder)
    client, headers = app.test_client(), keys["service_etat"]  # national convention, free
    print("| département | cellules livrées | masquées | médiane (s) | max (s) | CPU médiane (s) |")
    print("|---|---|---|---|---|---|")
    for departement in departements:
        times, cpu, cells, secret = [], [], 0, 0
        for periods in PERIOD_SETS:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/extracts", json=body(departement, periods), headers=headers
            )
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            cells = response.json["extrait"]["nombre_cellules"]
            secret = response.json["extrait"]["nombre_cellules_masquees"]
        print(
            f"| {departement} | {cells} | {secret} | "
            f"{statistics.median(times):.3f} | {max(times):.3f} | {statistics.median(cpu):.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departements", nargs="*", default=["13", "48", "59"])
    parser.add_argument("--instance", type=Path, help="dossier d'instance à (ré)utiliser")
    args = parser.parse_args()
    in_instance(args.instance, "bench-extract-", lambda folder: run(folder, args.departements))


if __name__ == "__main__":
    main()
