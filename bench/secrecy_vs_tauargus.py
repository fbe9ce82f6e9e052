"""Our secrecy engine against tau-Argus (pytauargus, HiGHS) on the same tables.

For each table (communes x 7 age bands of some départements, generated foyer counts,
``FREQ(5,10)``), tau-Argus protects the table with the département hierarchy (commune <
département < région: it takes one hierarchy per explanatory variable) by OPT and by MOD; our
engine protects the same table, then the table with both non-nested hierarchies (département
and EPCI) as the gateway publishes it. The report gives primaries, secondary suppressions,
suppressed value, times, their ratios, and what happens to tau-Argus's patterns once the EPCI
totals are also published: our audit (interval LPs) on the tau-Argus pattern extended with the
true EPCI margins counts the unsafe cells that become exactly computable or under-protected.

Run: .venv/bin/python -m bench.secrecy_vs_tauargus [DEP ...]   (no argument: 13, 01, 59, 48
and the Corse région 2A+2B; ``2A+2B`` names a table of several départements). OPT is capped by
``--opt-minutes`` (tau-Argus OPT(1,maxtime), default 5); ``--readme`` writes the figures into
policies/secrecy/README.md under "Versus tau-Argus". Our heuristic and our exact mode are both
reported. ``--public`` adds the public test tables of sdcTable and rtauargus beside the
patterns they publish (``bench.secrecy_published``; the repositories are read from their
mirrors, see ``bench.secrecy_public``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from bench.secrecy_data import cells, communes, dimensions, hrc_text, tables_parser
from policies.secrecy import (
    TOTAL,
    Dimension,
    Options,
    Rule,
    audit,
    build_table,
    cell_ids,
    parse_rule,
    protect,
)
from policies.secrecy.status import Status

RULE = parse_rule("FREQ(5,10)")
INTERVAL = 10.0
README = Path(__file__).resolve().parent.parent / "policies" / "secrecy" / "README.md"
HEADING = "### Versus tau-Argus"
DEFAULT = ("13", "01", "59", "48", "2A+2B")
REPEAT = 3  # times are the best of three runs
# tau-Argus intermediate statuses -> ours (P, protected, never occurs here: published).
_STATUS = {"S": "S", "U": "U", "M": "M", "E": "Z", "P": "A"}


@dataclass(frozen=True)
class TauArgusRun:
    """A tau-Argus pattern over every cell of the table it saw, and how long it took."""

    cells: pd.DataFrame  # dimension codes, value, freq, status (S, U, M, Z)
    # Codes tau-Argus could not take (a node with a single child: the same cell as that
    # child), per dimension: their rows copy the child's, so cells covers the whole table.
    aliases: dict[str, dict[str, str]]
    suppress_seconds: float  # the SUPPRESS command alone
    total_seconds: float  # files written, table read, suppressed, pattern written


def _tab_code(code: str) -> str:
    """Return a code as tau-Argus reads it (the grand total is the empty code)."""
    return "" if code == TOTAL else code


def collapse(parents: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Remove the nodes with a single child (tau-Argus refuses them): they equal that child.

    Return the reduced child -> parent mapping and, for each removed code, the code whose
    cell it duplicates (a node below the total keeps its child; a lone child of the total
    is the total itself).
    """
    parents, alias = dict(parents), {}
    while True:
        kids: dict[str, list[str]] = {}
        for code, parent in parents.items():
            kids.setdefault(parent, []).append(code)
        single = sorted(p for p, k in kids.items() if len(k) == 1)
        if not single:
            break
        node, child = single[0], kids[single[0]][0]
        if node == TOTAL:
            if child not in kids:
                raise ValueError("tau-Argus: une dimension d'une seule feuille.")
            for grandchild in kids[child]:
                parents[grandchild] = TOTAL
            del parents[child]
            alias[child] = TOTAL
        else:
            parents[child] = parents.pop(node)
            alias[node] = child
    for code, same in alias.items():
        target = same
        while target in alias:
            target = alias[target]
        alias[code] = target
    return parents, alias


