"""The attacker's linear programs: bound every unsafe cell from everything seen.

Every observation is placed in its family's table (the catalogue's relations: ENF_MOINS_3 is
the 0_2 category of ENF_MOINS_6, ALLOC the total of ALLOC_SITFAM); per period, the tables a
published ratio ties together (PART_ALLOC_RSA = RSA / ALLOC) are one program. Each unsafe
cell the attacker could target (every territory seen, every atom, every commune; each
category and the total) is minimised and maximised with HiGHS; a cell whose feasible
interval does not reach its protection interval is disclosed. With a `focus`, only the
targets sharing a commune with it are judged (the rest of a public table has its own test).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.secrecy import TOTAL
from tests.attacks.families import Family, RatioTerms, families, ratio_slack, ratio_terms
from tests.attacks.player import Communes, Observation
from tests.attacks.program import Program, atoms_of
from tests.attacks.truth import Truth
from tests.attacks.verdict import Bound, Verdict

#: The public reason of a ratio published as 0 because its denominator is 0 (status "zero").
NOTHING = "NEANT"


@dataclass(frozen=True)
class RatioCell:
    """A published ratio, its terms placed in their tables: two inequalities."""

    terms: RatioTerms
    communes: Communes
    value: float


@dataclass
class Period:
    """What the attacker holds for one period: placed cells per table, and ratios."""

    cells: dict[str, set[Observation]] = field(default_factory=dict)
    ratios: list[RatioCell] = field(default_factory=list)


def attack(
    observations: Iterable[Observation],
    store: CellStore,
    catalogue: Catalogue,
    targets: Iterable[Communes] = (),
    focus: Communes | None = None,
) -> Verdict:
    """Bound every unsafe cell of every table the observations touch."""
    by_member = families(catalogue)
    ratios = ratio_terms(catalogue, by_member)
    periods: dict[int, Period] = {}
    for cell in observations:
        period = periods.setdefault(cell.period, Period())
        if cell.indicator in ratios:
            _place_ratio(period, ratios[cell.indicator], cell)
            continue
        family = by_member[cell.indicator]
        placed = Observation(
            family.code,
            cell.period,
            family.place(cell.indicator, cell.category),
            cell.communes,
            cell.value,
        )
        period.cells.setdefault(family.code, set()).add(placed)
    extra = list(targets)
    verdict = Verdict()
    families_by_code = {f.code: f for f in by_member.values()}
    for year, period in sorted(periods.items()):
        for component in _components(period):
            verdict.merge(
                _attack_component(
                    store, catalogue, families_by_code, year, period, component, extra, focus
                )
            )
    return verdict


def _place_ratio(period: Period, terms: RatioTerms, cell: Observation) -> None:
    if cell.value is None:
        return
    if cell.motif == NOTHING:  # published at 0 because its denominator is 0
        family, category = terms.denominator
        zero = Observation(family, cell.period, category, cell.communes, 0.0)
        period.cells.setdefault(family, set()).add(zero)
        return
    for family, _ in (terms.numerator, terms.denominator):
        period.cells.setdefault(family, set())
    period.ratios.append(RatioCell(terms, cell.communes, float(cell.value)))


def _components(period: Period) -> list[list[str]]:
    """Group the tables of a period that published ratios tie together."""
    parent = {code: code for code in period.cells}

    def root(code: str) -> str:
        while parent[code] != code:
            code = parent[code]
        return code

    for ratio in period.ratios:
        parent[root(ratio.terms.numerator[0])] = root(ratio.terms.denominator[0])
    groups: dict[str, list[str]] = {}
    for code in sorted(period.cells):
        groups.setdefault(root(code), []).append(code)
    return list(groups.values())


def _attack_component(
    store: CellStore,
    catalogue: Catalogue,
    by_code: Mapping[str, Family],
    year: int,
    period: Period,
    codes: list[str],
    extra: Sequence[Communes],
    focus: Communes | None,
) -> Verdict:
    """Build one program over the tables of a component; bound each table's targets."""
    ratios = [r for r in period.ratios if r.terms.numerator[0] in codes]
    seen = {code: period.cells[code] for code in codes}
    verdict = Verdict(cells_seen=sum(map(len, seen.values())) + len(ratios), tables=len(codes))
    if not any(o.published for cells in seen.values() for o in cells) and not ratios:
        return verdict  # nothing published: every cell is free in [0, inf)
    sets = {code: _sets(code, seen[code], ratios, extra) for code in codes}
    layout = {
        code: (atoms_of(sets[code]), _categories(by_code[code], seen[code], ratios))
        for code in codes
    }
    program = Program(layout)
    for code in codes:
        truth = Truth(store, catalogue, by_code[code], year, layout[code][1])
        _equations(program, truth, code, seen[code], focus)
    for ratio in ratios:
        numerator, denominator = (
            program.columns(family, ratio.communes, category)
            for family, category in (ratio.terms.numerator, ratio.terms.denominator)
        )
        program.ratio(numerator, denominator, ratio.terms.multiplier, ratio.value, ratio_slack())
    verdict.ratios = len(ratios)
    for code in codes:
        atoms, categories = layout[code]
        truth = Truth(store, catalogue, by_code[code], year, categories)
        verdict.merge(_bound_table(program, truth, code, sets[code], atoms, focus, catalogue))
    verdict.programs = program.programs
    return verdict


