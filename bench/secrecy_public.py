"""Public test tables of sdcTable and rtauargus, with the patterns their sources publish.

Every table is read, when the comparison runs, from the public repository that publishes it
(cited per table: repository and file), as the project's ``fetch`` tool mirrors it: a bare
git directory under ``SECRECY_SOURCES`` (default ``/work/.mirror``), e.g.
``/work/.mirror/sdcTools+sdcTable/repo``. Nothing of those repositories is copied into ours;
a table whose repository is absent is skipped with the name of what to fetch.

Each table comes with the published secondary suppressions (count, and cost and cells when
the source prints them) under the source's rules, written here as ours: same primary cells
(rules or hand-set a-priori statuses), same protection interval, our singleton rule only
where the source detects singletons.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from policies.secrecy import Apriori, Dimension, Hierarchy, Options

SOURCES = Path(os.environ.get("SECRECY_SOURCES", "/work/.mirror"))
SDCTABLE = "sdcTools/sdcTable"
RTAUARGUS = "InseeFrLab/rtauargus"
Key = tuple[str, ...]


class MissingSource(LookupError):
    """A repository that is not mirrored here."""


@dataclass(frozen=True)
class Published:
    """The pattern a source publishes: method, secondaries and what else it states."""

    method: str
    secondaries: int
    cells: frozenset[Key] | None = None  # the secondary cells, when the source lists them
    note: str = ""


@dataclass(frozen=True)
class PublicTable:
    """A public test table, our reading of its rules, and its published pattern."""

    name: str
    source: str  # repository and file(s)
    dims: list[Dimension]
    options: Options
    cells: pd.DataFrame | None = None
    microdata: pd.DataFrame | None = None
    rules: tuple[str, ...] = ()
    apriori: dict[Key, Apriori] = field(default_factory=dict)
    published: Published | None = None
    expected_primaries: frozenset[Key] | None = None  # the primary cells the source states


def show(repo: str, path: str) -> bytes:
    """Return a file of a mirrored repository at its newest stored commit."""
    git_dir = SOURCES / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise MissingSource(f"{repo} (fetch github:{repo})")
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
        capture_output=True,
        check=True,
    )
    return done.stdout


def r_vector(text: str, name: str) -> list[str]:
    """Read ``name = c(...)`` of R source: strings, numbers and ``rep("x", n)`` items."""
    found = re.search(rf"\b{name}\s*=\s*c\(((?:[^()]|\([^()]*\))*)\)", text)
    if found is None:
        raise ValueError(f"vecteur R « {name} » introuvable")
    items: list[str] = []
    for rep, times, single in re.findall(
        r'rep\(\s*"([^"]*)"\s*,\s*(\d+)\s*\)|("[^"]*"|[-\d.]+)', found.group(1)
    ):
        items += [rep] * int(times) if rep else [single.strip('"')]
    return items


def flat(name: str, leaves: list[str]) -> Dimension:
    """A dimension of leaves under the grand total."""
    return Dimension(name, leaves)


# ---------------------------------------------------------------- sdcTable


def sdc_4x4(interval_percent: float = 10.0) -> PublicTable:
    """sdcTable's 4x4 problem with nine hand-set primaries (R/test_problems.R).

    Its SIMPLEHEURISTIC only asks that no primary be computed exactly: interval 0 is the
    same rule; 10% is ours.
    """
    text = show(SDCTABLE, "R/test_problems.R").decode()
    body = text[text.index("problemdata <- function()") :]
    cells = re.findall(r'dt\[v1 == "(\w)" & v2 == "(\w)", freq := (\d+)\]', body)
    leaves = pd.DataFrame(
        [(a, b, float(n), int(n)) for a, b, n in cells], columns=["v1", "v2", "value", "freq"]
    )
    v1, v2 = r_vector(body, "v1"), r_vector(body, "v2")
    return PublicTable(
        name=f"sdcTable 4x4, 9 a-priori primaries, interval {interval_percent:g}%",
        source=f"{SDCTABLE} R/test_problems.R (problemdata), tests/testthat/test-simpleheuristic.R",
        dims=[flat("v1", ["w", "x", "y", "z"]), flat("v2", ["a", "b", "c", "d"])],
        options=Options(singleton=False, interval_percent=interval_percent),
        cells=leaves,
        apriori=dict.fromkeys(zip(v1, v2, strict=True), Apriori.SUPPRESSED),
        published=Published(
            "SIMPLEHEURISTIC",
            1,
            note="the test asserts 1 secondary and w|b's attacked interval [0, 78]",
        ),
    )


def _microdata1() -> pd.DataFrame:
    """sdcTable's microdata1 (data-raw/microdata1.R): region, gender, val; one unit a row."""
    text = show(SDCTABLE, "data-raw/microdata1.R").decode()
    frame = pd.DataFrame(
        {
            "region": r_vector(text, "region"),
            "gender": r_vector(text, "gender"),
            "value": [float(v) for v in r_vector(text, "val")],
        }
    )
    frame["unit"] = [f"u{k}" for k in range(len(frame))]
    return frame


