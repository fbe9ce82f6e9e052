"""Command line: protect then audit CSV files; bad input named by file and line, no traceback."""

from pathlib import Path

import pandas as pd
import pytest

from policies.secrecy.cli import main

CELLS = "geo,age,n\na,y,10\na,o,1\nb,y,3\nb,o,9\nc,y,12\nc,o,7\n"
HRC = "X\n@a\n@b\nY\n@c\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cells.csv").write_text(CELLS, encoding="utf-8")
    (tmp_path / "geo.hrc").write_text(HRC, encoding="utf-8")
    (tmp_path / "rel.csv").write_text(
        "dimension,group,member\ngeo,Z,a\ngeo,Z,c\n", encoding="utf-8"
    )
    return tmp_path


def _protect(files: Path, *extra: str) -> int:
    return main(
        [
            "protect",
            f"--cells={files / 'cells.csv'}",
            f"--dim=geo={files / 'geo.hrc'}",
            "--dim=age",
            "--value=n",
            "--freq=n",
            "--rule=FREQ(3,10)",
            f"--out={files / 'out.csv'}",
            *extra,
        ]
    )


def test_protect_writes_every_cell_and_audit_passes(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _protect(files, f"--relations={files / 'rel.csv'}") == 0
    out = pd.read_csv(files / "out.csv", dtype={"geo": str, "age": str}, keep_default_na=False)
    assert len(out) == (1 + 2 + 1 + 3) * 3
    assert set(out["status"]) <= {"S", "U", "M", "Z", "A"}
    primary = out[out["status"] == "U"]
    assert set(zip(primary["geo"], primary["age"], strict=True)) == {("a", "o")}
    assert (out.loc[out["status"].isin(["U", "M"]), "value"] == "").all()
    args = ["audit", f"--cells={files / 'out.csv'}", f"--dim=geo={files / 'geo.hrc'}", "--dim=age"]
    args += [f"--relations={files / 'rel.csv'}", "--value=value", "--interval-percent=10"]
    assert main(args) == 0
    assert "a,o U [" in capsys.readouterr().out


def test_audit_fails_on_an_exactly_disclosed_cell(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _protect(files) == 0
    out = pd.read_csv(files / "out.csv", dtype=str, keep_default_na=False)
    # Publish every secondary cell again: the primary becomes recomputable from its row.
    out.loc[out["status"] == "M", "status"] = "S"
    out.loc[out["status"] == "S", "value"] = "0"
    out.to_csv(files / "bad.csv", index=False)
    args = ["audit", f"--cells={files / 'bad.csv'}", f"--dim=geo={files / 'geo.hrc'}", "--dim=age"]
    assert main([*args, "--value=value", "--interval-percent=10"]) == 1
    assert "non protégée" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cells", "hrc", "extra", "message"),
    [
        (CELLS + "x,y,3\n", HRC, (), "cells.csv, ligne 8 : code « x » inconnu"),
        (CELLS + "a,y,3\n", HRC, (), "cells.csv, ligne 8 : cellule en double"),
        (CELLS.replace("b,o,9", "b,o,-9"), HRC, (), "cells.csv, ligne 5 : effectif"),
        (CELLS.replace("b,o,9", "b,o,abc"), HRC, (), "cells.csv, ligne 5"),
        (CELLS, "X\n@a\n@b\n", (), "cells.csv, ligne 6 : code « c » inconnu"),
        (CELLS, HRC, ("--rule=NK(21,1)",), "n, le nombre de plus gros contributeurs"),
        (CELLS, HRC, ("--rule=NK(3,80)",), "Les règles NK/P exigent la colonne top1"),
        (CELLS, HRC, ("--rule=FREQ(3",), "Règle mal formée"),
        (CELLS, "", (), "geo.hrc : aucun code"),
        (CELLS, "\n\n", (), "geo.hrc : aucun code"),
        ("geo,age,n\n", HRC, (), "cells.csv : aucune ligne de données"),
        ("", HRC, (), "cells.csv : fichier vide"),
    ],
)
def test_bad_input_is_refused_in_french(
    files: Path,
    capsys: pytest.CaptureFixture[str],
    cells: str,
    hrc: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    (files / "cells.csv").write_text(cells, encoding="utf-8")
    (files / "geo.hrc").write_text(hrc, encoding="utf-8")
    assert _protect(files, *extra) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_microdata_and_apriori(files: Path) -> None:
    rows = ["a,y,5,f1", "a,y,4,f2", "a,o,3,f1", "b,y,8,f3", "b,o,2,f4", "c,y,6,f5", "c,o,6,f6"]
    micro = "geo,age,amount,foyer\n" + "\n".join(rows) + "\n"
    (files / "micro.csv").write_text(micro, encoding="utf-8")
    (files / "apriori.csv").write_text("geo,age,status\nX,Total,published\n", encoding="utf-8")
    args = ["protect", f"--microdata={files / 'micro.csv'}", "--holding=foyer", "--value=amount"]
    args += [f"--dim=geo={files / 'geo.hrc'}", "--dim=age", "--rule=FREQ(2,10)"]
    args += [f"--apriori={files / 'apriori.csv'}", f"--out={files / 'out.csv'}"]
    assert main(args) == 0
    out = pd.read_csv(files / "out.csv", dtype=str, keep_default_na=False)
    out = out.set_index(["geo", "age"])
    assert out.loc[("X", "Total"), "status"] == "A"
    assert tuple(out.loc[("a", "o"), ["status", "reason"]]) == ("U", "singleton")
    # Foyer f1 gives 5 and 3 to commune a: two units there (f1, f2), not three rows.
    assert tuple(out.loc[("a", "Total"), ["status", "freq"]]) in (("S", "2"), ("M", ""))


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("E\n@a\n@b\n@c\n@d\n", "geo2.hrc, ligne 5 : code inconnu « d »"),
        ("E\n@a\n@b\n", "geo2.hrc : la feuille « c » de geo est absente"),
    ],
)
def test_second_hierarchy_must_cover_the_same_leaves(
    files: Path, capsys: pytest.CaptureFixture[str], second: str, message: str
) -> None:
    (files / "geo2.hrc").write_text(second, encoding="utf-8")
    hrc = f"--dim=geo={files / 'geo.hrc'},{files / 'geo2.hrc'}"
    args = ["protect", f"--cells={files / 'cells.csv'}", hrc, "--dim=age", "--value=n"]
    assert main([*args, "--freq=n", "--rule=FREQ(3)", f"--out={files / 'o.csv'}"]) == 2
    assert message in capsys.readouterr().err


