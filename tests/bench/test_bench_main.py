"""`python -m bench` (`make bench`): every benchmark of bench/ is run, and summarised."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from bench.__main__ import BENCHES, Bench, command, main, run, summary
from gateway.config import REPO_ROOT

BENCH_DIR = REPO_ROOT / "bench"


def _is_runnable(path: Path) -> bool:
    """Tell whether a module of bench/ is a command (it has `if __name__ == "__main__"`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body
    )


def test_every_benchmark_of_the_folder_is_run() -> None:
    runnable = {
        f"bench.{p.stem}"
        for p in BENCH_DIR.glob("*.py")
        if p.stem != "__main__" and _is_runnable(p)
    }
    assert runnable == {b.module for b in BENCHES}


def test_quick_commands_share_the_instance_and_full_ones_take_the_defaults(
    tmp_path: Path,
) -> None:
    store, extract = BENCHES[0], next(b for b in BENCHES if b.name == "extract")
    assert command(store, full=False, instance=tmp_path)[2:] == [
        "bench.store_bench", "--repeat", "5", "--root", str(tmp_path / "cells"),
    ]  # fmt: skip
    assert command(extract, full=True, instance=tmp_path)[2:] == [
        "bench.extract_bench", "--instance", str(tmp_path),
    ]  # fmt: skip


def test_a_run_keeps_the_last_result_line_or_the_error(capsys) -> None:  # type: ignore[no-untyped-def]
    ok = run(Bench("ok", "x"), [sys.executable, "-c", "print('début'); print('figure : 42 ms')"])
    failing = run(
        Bench("ko", "y"),
        [sys.executable, "-c", "import sys; print('a'); sys.exit('erreur : base absente')"],
    )
    assert (ok.returncode, ok.outcome, ok.last_line) == (0, "réussi", "figure : 42 ms")
    assert (failing.outcome, failing.last_line) == ("échec (code 1)", "erreur : base absente")
    assert "figure : 42 ms" in capsys.readouterr().out  # the bench's own output is shown

    table = summary([ok, failing]).splitlines()
    assert table[0] == "| Banc | Commande | Résultat | Durée | Dernière ligne |"
    assert table[2].startswith("| ok | `python -c ") and "| réussi |" in table[2]
    assert "| échec (code 1) |" in table[3] and table[3].endswith("erreur : base absente |")


def test_list_prints_one_command_per_benchmark(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--list", "--only", "store", "attacks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["store", "attacks"]
    assert lines[1] == "attacks: -m bench.attacks --requests 40 --seed 7"
