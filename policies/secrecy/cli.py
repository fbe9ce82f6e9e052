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
from policies.secrecy.exact import TIME_LIMIT, Mode
from policies.secrecy.rules import (
    MAX_TOP,
    CostMode,
    Options,
    Percent,
    parse_rule,
    protection_percent,
)
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
    run.add_argument("--cells", help="CSV des cellules feuilles : codes, valeur, effectif")
    run.add_argument(
        "--microdata",
        "--contributions",
        dest="microdata",
        help="CSV des contributions : codes de la feuille, valeur, unité (--holding) ; "
        "une unité présente sur plusieurs lignes ou feuilles compte une fois par cellule",
    )
    run.add_argument("--holding", help="colonne de l'unité contributrice (le foyer allocataire)")
    run.add_argument("--freq", help="colonne de l'effectif (nombre d'unités) des cellules")
    run.add_argument(
        "--top",
        help=f"colonnes des plus grosses contributions, de la plus grosse à la plus petite "
        f"(jusqu'à {MAX_TOP}) : NK(n,k) en lit n, P(p,n) n + 1",
    )
    run.add_argument(
        "--rule",
        action="append",
        default=[],
        help="règle primaire en notation tau-Argus, répétable : FREQ(n,r) (moins de n unités ; "
        "r = marge de protection en %%), NK(n,k), P(p,n) ; par défaut aucune",
    )
    run.add_argument("--apriori", help="CSV des statuts a priori : codes, status")
    run.add_argument("--out", required=True, help="CSV écrit : chaque cellule et son statut")
    run.add_argument("--zero-unsafe", action="store_true", help="les cellules nulles sont à risque")
    run.add_argument(
        "--no-singleton",
        action="store_true",
        help="ne pas protéger les singletons (actif par défaut : une cellule d'une unité est à "
        "risque, et un singleton ne doit pas pouvoir recalculer une autre cellule à risque ; "
        "options « single-single » et « single-multiple » de tau-Argus, réglables ci-dessous)",
    )
    run.add_argument(
        "--pair", action="store_true", help="les cellules de deux unités sont à risque (paires)"
    )
    run.add_argument(
        "--rule-intervals",
        action="store_true",
        help="une cellule masquée par NK(n,k) ou P(p,n) reçoit l'intervalle de protection que "
        "fixe sa règle (ce qui lui manque pour la satisfaire, comme tau-Argus le calcule) "
        "plutôt que --interval-percent",
    )
    run.add_argument(
        "--cost",
        choices=[c.value for c in CostMode],
        default=CostMode.VALUE.value,
        help="coût d'un masquage secondaire : valeur (défaut), effectif ou unité",
    )
    run.add_argument(
        "--mode",
        choices=[m.value for m in Mode],
        default=Mode.AUTO.value,
        help="secret secondaire : exact (coût minimal), heuristic, ou auto (exact sur les "
        "composantes d'au plus 1 500 cellules masquables, heuristique au-delà ; défaut)",
    )
    run.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT,
        help=f"secondes accordées au mode exact ({TIME_LIMIT:g} par défaut) ; au-delà, "
        "l'heuristique complète le meilleur masque trouvé",
    )
    check = commands.add_parser("audit", help="auditer un tableau protégé")
    check.add_argument("--cells", required=True, help="CSV de chaque cellule et de son statut")
    check.add_argument("--freq", help="colonne de l'effectif (pour la règle des singletons)")
    check.add_argument(
        "--rule",
        action="append",
        default=[],
        help="règle primaire FREQ(n,r) dont --min-frequency lit le seuil n, répétable",
    )
    for sub in (run, check):
        sub.add_argument(
            "--no-single-single",
            action="store_true",
            help="option « single-single » de tau-Argus désactivée : une relation peut ne "
            "masquer que deux singletons d'unités différentes (chacun recalcule l'autre)",
        )
        sub.add_argument(
            "--no-single-multiple",
            action="store_true",
            help="option « single-multiple » de tau-Argus désactivée : une relation peut ne "
            "masquer qu'un singleton et une cellule à risque de plusieurs unités",
        )
        sub.add_argument(
            "--min-frequency",
            action="store_true",
            help="option « MinFreq » de tau-Argus : des cellules à risque masquées seules "
            "ensemble dans une relation doivent réunir au moins n unités (n de FREQ(n,r))",
        )
        sub.add_argument(
            "--dim",
            action="append",
            type=_dim,
            required=True,
            help="dimension NOM[=H1.hrc[,H2.hrc...]] et ses hiérarchies tau-Argus, répétable",
        )
        sub.add_argument("--relations", help="CSV des regroupements : dimension, group, member")
        sub.add_argument("--value", required=True, help="colonne de la valeur")
        sub.add_argument(
            "--interval-percent",
            type=float,
            default=10.0,
            help="intervalle de protection (%% de la valeur) des cellules à risque dont la règle "
            "n'en fixe pas (FREQ(n,r) fixe r) ; 10 par défaut",
        )
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
    if source is None or (args.microdata and not args.holding) or len(tops) > MAX_TOP:
        raise InvalidInput(
            f"Donner --cells, ou --microdata avec --holding ; --top : au plus {MAX_TOP} colonnes."
        )
    extra = [args.holding] if args.microdata else [args.freq or args.value]
    frame = io.read_csv(source, names, [args.value, *extra, *tops], rows=True)
    data = frame[names].copy()
    data["value"] = io.numbers(frame, args.value, source)
    if not args.microdata:
        data["freq"] = io.numbers(frame, args.freq or args.value, source, whole=True)
    else:
        data["holding"] = frame[args.holding]
    for rank, top in enumerate(tops, start=1):
        data[f"top{rank}"] = io.numbers(frame, top, source)
    dims = io.dimensions(args.dim, frame, args.relations)
    options = Options(
        zero_unsafe=args.zero_unsafe,
        singleton=not args.no_singleton,
        single_single=not args.no_single_single,
        single_multiple=not args.no_single_multiple,
        min_frequency=args.min_frequency,
        pair=args.pair,
        rule_intervals=args.rule_intervals,
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
        mode=args.mode,
        time_limit=args.time_limit,
    )
    view = result.published()
    # The interval each primary cell needs (FREQ(n,r): r%), for `audit` to check it again.
    rules = tuple(parse_rule(rule) for rule in args.rule)
    percent = protection_percent(result.table.stats, rules, options)
    primary = (view["status"] == Status.PRIMARY.value).to_numpy()
    view["interval_percent"] = np.where(primary, np.broadcast_to(percent, primary.shape), np.nan)
    _write(view, names, args.out)
    if not result.ok:
        print(
            "erreur : certaines cellules primaires restent insuffisamment protégées.",
            file=sys.stderr,
        )
        return 1
    return 0


