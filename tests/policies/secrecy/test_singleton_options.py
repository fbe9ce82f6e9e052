"""tau-Argus's singleton options, one by one: single-single, single-multiple, min frequency.

Each is shown on the smallest table where it changes the pattern (on: one more withheld cell;
off: none, the attacker's programs alone being satisfied), in both engines, and checked by the
audit; then the exact mode reaches the optimum of a brute force over every pattern, with an
oracle of its own for each option.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policies.secrecy import Dimension, Options, audit, protect
from policies.secrecy.cli import main
from policies.secrecy.status import Status
from tests.policies.secrecy.test_exact import GEO, _cost, _leaves, _protected

LINE = Dimension("x", ["a", "b", "c"])


def _table(freqs: tuple[int, int, int]) -> pd.DataFrame:
    """Total = a + b + c; a and b small (the cells at risk), c large and safe."""
    return pd.DataFrame({"x": ["a", "b", "c"], "value": [10.0, 12.0, 100.0], "freq": list(freqs)})


def _secondaries(result) -> set[str]:  # type: ignore[no-untyped-def]
    frame = result.cells
    return set(frame.loc[frame["status"] == Status.SECONDARY.value, "x"])


CASES = [
    # Two singletons of different units alone in the relation: each recomputes the other.
    pytest.param((1, 1, 20), "single_single", id="single-single"),
    # A singleton and a cell of two units (primary by FREQ(3)): the singleton's unit
    # subtracts its own value and learns the other cell.
    pytest.param((1, 2, 20), "single_multiple", id="single-multiple"),
    # Two cells of two units each, primary by FREQ(5): together 4 units, fewer than 5; the
    # relation gives their sum, a cell of too few units.
    pytest.param((2, 2, 20), "min_frequency", id="min-frequency"),
]


@pytest.mark.parametrize("mode", ["heuristic", "exact"])
@pytest.mark.parametrize(("freqs", "option"), CASES)
def test_each_option_asks_for_one_more_cell_and_only_when_on(
    freqs: tuple[int, int, int], option: str, mode: str
) -> None:
    rules = ["FREQ(5,10)"] if option == "min_frequency" else ["FREQ(3,10)"]
    on = Options(**{"single_single": False, "single_multiple": False, option: True})
    off = Options(single_single=False, single_multiple=False)
    guarded = protect([LINE], _table(freqs), rules=rules, options=on, mode=mode)
    bare = protect([LINE], _table(freqs), rules=rules, options=off, mode=mode)
    assert guarded.ok and bare.ok
    assert set(guarded.cells.loc[guarded.cells["status"] == Status.PRIMARY.value, "x"]) == {
        "a",
        "b",
    }
    assert _secondaries(bare) == set()  # the intervals alone: a and b each in [0, 22]
    assert _secondaries(guarded) == {"c"}
    # The audit with the option finds the bare pattern disclosing, and passes the other.
    for result, safe in ((guarded, True), (bare, False)):
        frame = result.cells[["x", "value", "freq", "status"]]
        report = audit([LINE], frame, interval_percent=10.0, options=on, rules=rules)
        assert report.ok is safe


def test_the_other_options_leave_the_pattern_alone() -> None:
    """Single-multiple does not protect two singletons, nor single-single a singleton next
    to a cell of several units; min frequency counts units, not singletons."""
    only_multiple = Options(single_single=False)
    only_single = Options(single_multiple=False)
    two_singletons = protect(
        [LINE], _table((1, 1, 20)), rules=["FREQ(3,10)"], options=only_multiple
    )
    mixed = protect([LINE], _table((1, 2, 20)), rules=["FREQ(3,10)"], options=only_single)
    assert _secondaries(two_singletons) == set() and _secondaries(mixed) == set()
    # Six units between them: min frequency is satisfied under FREQ(5).
    enough = protect(
        [LINE], _table((3, 3, 20)), rules=["FREQ(5,10)"], options=Options(min_frequency=True)
    )
    assert _secondaries(enough) == set()


def test_min_frequency_does_not_count_cells_on_both_sides_of_a_relation() -> None:
    """A withheld total and one withheld part give a difference, not a group's sum."""
    parent = Dimension("x", ["a", "b", "c", "d"])
    leaves = pd.DataFrame(
        {"x": ["a", "b", "c", "d"], "value": [1.0, 2.0, 40.0, 50.0], "freq": [2, 2, 9, 9]}
    )
    guarded = protect(
        [parent], leaves, rules=["FREQ(5,10)"], options=Options(min_frequency=True), mode="exact"
    )
    assert guarded.ok
    frame = guarded.cells
    report = audit(
        [parent],
        frame[["x", "value", "freq", "status"]],
        interval_percent=10.0,
        options=Options(min_frequency=True),
        rules=["FREQ(5,10)"],
    )
    assert report.ok