def run_tauargus(
    dims: Sequence[Dimension],
    leaves: pd.DataFrame,
    suppress: str = "OPT",
    rule: Rule | str = RULE,
    max_minutes: int = 5,
    workdir: Path | None = None,
) -> TauArgusRun:
    """Protect a table of leaf cells (codes, value, freq) with tau-Argus, OPT or MOD.

    Each dimension may carry at most one hierarchy (tau-Argus takes one per explanatory
    variable) and no groups. The batch reads the leaves (tabular input), recomputes every
    total, applies ``rule`` (written for tau-Argus as ``str(rule)``) and suppresses; the
    intermediate output lists every cell.
    """
    safety_rule = parse_rule(rule) if isinstance(rule, str) else rule
    from pytauargus.batch import Suppress, parse_batch
    from pytauargus.engine import Engine

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tauargus_") as tmp:
        folder = Path(workdir or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        meta = ['<SEPARATOR> ";"']
        aliases: dict[str, dict[str, str]] = {}
        for dim in dims:
            if len(dim.hierarchies) > 1 or dim.groups:
                raise ValueError(f"tau-Argus: une seule hiérarchie par variable ({dim.name}).")
            meta += [f'{dim.name} "" ""', "  <RECODABLE>", f'  <TOTCODE> "{TOTAL}"']
            if dim.hierarchies:
                parents, aliases[dim.name] = collapse(dict(dim.hierarchies[0].parents))
                (folder / f"{dim.name}.hrc").write_text(hrc_text(parents))
                meta += [
                    "  <HIERARCHICAL>",
                    f'  <HIERCODELIST> "{dim.name}.hrc"',
                    '  <HIERLEADSTRING> "@"',
                ]
        meta += ['value "" ""', "  <NUMERIC>", "  <DECIMALS> 0", 'freq "" ""', "  <FREQUENCY>"]
        (folder / "table.rda").write_text("\n".join(meta) + "\n")
        names = [d.name for d in dims]
        lines = leaves[names].astype(str)
        lines["value"] = leaves["value"].map("{:.0f}".format)
        lines["freq"] = leaves["freq"].astype(int).astype(str)
        (folder / "table.tab").write_text(lines.to_csv(sep=";", header=False, index=False))
        method = f"OPT(1,{max_minutes})" if suppress == "OPT" else f"MOD(1,{max_minutes},1,1,1)"
        specify = "".join(f'"{n}"' for n in names)
        (folder / "batch.arb").write_text(
            f'<OPENTABLEDATA> "table.tab"\n<OPENMETADATA> "table.rda"\n'
            f'<SPECIFYTABLE> {specify}|"value"||\n<SAFETYRULE> {safety_rule}\n<READTABLE> 1\n'
            f'<SUPPRESS> {method}\n<WRITETABLE> (1,5,"SO+","out.tab")\n'
        )
        engine = Engine()
        engine._work_dir = folder
        engine._tables, engine._safety_rules_buf, engine._audit = [], [], {}
        engine._rounded_tables, engine._ckm_tables = set(), set()
        engine._protect_cover_table = False
        suppress_seconds = 0.0
        # The solvers write their logs (and read some back) in the working directory: give
        # them the run's own folder, never the caller's.
        with contextlib.chdir(folder):
            for command in parse_batch(folder / "batch.arb"):
                tick = time.perf_counter()
                engine._execute(command)
                if isinstance(command, Suppress):
                    suppress_seconds = time.perf_counter() - tick
        out = pd.read_csv(
            folder / "out.tab",
            sep=";",
            header=None,
            dtype=str,
            keep_default_na=False,
            names=[*names, "value", "freq", "cost", "status", "lower", "upper"],
        )
    frame = out[names].apply(lambda column: column.str.strip().str.strip('"').str.strip())
    frame["value"] = pd.to_numeric(out["value"])
    frame["freq"] = pd.to_numeric(out["freq"]).astype(int)
    frame["status"] = out["status"].map(_STATUS)
    if frame["status"].isna().any():
        raise RuntimeError(f"tau-Argus: statut inattendu {set(out['status'])}")
    for name, alias in aliases.items():
        for code, same in sorted(alias.items()):
            frame = pd.concat([frame, frame[frame[name] == same].assign(**{name: code})])
    frame = frame.reset_index(drop=True)
    return TauArgusRun(frame, aliases, suppress_seconds, time.perf_counter() - started)


def extend(dims: Sequence[Dimension], leaves: pd.DataFrame, pattern: pd.DataFrame) -> pd.DataFrame:
    """Lay a pattern over every cell of a bigger table: the cells it lacks are published.

    Used to add the EPCI margins (computed from the true leaves, as another release would
    publish them) to a tau-Argus pattern that only knew the département hierarchy.
    """
    table = build_table(dims, leaves)
    frame = table.keys()
    frame["value"], frame["freq"] = table.stats.value, table.stats.freq
    names = [d.name for d in dims]
    known = pattern.set_index(names)["status"]
    status = known.reindex(pd.MultiIndex.from_frame(frame[names])).to_numpy()
    fallback = np.where(frame["freq"] == 0, Status.EMPTY.value, Status.SAFE.value)
    frame["status"] = np.where(pd.isna(status), fallback, status)
    return frame


@dataclass(frozen=True)
class Disclosure:
    """Primary cells an audit finds unprotected: exactly computable, or too narrow."""

    exact: int
    narrow: int

    @property
    def total(self) -> int:
        """Return every unprotected primary cell."""
        return self.exact + self.narrow


def disclosure(dims: Sequence[Dimension], frame: pd.DataFrame, singleton: bool) -> Disclosure:
    """Audit a full pattern with our interval LPs; split the failures by kind."""
    report = audit(dims, frame, interval_percent=INTERVAL, singleton=singleton)
    value = np.empty(len(frame))
    value[cell_ids(dims, frame)] = frame["value"].to_numpy(np.float64)
    bad = report.unprotected
    width = np.nan_to_num(report.upper[bad] - report.lower[bad], nan=0.0)
    exact = int(np.sum(width <= 1e-7 * np.maximum(1.0, np.abs(value[bad]))))
    return Disclosure(exact, len(bad) - exact)


@dataclass(frozen=True)
class Row:
    """One table's comparison."""

    name: str
    communes: int
    leaves: int
    primaries: int
    ours_same: tuple[int, float, float]  # secondaries, suppressed value, seconds
    # The same table under tau-Argus's own rules: without our singleton rule (a lone unit
    # knows its own value), which tau-Argus's patterns do not satisfy.
    ours_plain: tuple[int, float]
    ours_both: tuple[int, float, float]
    # The exact mode (minimum suppressed value) on the same three tables.
    exact_same: tuple[int, float, float]
    exact_plain: tuple[int, float]
    exact_both: tuple[int, float, float]
    opt: tuple[int, float, float, float]  # + suppress-only seconds
    mod: tuple[int, float, float, float]
    opt_epci: Disclosure
    mod_epci: Disclosure
    opt_same_ok: bool  # the pattern passes our interval audit on the table tau-Argus saw
    mod_same_ok: bool
    opt_exposed: int  # primaries it leaves next to a singleton of another unit (same table)
    mod_exposed: int
    primaries_agree: bool
    deterministic: bool  # tau-Argus gave the same patterns on every run
    epcis: tuple[int, int]  # EPCIs in the table, those with a single commune in it


def _secondaries(frame: pd.DataFrame) -> tuple[int, float]:
    """Count secondary suppressions and sum their values."""
    chosen = frame["status"] == Status.SECONDARY.value
    return int(chosen.sum()), float(frame.loc[chosen, "value"].sum())


def geo_only(dims: Sequence[Dimension]) -> list[Dimension]:
    """Keep the first (département) hierarchy of each dimension, as tau-Argus sees it."""
    return [Dimension(d.name, d.leaves, tuple(d.hierarchies)[:1], d.groups) for d in dims]


T = TypeVar("T")


def _best(call: Callable[[], T], repeat: int = REPEAT) -> tuple[T, float]:
    """Run a call a few times; return its result and the best wall time (2 shared cores)."""
    best, result = np.inf, None
    for _ in range(repeat):
        tick = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - tick)
    assert result is not None
    return result, best