REGION_GENDER = [flat("region", ["A", "B", "C", "D"]), flat("gender", ["male", "female"])]
# sdcTable's result order (region, then gender; totals first): cells 5, 6, 11, 12, 14, 15.
_SDC_CELLS = {5: ("A", "male"), 6: ("A", "female"), 11: ("C", "male"), 12: ("C", "female")}
_SDC_CELLS |= {14: ("D", "male"), 15: ("D", "female")}


def sdc_region_gender() -> PublicTable:
    """microdata1, region x gender, A x female hand-set primary (tests/.../test-protectTable.r)."""
    return PublicTable(
        name="sdcTable region x gender, A x female primary",
        source=f"{SDCTABLE} data-raw/microdata1.R, tests/testthat/test-protectTable.r",
        dims=REGION_GENDER,
        options=Options(singleton=False),
        microdata=_microdata1(),
        apriori={("A", "female"): Apriori.SUPPRESSED},
        published=Published(
            "OPT (also HYPERCUBE, HITAS)",
            3,
            frozenset({_SDC_CELLS[5], _SDC_CELLS[11], _SDC_CELLS[12]}),
            "non-safe cells 5, 6, 11, 12",
        ),
    )


def sdc_region_gender_nk() -> PublicTable:
    """microdata1 with NK(2,75) (its P(70) marks the same cells, test-primarySuppression.r)."""
    return PublicTable(
        name="sdcTable region x gender, NK(2,75)",
        source=f"{SDCTABLE} data-raw/microdata1.R, tests/testthat/test-primarySuppression.r",
        dims=REGION_GENDER,
        options=Options(singleton=False),
        microdata=_microdata1(),
        rules=("NK(2,75)",),
        published=None,
        expected_primaries=frozenset({_SDC_CELLS[6], _SDC_CELLS[14]}),
    )


def sdc_region_gender_p() -> PublicTable:
    """microdata1 with P(70) (sdcTable's p rule: P(70,1) as tau-Argus writes it)."""
    table = sdc_region_gender_nk()
    return PublicTable(
        name="sdcTable region x gender, P(70,1)",
        source=table.source,
        dims=table.dims,
        options=table.options,
        microdata=table.microdata,
        rules=("P(70,1)",),
        expected_primaries=table.expected_primaries,
    )


def sdc_singletons(detect: bool) -> PublicTable:
    """Four units in regions a, b, b, c (d empty), FREQ maxN = 1 (test-protectTable.r)."""
    text = show(SDCTABLE, "tests/testthat/test-protectTable.r").decode()
    regions = r_vector(text[text.index("create dataset with singletons") :], "region")
    leaves = pd.Series(regions).value_counts().rename_axis("region").reset_index(name="freq")
    leaves["value"] = leaves["freq"].astype(float)
    return PublicTable(
        name=f"sdcTable singletons, detectSingletons={'TRUE' if detect else 'FALSE'}",
        source=f"{SDCTABLE} tests/testthat/test-protectTable.r",
        dims=[flat("region", ["a", "b", "c", "d"])],
        options=Options(singleton=detect),
        cells=leaves,
        rules=("FREQ(2,10)",),
        published=Published("SIMPLEHEURISTIC", 1 if detect else 0),
    )


def sdc_linked() -> PublicTable:
    """Regions under counties and under big/small: two non-nested hierarchies, linked tables."""
    text = show(SDCTABLE, "tests/testthat/test-linked-tables.r").decode()
    region, county = r_vector(text, "region"), r_vector(text, "county")
    group, n = r_vector(text, "group"), r_vector(text, "n")
    size = {"L": "big", "M": "big"}  # r2 in the test: big = L, M; small = the others
    hierarchies = [
        Hierarchy.from_parents(
            dict(zip(region, county, strict=True)) | dict.fromkeys(county, "Total")
        ),
        Hierarchy.from_parents(
            {r: size.get(r, "small") for r in region} | {"big": "Total", "small": "Total"}
        ),
    ]
    assert len(group) == len(region)
    leaves = pd.DataFrame({"region": region, "freq": [int(float(x)) for x in n]})
    leaves["value"] = leaves["freq"].astype(float)
    return PublicTable(
        name="sdcTable linked tables (county, big/small)",
        source=f"{SDCTABLE} tests/testthat/test-linked-tables.r",
        dims=[Dimension("region", region, hierarchies)],
        options=Options(singleton=True),
        cells=leaves,
        rules=("FREQ(4,10)",),
        published=Published(
            "protect_linked_tables (doSingletons)", 1, frozenset({("N",)}), "N in both tables"
        ),
    )


# ---------------------------------------------------------------- rtauargus