def _write(view: pd.DataFrame, names: list[str], path: str) -> None:
    """Write OUT.csv with text statuses and reasons."""
    out = view[[*names, "value", "freq", "status", "reason", "interval_percent"]]
    out.to_csv(path, index=False, encoding="utf-8")


def _audit(args: argparse.Namespace) -> int:
    """Audit a protected table and print every suppressed cell's interval."""
    names = [name for name, _ in args.dim]
    frame = io.read_csv(args.cells, names, [args.value, "status"], rows=True)
    dims = io.dimensions(args.dim, frame, args.relations)
    cells = frame[[*names, "status"]].copy()
    cells["value"] = pd.to_numeric(frame[args.value], errors="coerce")
    if args.freq:
        cells["freq"] = pd.to_numeric(frame[args.freq], errors="coerce")
    percent: Percent = args.interval_percent
    if "interval_percent" in frame:  # written by protect: FREQ(n,r) cells need r%
        given = pd.to_numeric(frame["interval_percent"], errors="coerce").to_numpy(np.float64)
        percent = np.where(np.isnan(given), args.interval_percent, given)
    options = Options(
        single_single=not args.no_single_single,
        single_multiple=not args.no_single_multiple,
        min_frequency=args.min_frequency,
    )
    report = audit(dims, cells, interval_percent=percent, options=options, rules=args.rule)
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
