"""Benchmark: render a large extract as SDMX-CSV (pysdmx) beside the plain CSV, and read it back.

The synthetic delivery of `bench.xlsx_bench` (real communes, five indicators, secret, néant,
already published and "sans objet" cells; about `--cells` cells), rendered `--repeat` times
in this process by `FORMATS["sdmx-csv"]` and by `FORMATS["csv"]` alternately; then the SDMX
file is read back by pysdmx and its observations and confidential cells counted.

    python -m bench.sdmx_bench [--cells 181000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from pysdmx.io import read_sdmx

from bench.xlsx_bench import make_delivery
from gateway.delivery import FORMATS, Delivery


def timed(name: str, delivery: Delivery) -> tuple[float, bytes]:
    started = time.perf_counter()
    data = FORMATS[name].render(delivery)
    return time.perf_counter() - started, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=181_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    delivery = make_delivery(args.cells)
    FORMATS["sdmx-csv"].render(make_delivery(60))  # import and warm the writer
    times: dict[str, list[float]] = {"sdmx-csv": [], "csv": []}
    for _ in range(args.repeat):
        for name, measured in times.items():  # alternately: the machine's load weighs alike
            seconds, data = timed(name, delivery)
            measured.append(seconds)
            if name == "sdmx-csv":
                sdmx = data
    started = time.perf_counter()
    frame = read_sdmx(sdmx.decode("utf-8")).data[0].data
    read = time.perf_counter() - started
    assert len(frame) == len(delivery.cells), (len(frame), len(delivery.cells))
    confidential = int((frame["CONF_STATUS"] == "C").sum())
    assert confidential == delivery.secret_count, (confidential, delivery.secret_count)
    print(f"{len(delivery.cells):,} cellules ({delivery.secret_count:,} secrètes, CONF_STATUS=C)")
    for name, values in times.items():
        listed = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name} : {listed} s (médiane {statistics.median(values):.2f} s)")
    print(f"relu par pysdmx en {read:.2f} s ; fichier SDMX-CSV de {len(sdmx) / 2**20:.1f} Mo")
    median = statistics.median(times["sdmx-csv"])
    print(f"sdmx-csv {len(delivery.cells)} cellules : médiane {median:.2f} s")


if __name__ == "__main__":
    main()