def rta_minimal() -> PublicTable:
    """The vignette's ACTIVITY x SIZE table, FREQ(3,10) | NK(1,85), MOD (rtauargus.Rmd)."""
    text = show(RTAUARGUS, "vignettes/rtauargus.Rmd").decode()
    block = text[text.index("act_size <-") :]
    columns = {k: r_vector(block, k) for k in ("ACTIVITY", "SIZE", "VAL", "N_OBS", "MAX")}
    frame = pd.DataFrame(columns)
    leaves = frame[(frame["ACTIVITY"] != "Total") & (frame["SIZE"] != "Total")]
    leaves = pd.DataFrame(
        {
            "ACTIVITY": leaves["ACTIVITY"],
            "SIZE": leaves["SIZE"],
            "value": leaves["VAL"].astype(float),
            "freq": leaves["N_OBS"].astype(int),
            "top1": leaves["MAX"].astype(float),
        }
    ).reset_index(drop=True)
    printed = text[text.index("ex1\n#>") :]
    rows = re.findall(r"#>\s+\d+\s+(\S+)\s+(\S+)\s+\d+\s+\d+\s+\d+\s+([A-Z])\n", printed)
    secondary = frozenset((a, s) for a, s, status in rows if status == "D")
    return PublicTable(
        name="rtauargus ACTIVITY x SIZE (vignette)",
        source=f"{RTAUARGUS} vignettes/rtauargus.Rmd (ex1)",
        dims=[flat("ACTIVITY", ["01", "02", "06"]), flat("SIZE", ["tr1", "tr2"])],
        # MOD(1,5,1,0,0): single-single on, single-multiple and min frequency off; the NK
        # cells' protection levels set by their rule, as tau-Argus sets them.
        options=Options(single_multiple=False, rule_intervals=True),
        cells=leaves,
        rules=("FREQ(3,10)", "NK(1,85)"),
        published=Published("tau-Argus MOD(1,5,1,0,0)", len(secondary), secondary),
    )


def _rda(path: str) -> pd.DataFrame:
    """Read the one data frame of an R .rda file of rtauargus."""
    import pyreadr

    with tempfile.NamedTemporaryFile(suffix=".rda") as file:
        file.write(show(RTAUARGUS, path))
        file.flush()
        return next(iter(pyreadr.read_r(file.name).values()))


def rta_turnover() -> PublicTable:
    """turnover_act_size: A10 > A21 > A88 x size, FREQ(3) | NK(1,85) a priori, MAN(10), OPT."""
    data = _rda("data/turnover_act_size.rda")
    corr = _rda("data/activity_corr_table.rda")
    present = set(data["ACTIVITY"])
    parents: dict[str, str] = {}
    for a10, a21, a88 in corr[["A10", "A21", "A88"]].itertuples(index=False):
        if a88 not in present:
            continue
        parents[a88] = a21 if a21 != a88 else a10
        if a21 != a88:
            parents[a21] = a10
        parents[a10] = "Total"
    leaves_codes = sorted(c for c in parents if c not in set(parents.values()))
    leaf = data[data["ACTIVITY"].isin(leaves_codes) & (data["SIZE"] != "Total")]
    leaves = pd.DataFrame(
        {
            "ACTIVITY": leaf["ACTIVITY"],
            "SIZE": leaf["SIZE"],
            "value": leaf["TOT"].astype(float),
            "freq": leaf["N_OBS"].astype(int),
            "top1": leaf["MAX"].astype(float),
        }
    ).reset_index(drop=True)
    secret = (data["N_OBS"] > 0) & (data["N_OBS"] < 3) | (data["MAX"] > data["TOT"] * 0.85)
    pairs = data.loc[secret, ["ACTIVITY", "SIZE"]].itertuples(index=False, name=None)
    apriori = dict.fromkeys(pairs, Apriori.SUPPRESSED)
    text = show(RTAUARGUS, "vignettes/rtauargus.Rmd").decode()
    counts = re.search(r"table\(ex2\$Status\)\n#> \n#>\s+B\s+D\s+V\s*\n#>\s+(\d+)\s+(\d+)", text)
    assert counts is not None
    return PublicTable(
        name="rtauargus turnover ACTIVITY x SIZE",
        source=f"{RTAUARGUS} data/turnover_act_size.rda, data/activity_corr_table.rda, "
        "vignettes/rtauargus.Rmd (ex2)",
        dims=[
            Dimension(
                "ACTIVITY",
                leaves_codes,
                [Hierarchy.from_parents(parents)],
            ),
            flat("SIZE", ["tr1", "tr2", "tr3"]),
        ],
        options=Options(singleton=False),
        cells=leaves,
        apriori=apriori,
        published=Published(
            "tau-Argus OPT(1,5)",
            int(counts.group(2)),
            note=f"{counts.group(1)} primaries (B) printed; cells not printed",
        ),
    )


TABLES: tuple[Callable[[], PublicTable], ...] = (
    lambda: sdc_4x4(0.0),
    sdc_4x4,
    sdc_region_gender,
    sdc_region_gender_nk,
    sdc_region_gender_p,
    lambda: sdc_singletons(False),
    lambda: sdc_singletons(True),
    sdc_linked,
    rta_minimal,
    rta_turnover,
)


def load() -> tuple[list[PublicTable], list[str]]:
    """Return the tables whose sources are mirrored here, and what is missing."""
    tables, missing = [], []
    for make in TABLES:
        try:
            tables.append(make())
        except MissingSource as absent:
            missing.append(str(absent))
    return tables, sorted(set(missing))
