"""Run every benchmark of bench/ and print one summary table: `python -m bench` (`make bench`).

Each benchmark runs in its own process, as its own command line would run it, its output shown
as it goes; the summary gives, per benchmark, the command, the outcome, the wall time and its
last line of results. By default the benchmarks take their quick settings (one département,
fewer requests, a smaller ledger) and share one demonstration instance where they can; `--full`
runs each with its own defaults (the figures of the README's Benchmarks table, much longer).

    python -m bench [--full] [--only store extract ...] [--instance DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

from gateway.config import REPO_ROOT


@dataclass(frozen=True)
class Bench:
    """One benchmark: its name, module, quick arguments, and whether it uses the instance."""

    name: str
    module: str
    quick: tuple[str, ...] = ()
    instance_option: str | None = None  # how it takes a prepared instance, if it does
    store_only: bool = False  # it takes the instance's cell store, not the instance


#: Every benchmark of bench/, in the order they run (those that grow the ledger last).
BENCHES: tuple[Bench, ...] = (
    Bench("store", "bench.store_bench", ("--repeat", "5"), "--root", store_only=True),
    Bench("secrecy_speed", "bench.secrecy_speed", ("13",)),
    # France-wide variants (more primaries, other seeds); quick: the same variants over Corsica.
    Bench("secrecy_france", "bench.secrecy_france", ("--region", "94")),
    Bench("secrecy_vs_tauargus", "bench.secrecy_vs_tauargus", ("13", "--opt-minutes", "1")),
    # The exact mode (MILP and cuts) beside the heuristic, alternated, on département tables.
    Bench("secrecy_exact", "bench.secrecy_exact", ("13",)),
    # Ours beside the patterns sdcTable and rtauargus publish (their repositories mirrored
    # under SECRECY_SOURCES; the tables not found there are named and skipped).
    Bench("secrecy_published", "bench.secrecy_published"),
    Bench("extract", "bench.extract_bench", ("--departements", "13"), "--instance"),
    # A history screen as a page, over HTTP (gunicorn): each first request a new extract.
    Bench("imaje", "bench.imaje_bench", ("--rounds", "1"), "--instance"),
    # The request builder's live preview as a page, over HTTP (gunicorn): nothing written.
    Bench("builder", "bench.builder_bench", ("--repeat", "8"), "--instance"),
    # Its own instance: its first figure is the publication `init --demo` makes.
    Bench("socle", "bench.socle_bench"),
    # A large extract's XLSX, rendered (streamed) and read back: time and extra memory.
    Bench("xlsx", "bench.xlsx_bench", ("--cells", "20000", "--repeat", "1")),
    # The same extract as SDMX-CSV (pysdmx) beside the plain CSV, read back by pysdmx.
    Bench("sdmx", "bench.sdmx_bench", ("--cells", "20000", "--repeat", "1")),
    # Downloading that extract's XLSX: rendered at each download, or kept by its job.
    Bench("kept_files", "bench.kept_files_bench", ("--cells", "20000", "--rounds", "1")),
    Bench("ledger", "bench.ledger_bench", ("--cells", "100000"), "--instance"),
    Bench("throughput", "bench.throughput_bench", ("--departements", "13", "--indicators", "2")),
    # Its own instance, over HTTP: repeated keyed reads, the same extract again, a mixed load.
    Bench("hot_path", "bench.hot_path_bench", ("--seconds", "5")),
    Bench("attacks", "bench.attacks", ("--requests", "40", "--seed", "7")),
    # Appends to the audit chain (HMAC under the key), one transaction each, then verified.
    Bench("audit", "bench.audit_bench", ("--appends", "300", "--repeat", "1")),
    # PostgreSQL only: a worker killed in the middle of a job, the job delivered after restart.
    Bench("recovery", "bench.recovery_bench", ("--repeat", "1")),
    # PostgreSQL only: the mixed workload against 1 node, then 2 nodes on one database.
    Bench("multinode", "bench.multinode_bench", ("--seconds", "8", "--repeat", "1")),
)


@dataclass(frozen=True)
class Result:
    bench: Bench
    command: str
    returncode: int
    seconds: float
    last_line: str

    @property
    def outcome(self) -> str:
        return "réussi" if self.returncode == 0 else f"échec (code {self.returncode})"


def command(bench: Bench, *, full: bool, instance: Path | None) -> list[str]:
    """Return the command line that runs one benchmark."""
    arguments = [] if full else list(bench.quick)
    if instance is not None and bench.instance_option is not None:
        folder = instance / "cells" if bench.store_only else instance
        arguments += [bench.instance_option, str(folder)]
    return [sys.executable, "-m", bench.module, *arguments]


def _echo(stream: IO[str], out: TextIO, last: list[str]) -> None:
    """Copy a child's stream to ours line by line, remembering its last non-empty line."""
    for line in stream:
        print(line, end="", file=out, flush=True)
        if line.strip():
            last[0] = line.strip()


def run(bench: Bench, argv: Sequence[str]) -> Result:
    """Run one benchmark, echoing its output; keep its last line of results (of error if it
    failed)."""
    print(f"\n=== {bench.name} : {' '.join(argv[1:])}", flush=True)
    started = time.perf_counter()
    last_out, last_err = [""], [""]
    with subprocess.Popen(
        argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        errors = threading.Thread(target=_echo, args=(process.stderr, sys.stderr, last_err))
        errors.start()
        _echo(process.stdout, sys.stdout, last_out)
        returncode = process.wait()
        errors.join()
    last = last_out[0] if returncode == 0 or not last_err[0] else last_err[0]
    shown = " ".join(["python", *argv[1:]])
    return Result(bench, shown, returncode, time.perf_counter() - started, last)


def summary(results: Sequence[Result], width: int = 90) -> str:
    """Return the summary table (Markdown), one row per benchmark."""
    rows = [
        "| Banc | Commande | Résultat | Durée | Dernière ligne |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        last = result.last_line.replace("|", "/")
        last = last if len(last) <= width else last[: width - 1] + "…"
        rows.append(
            f"| {result.bench.name} | `{result.command}` | {result.outcome} | "
            f"{result.seconds:.1f} s | {last} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; exit 1 when one of them failed."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="réglages complets de chaque banc")
    parser.add_argument(
        "--only", nargs="+", choices=[b.name for b in BENCHES], help="bancs à lancer"
    )
    parser.add_argument("--instance", type=Path, help="instance de démonstration à (ré)utiliser")
    parser.add_argument("--list", action="store_true", help="afficher les commandes, sans lancer")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        instance = args.instance or Path(scratch) / "instance"
        commands = [(b, command(b, full=args.full, instance=instance)) for b in chosen]
        if args.list:
            for bench, argv_ in commands:
                print(f"{bench.name}: {' '.join(argv_[1:])}")
            return 0
        results = [run(bench, argv_) for bench, argv_ in commands]
    print("\nRésumé des bancs d'essai\n")
    print(summary(results))
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