def _options_hold(  # type: ignore[no-untyped-def]
    result, pattern: np.ndarray, primary: np.ndarray, options: Options, threshold: int
) -> bool:
    """The options checked with loops over the dense relations (the oracle's own code)."""
    relations = result.table.relations.toarray()
    owner, freq = result.table.stats.owner, result.table.stats.freq
    for row in relations:
        inside = np.flatnonzero((row != 0) & pattern)
        if len(inside) == 2 and options.singleton:
            for a, b in (inside, inside[::-1]):
                if owner[a] < 0 or owner[a] == owner[b] or not primary[b]:
                    continue
                if options.single_single if owner[b] >= 0 else options.single_multiple:
                    return False
        if not options.min_frequency or len(inside) < 2 or not primary[inside].all():
            continue
        if len(set(np.sign(row[inside]).tolist())) == 1 and 0 < freq[inside].sum() < threshold:
            return False
    return True


def _optimum(result, options: Options, threshold: int) -> float:  # type: ignore[no-untyped-def]
    """The least suppressed value over every pattern the LPs and the options accept."""
    table, status = result.table, result.cells["status"].to_numpy()
    primary = status == Status.PRIMARY.value
    free = np.flatnonzero((status == Status.SAFE.value) | (status == Status.SECONDARY.value))
    relations = table.relations.toarray()
    best = np.inf
    for size in range(len(free) + 1):
        for chosen in itertools.combinations(free.tolist(), size):
            cost = float(table.stats.value[list(chosen)].sum())
            if cost >= best:
                continue
            pattern = primary.copy()
            pattern[list(chosen)] = True
            if not _options_hold(result, pattern, primary, options, threshold):
                continue
            if _protected(relations, table.stats.value, pattern, primary, 10.0, None):
                best = cost
    return best


OPTION_SETS = [
    Options(single_multiple=False),
    Options(single_single=False),
    Options(singleton=False, min_frequency=True),
    Options(min_frequency=True),
]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("options", OPTION_SETS, ids=["ss", "sm", "minfreq", "all"])
def test_exact_reaches_the_brute_force_optimum_under_each_option(
    seed: int, options: Options
) -> None:
    leaves = _leaves([GEO], 70 + seed)
    result = protect([GEO], leaves, rules=["FREQ(5,10)"], options=options, mode="exact")
    optimum = _optimum(result, options, 5)
    assert result.ok == np.isfinite(optimum)
    if result.ok:
        assert _cost(result.cells, options.cost) == pytest.approx(optimum)


def test_the_options_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "cells.csv").write_text(
        "x,value,freq\na,10,1\nb,12,1\nc,100,20\n", encoding="utf-8"
    )
    base = ["protect", f"--cells={tmp_path / 'cells.csv'}", "--value=value", "--freq=freq"]
    base += ["--dim=x", "--rule=FREQ(3,10)"]
    outputs = {}
    for name, flags in (("on", []), ("off", ["--no-single-single"])):
        out = tmp_path / f"{name}.csv"
        assert main([*base, *flags, f"--out={out}"]) == 0
        outputs[name] = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("x")
    assert outputs["on"].loc["c", "status"] == Status.SECONDARY.value
    assert outputs["off"].loc["c", "status"] == Status.SAFE.value
    # The audit of the bare pattern (its values and unit counts given back: the published
    # file has none for withheld cells) fails with the option, passes without it.
    full = outputs["off"][["status"]].join(
        pd.DataFrame(
            {"value": [122, 10, 12, 100], "freq": [22, 1, 1, 20]}, index=list("Tabc")
        ).rename(index={"T": "Total"})
    )
    full.to_csv(tmp_path / "full.csv")
    audit_args = ["audit", f"--cells={tmp_path / 'full.csv'}", "--value=value", "--dim=x"]
    assert main([*audit_args, "--freq=freq"]) == 1
    assert main([*audit_args, "--freq=freq", "--no-single-single"]) == 0