def _tied(code: str, ratios: Sequence[RatioCell]) -> list[tuple[Communes, str]]:
    """Return the cells of a table that published ratios name: (communes, category)."""
    return [
        (r.communes, category)
        for r in ratios
        for family, category in (r.terms.numerator, r.terms.denominator)
        if family == code
    ]


def _sets(
    code: str, seen: set[Observation], ratios: Sequence[RatioCell], extra: Sequence[Communes]
) -> set[Communes]:
    """Return the commune sets of a table: seen, tied by a ratio, or targets inside them."""
    sets = {o.communes for o in seen} | {s for s, _ in _tied(code, ratios)}
    union = frozenset().union(*sets)
    return sets | {s for s in extra if s <= union}


def _categories(
    family: Family, seen: set[Observation], ratios: Sequence[RatioCell]
) -> tuple[str, ...]:
    """Return the family's categories when a cell of the table is one, else none."""
    tied = [c for _, c in _tied(family.code, ratios)]
    categorised = any(o.category != TOTAL for o in seen) or any(c != TOTAL for c in tied)
    return family.categories if categorised else ()


def _equations(
    program: Program, truth: Truth, code: str, seen: set[Observation], focus: Communes | None
) -> None:
    """One equation per published cell, after checking its value against the truth."""
    published = [o for o in seen if o.value is not None]
    # The harness's own check, on the cells that matter: those near the targets.
    truth.check_published(
        [o for o in published if focus is None or not o.communes.isdisjoint(focus)]
    )
    for cell in published:
        assert cell.value is not None
        program.equal(code, cell.communes, cell.category, cell.value)


def _bound_table(
    program: Program,
    truth: Truth,
    code: str,
    sets: set[Communes],
    atoms: list[Communes],
    focus: Communes | None,
    catalogue: Catalogue,
) -> Verdict:
    """Bound every unsafe target of one table of the program."""
    verdict = Verdict()

    def aimed(communes: Communes) -> bool:
        return focus is None or not communes.isdisjoint(focus)

    territories = [(s, "territoire") for s in sorted(sets - set(atoms), key=sorted) if aimed(s)]
    kept = [a for a in atoms if aimed(a)]
    atom_of = {frozenset([c]): a for a in kept if len(a) > 1 for c in sorted(a)}
    candidates = [
        *territories,
        *((a, "atome") for a in kept),
        *((c, "commune") for c in atom_of),
    ]
    unsafe = truth.unsafe([s for s, _ in candidates])
    percent = catalogue.get(truth.family.rules_of).secrecy.interval_percent
    found: dict[tuple[Communes, str], tuple[float, float]] = {}

    def bounds(communes: Communes, category: str) -> tuple[float, float]:
        if (communes, category) not in found:
            found[(communes, category)] = program.bounds(code, communes, category)
        return found[(communes, category)]

    for communes_set, kind in candidates:
        for category in (*truth.categories, TOTAL):
            verdict.targets += 1
            value = unsafe.get((communes_set, category))
            if value is None:
                continue
            verdict.unsafe += 1
            if kind == "commune":
                # Its atom's maximum (the other communes of the atom may hold nothing); its
                # minimum 0 (they may hold the whole atom).
                low, high = 0.0, bounds(atom_of[communes_set], category)[1]
            elif value <= 0:  # a zero is disclosed by its maximum alone
                low, high = 0.0, program.bounds(code, communes_set, category, low=False)[1]
            else:
                low, high = bounds(communes_set, category)
            verdict.bounds.append(
                Bound(code, truth.period, category, communes_set, kind, value, low, high, percent)
            )
    return replace(verdict, programs=0)