def compare(departements: tuple[str, ...], opt_minutes: int) -> Row:
    """Protect one table with both engines and audit every pattern."""
    frame = communes(departements)
    leaves = cells(frame)
    both = dimensions(frame)
    same = geo_only(both)
    names = [d.name for d in same]

    heuristic = "heuristic"
    ours_same, same_seconds = _best(lambda: protect(same, leaves, rules=[RULE], mode=heuristic))
    ours_both, both_seconds = _best(lambda: protect(both, leaves, rules=[RULE], mode=heuristic))
    plain = protect(same, leaves, rules=[RULE], options=Options(singleton=False), mode=heuristic)
    assert ours_same.ok and ours_both.ok and plain.ok
    exact_same, exact_seconds = _best(lambda: protect(same, leaves, rules=[RULE], mode="exact"))
    exact_both, exact_both_seconds = _best(
        lambda: protect(both, leaves, rules=[RULE], mode="exact")
    )
    exact_plain = protect(
        same, leaves, rules=[RULE], options=Options(singleton=False), mode="exact"
    )
    assert exact_same.ok and exact_both.ok and exact_plain.ok

    runs, stable = {}, True
    for method in ("OPT", "MOD"):
        tries = [run_tauargus(same, leaves, method, max_minutes=opt_minutes) for _ in range(REPEAT)]
        runs[method] = min(tries, key=lambda r: r.total_seconds)
        stable &= all(t.cells.equals(tries[0].cells) for t in tries)
    figures, epci, same_ok, exposed = {}, {}, {}, {}
    ours_primary = ours_same.cells.set_index(names)["status"] == Status.PRIMARY.value
    agree = True
    for method, run in runs.items():
        figures[method] = (*_secondaries(run.cells), run.total_seconds, run.suppress_seconds)
        pattern = extend(same, leaves, run.cells)
        same_ok[method] = disclosure(same, pattern, singleton=False).total == 0
        exposed[method] = disclosure(same, pattern, singleton=True).total
        epci[method] = disclosure(both, extend(both, leaves, run.cells), singleton=False)
        theirs = run.cells.set_index(names)["status"] == Status.PRIMARY.value
        agree &= bool((theirs.reindex(ours_primary.index) == ours_primary).all())
    return Row(
        name="+".join(departements),
        communes=len(frame),
        leaves=len(leaves),
        primaries=int(ours_primary.sum()),
        ours_same=(*_secondaries(ours_same.cells), same_seconds),
        ours_plain=_secondaries(plain.cells),
        ours_both=(*_secondaries(ours_both.cells), both_seconds),
        exact_same=(*_secondaries(exact_same.cells), exact_seconds),
        exact_plain=_secondaries(exact_plain.cells),
        exact_both=(*_secondaries(exact_both.cells), exact_both_seconds),
        opt=figures["OPT"],
        mod=figures["MOD"],
        opt_epci=epci["OPT"],
        mod_epci=epci["MOD"],
        opt_same_ok=same_ok["OPT"],
        mod_same_ok=same_ok["MOD"],
        opt_exposed=exposed["OPT"],
        mod_exposed=exposed["MOD"],
        primaries_agree=agree,
        deterministic=stable,
        epcis=(frame["epci"].nunique(), int((frame.groupby("epci").size() == 1).sum())),
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ("1.00" if a == 0 else "inf")


def markdown(rows: Sequence[Row], opt_minutes: int) -> str:
    """Lay the comparison out as markdown tables."""
    from importlib.metadata import version

    out = [
        f"`python -m bench.secrecy_vs_tauargus` (pytauargus {version('pytauargus')}, tau-Argus "
        "engine with HiGHS; 2-core sandbox; generated foyer counts, communes x 7 age bands, "
        f"`{RULE}`, cost = value, {INTERVAL:g}% protection interval). tau-Argus takes one "
        "hierarchy per explanatory variable: it protects the table with the département "
        "hierarchy (commune < département < région; a node with a single child, such as a "
        "région of one département, is folded into it since tau-Argus refuses it). Ours "
        "protects that same table (the ratios below: goal <= 1.0), then the table with both "
        "hierarchies as the gateway publishes it. Times are the best of "
        f"{REPEAT} runs.",
        "",
        "Secondary suppressions (count / suppressed value) on the same table "
        "(département hierarchy only):",
        "",
        "| table | communes | leaf cells | primaries | ours | tau-Argus OPT | tau-Argus MOD "
        "| ours/OPT (n, value) | ours/MOD (n, value) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r.name} | {r.communes} | {r.leaves} | {r.primaries} "
            f"| {r.ours_same[0]} / {r.ours_same[1]:,.0f} | {r.opt[0]} / {r.opt[1]:,.0f} "
            f"| {r.mod[0]} / {r.mod[1]:,.0f} "
            f"| {_ratio(r.ours_same[0], r.opt[0])}, {_ratio(r.ours_same[1], r.opt[1])} "
            f"| {_ratio(r.ours_same[0], r.mod[0])}, {_ratio(r.ours_same[1], r.mod[1])} |"
        )
    out += [
        "",
        "Under tau-Argus's own rules (our singleton rule off, which its patterns do not meet; "
        "same table, same cost = value):",
        "",
        "| table | ours | ours/OPT (n, value) | ours/MOD (n, value) |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r.name} | {r.ours_plain[0]} / {r.ours_plain[1]:,.0f} "
            f"| {_ratio(r.ours_plain[0], r.opt[0])}, {_ratio(r.ours_plain[1], r.opt[1])} "
            f"| {_ratio(r.ours_plain[0], r.mod[0])}, {_ratio(r.ours_plain[1], r.mod[1])} |"
        )
    out += [
        "",
        "Time (s; tau-Argus: whole batch, and its SUPPRESS step alone) and time ratios:",
        "",
        "| table | ours | tau-Argus OPT (suppress) | tau-Argus MOD (suppress) | ours/OPT "
        "| ours/MOD |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r.name} | {r.ours_same[2]:.2f} | {r.opt[2]:.2f} ({r.opt[3]:.2f}) "
            f"| {r.mod[2]:.2f} ({r.mod[3]:.2f}) | {_ratio(r.ours_same[2], r.opt[2])} "
            f"| {_ratio(r.ours_same[2], r.mod[2])} |"
        )
    out += [
        "",
        "Once the EPCI totals are also published (both hierarchies): our pattern on that table, "
        "and the primary cells of tau-Argus's patterns, extended with the true EPCI margins, "
        "that our audit finds exactly computable (a single feasible value) / under-protected "
        "(interval narrower than the 10% required):",
        "",
        "| table | EPCIs (one commune) | ours: secondaries / value / s | ours audit "
        "| OPT exact / narrow | MOD exact / narrow |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r.name} | {r.epcis[0]} ({r.epcis[1]}) "
            f"| {r.ours_both[0]} / {r.ours_both[1]:,.0f} / {r.ours_both[2]:.2f} | ok "
            f"| {r.opt_epci.exact} / {r.opt_epci.narrow} "
            f"| {r.mod_epci.exact} / {r.mod_epci.narrow} |"
        )
    out += exact_markdown(rows)
    checks = all(r.opt_same_ok and r.mod_same_ok and r.primaries_agree for r in rows)
    stable = all(r.deterministic for r in rows)
    exposed = ", ".join(f"{r.name}: {r.opt_exposed} / {r.mod_exposed}" for r in rows)
    out += [
        "",
        f"OPT capped at {opt_minutes} min (OPT(1,{opt_minutes})); MOD is "
        f"MOD(1,{opt_minutes},1,1,1). On the table tau-Argus saw, both its patterns pass our "
        f"interval audit and both engines mark the same primaries: "
        f"{'yes' if checks else 'NO (see the rows)'}. Primaries that our singleton rule "
        f"finds exposed there (a singleton cell's unit subtracting its own value; OPT / MOD): "
        f"{exposed}. tau-Argus gave the same pattern on each of {REPEAT} runs: "
        f"{'yes' if stable else 'NO'}.",
    ]
    wrapped = [line if line.startswith("|") else textwrap.fill(line, 95) for line in out]
    return "\n".join(wrapped) + "\n"


def exact_markdown(rows: Sequence[Row]) -> list[str]:
    """The exact mode beside the heuristic and tau-Argus (count / suppressed value)."""
    out = [
        "",
        "Exact mode (`--mode exact`: minimum suppressed value, MILP with lazily added "
        "protection cuts) on the same tables; heuristic = `--mode heuristic`; the ratios "
        "compare exact with the best of OPT and MOD (goal <= 1.0):",
        "",
        "| table | heuristic | exact | exact / best (n, value) | singleton off: heuristic "
        "| exact | exact / best (n, value) | both hierarchies: heuristic | exact | exact s "
        "(département, both) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        best = min(r.opt[:2], r.mod[:2], key=lambda f: (f[1], f[0]))
        out.append(
            f"| {r.name} | {r.ours_same[0]} / {r.ours_same[1]:,.0f} "
            f"| {r.exact_same[0]} / {r.exact_same[1]:,.0f} "
            f"| {_ratio(r.exact_same[0], best[0])}, {_ratio(r.exact_same[1], best[1])} "
            f"| {r.ours_plain[0]} / {r.ours_plain[1]:,.0f} "
            f"| {r.exact_plain[0]} / {r.exact_plain[1]:,.0f} "
            f"| {_ratio(r.exact_plain[0], best[0])}, {_ratio(r.exact_plain[1], best[1])} "
            f"| {r.ours_both[0]} / {r.ours_both[1]:,.0f} "
            f"| {r.exact_both[0]} / {r.exact_both[1]:,.0f} "
            f"| {r.exact_same[2]:.2f}, {r.exact_both[2]:.2f} |"
        )
    return out


def write_readme(text: str) -> None:
    """Replace (or add) the "Versus tau-Argus" section of the engine's README."""
    readme = README.read_text()
    section = f"{HEADING}\n\n{text}"
    if HEADING in readme:
        head, rest = readme.split(HEADING, 1)
        following = rest.find("\n#")
        tail = rest[following + 1 :] if following >= 0 else ""
        readme = head + section + ("\n" + tail if tail else "")
    else:
        readme = readme.rstrip("\n") + "\n\n" + section
    README.write_text(readme)


def main(argv: Sequence[str]) -> None:
    """Compare on the tables named on the command line (or the default set)."""
    parser = tables_parser("bench.secrecy_vs_tauargus", __doc__)
    parser.add_argument("--opt-minutes", type=int, default=5, help="limite de tau-Argus OPT")
    parser.add_argument("--readme", action="store_true", help="écrire les chiffres au README")
    parser.add_argument("--public", action="store_true", help="ajouter les tables publiques")
    args = parser.parse_args(argv)
    readme, public, opt_minutes = args.readme, args.public, args.opt_minutes
    targets = args.tables or [tuple(a.split("+")) for a in DEFAULT]
    rows = []
    for target in targets:
        row = compare(target, opt_minutes)
        print(row, flush=True)
        rows.append(row)
    text = markdown(rows, opt_minutes)
    if public:
        from bench.secrecy_published import run_public

        text += "\n" + run_public()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text += f"\nLoad average at the end of the run (1, 5, 15 min): {load}.\n"
    print(text)
    if readme:
        write_readme(text)


if __name__ == "__main__":
    main(sys.argv[1:])
