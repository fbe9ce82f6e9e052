"""Command line: `python -m policies.secrecy protect|audit ...` on CSV files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd

from policies.errors import InvalidInput
from policies.secrecy import io
from policies.secrecy.engine import audit, cell_ids, protect
from policies.secrecy.rules import CostMode, Options
from policies.secrecy.status import Status


def _dim(text: str) -> tuple[str, list[str]]:
    """Parse NAME[=H1.hrc[,H2.hrc...]]."""
    name, _, files = text.partition("=")
    if not name:
        raise argparse.ArgumentTypeError(f"dimension invalide « {text} »")
    return name, [f for f in files.split(",") if f]


def parser() -> argparse.ArgumentParser:
    """Declare both commands and their options."""
    main = argparse.ArgumentParser(
        prog="python -m policies.secrecy", description="Secret statistique."
    )
    commands = main.add_subparsers(dest="command", required=True)
    run = commands.add_parser("protect", help="protéger un tableau (secret primaire et secondaire)")
    run.add_argument("--cells")
    run.add_argument("--microdata")
    run.add_argument("--holding")
    run.add_argument("--freq")
    run.add_argument("--top")
    run.add_argument("--rule", action="append", default=[])
    run.add_argument("--apriori")
    run.add_argument("--out", required=True)
    run.add_argument("--zero-unsafe", action="store_true", help="les cellules nulles sont à risque")
    run.add_argument("--no-singleton", action="store_true", help="ne pas traiter les singletons")
    run.add_argument("--pair", action="store_true", help="les cellules à deux unités sont à risque")
    run.add_argument("--cost", choices=[c.value for c in CostMode], default=CostMode.VALUE.value)
    check = commands.add_parser("audit", help="auditer un tableau protégé")
    check.add_argument("--cells", required=True)
    check.add_argument("--freq")
    for sub in (run, check):
        sub.add_argument("--dim", action="append", type=_dim, required=True)
        sub.add_argument("--relations")
        sub.add_argument("--value", required=True)
        sub.add_argument("--interval-percent", type=float, default=10.0)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input is reported in French, never as a traceback."""
    args = parser().parse_args(argv)
    try:
        return _protect(args) if args.command == "protect" else _audit(args)
    except InvalidInput as error:
        print(f"erreur : {error.detail}", file=sys.stderr)
        return 2


def _protect(args: argparse.Namespace) -> int:
    """Protect a table from CSV files and write every cell to OUT.csv."""
    names = [name for name, _ in args.dim]
    tops = args.top.split(",") if args.top else []
    source = args.microdata or args.cells
    if source is None or (args.microdata and not args.holding) or len(tops) > 2:
        raise InvalidInput(
            "Donner --cells, ou --microdata avec --holding ; --top : une ou deux colonnes."
        )
    extra = [args.holding] if args.microdata else [args.freq or args.value]
    frame = io.read_csv(source, names, [args.value, *extra, *tops])
    data = frame[names].copy()
    data["value"] = io.numbers(frame, args.value, source)
    if not args.microdata:
        data["freq"] = io.numbers(frame, args.freq or args.value, source, whole=True)
    else:
        data["holding"] = frame[args.holding]
    for column, top in zip(("top1", "top2"), tops, strict=False):
        data[column] = io.numbers(frame, top, source)
    dims = io.dimensions(args.dim, frame, args.relations)
    options = Options(
        zero_unsafe=args.zero_unsafe,
        singleton=not args.no_singleton,
        pair=args.pair,
        interval_percent=args.interval_percent,
        cost=CostMode(args.cost),
    )
    apriori = io.read_apriori(args.apriori, names) if args.apriori else None
    cells = None if args.microdata else data
    micro = data if args.microdata else None
    result = protect(
        dims,
        cells,
        microdata=micro,
        holding="holding" if micro is not None else None,
        rules=args.rule,
        options=options,
        apriori=apriori,
        source=source,
    )
    _write(result.published(), names, args.out)
    if not result.ok:
        print(
            "erreur : certaines cellules primaires restent insuffisamment protégées.",
            file=sys.stderr,
        )
        return 1
    return 0


def _write(view: pd.DataFrame, names: list[str], path: str) -> None:
    """Write OUT.csv with text statuses and reasons."""
    out = view[[*names, "value", "freq", "status", "reason"]]
    out.to_csv(path, index=False, encoding="utf-8")


def _audit(args: argparse.Namespace) -> int:
    """Audit a protected table and print every suppressed cell's interval."""
    names = [name for name, _ in args.dim]
    frame = io.read_csv(args.cells, names, [args.value, "status"])
    dims = io.dimensions(args.dim, frame, args.relations)
    cells = frame[[*names, "status"]].copy()
    cells["value"] = pd.to_numeric(frame[args.value], errors="coerce")
    if args.freq:
        cells["freq"] = pd.to_numeric(frame[args.freq], errors="coerce")
    report = audit(dims, cells, interval_percent=args.interval_percent)
    hidden = cells["status"].isin([Status.PRIMARY.value, Status.SECONDARY.value]).to_numpy()
    ids = cell_ids(dims, cells)
    for row in np.flatnonzero(hidden):
        codes = ",".join(str(cells[n].iloc[row]) for n in names)
        low, high = report.lower[ids[row]], report.upper[ids[row]]
        print(f"{codes} {cells['status'].iloc[row]} [{low:g}, {high:g}]")
    if not report.ok:
        print(
            f"erreur : {len(report.unprotected)} cellule(s) primaire(s) non protégée(s).",
            file=sys.stderr,
        )
        return 1
    return 0