def test_three_largest_contributions_and_the_freq_margin(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """NK(3,k) reads three top columns; FREQ(n,r) cells need r%, written for the audit."""
    rows = ["a,y,10,4,4,1,1", "a,o,9,5,1,1,2", "b,y,30,10,9,8,4", "b,o,40,30,4,3,5"]
    rows += ["c,y,12,5,4,3,3", "c,o,7,2,2,2,4"]
    text = "geo,age,value,top1,top2,top3,n\n" + "\n".join(rows) + "\n"
    (files / "tops.csv").write_text(text, encoding="utf-8")
    args = ["protect", f"--cells={files / 'tops.csv'}", f"--dim=geo={files / 'geo.hrc'}"]
    args += ["--dim=age", "--value=value", "--freq=n", "--top=top1,top2,top3"]
    args += ["--rule=FREQ(3,5)", "--rule=NK(3,95)", "--no-singleton", "--interval-percent=15"]
    assert main([*args, f"--out={files / 'out.csv'}"]) == 0
    out = pd.read_csv(files / "out.csv", dtype=str, keep_default_na=False)
    out = out.set_index(["geo", "age"])
    # a,o: 2 units, primary by FREQ(3,5), needs 5 %.
    assert tuple(out.loc[("a", "o"), ["status", "reason", "interval_percent"]]) == (
        "U",
        "frequency",
        "5.0",
    )
    # b,y: 10 + 9 + 8 = 27 of 30 is 90 %: safe; c,y: its three units make all of it, dominated
    # (NK(3,95)), needs the table's 15 %.
    assert out.loc[("b", "y"), "status"] != "U"
    assert tuple(out.loc[("c", "y"), ["status", "reason", "interval_percent"]]) == (
        "U",
        "dominance",
        "15.0",
    )
    assert out.loc[out["status"] != "U", "interval_percent"].eq("").all()
    audit = ["audit", f"--cells={files / 'out.csv'}", f"--dim=geo={files / 'geo.hrc'}"]
    assert main([*audit, "--dim=age", "--value=value"]) == 0
    capsys.readouterr()


def test_contributions_is_microdata_and_every_option_is_explained(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["a,y,5,f1", "a,o,3,f1", "b,y,8,f3", "b,o,2,f4", "c,y,6,f5", "c,o,6,f6"]
    (files / "c.csv").write_text("geo,age,v,foyer\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args = ["protect", f"--contributions={files / 'c.csv'}", "--holding=foyer", "--value=v"]
    args += [f"--dim=geo={files / 'geo.hrc'}", "--dim=age", "--rule=P(10,2)"]
    assert main([*args, f"--out={files / 'out.csv'}"]) == 0
    out = pd.read_csv(files / "out.csv", dtype=str, keep_default_na=False).set_index(["geo", "age"])
    # Foyer f1 is on two leaves of commune a: one unit there (a singleton), not two.
    assert tuple(out.loc[("a", "Total"), ["status", "reason"]]) == ("U", "singleton")
    with pytest.raises(SystemExit):
        main(["protect", "--help"])
    helped = capsys.readouterr().out
    for option in ("--contributions", "--top", "--rule", "--no-singleton", "--pair", "--cost"):
        assert option in helped
    assert "single-multiple" in helped and "marge de protection" in helped
