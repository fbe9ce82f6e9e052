"""Territories that straddle the requested parent: included and marked, or listed as excluded.

EPCI and département are two hierarchies over the communes: asked for the EPCI of département
13, the geography gives the three EPCI wholly inside it, while the Métropole
d'Aix-Marseille-Provence, 90 of the département's 119 communes, also holds communes of the Var
and of the Vaucluse. It is never dropped silently: it is delivered, marked as straddling (with
the départements it lies in), when the requester may see it; otherwise the delivery lists it
as excluded, with the reason the access decision gives (a cabinet whose convention covers the
département only, a Caf administrator outside its Caf). Whether the requester may see it is the
access decision's answer for that territory alone: no rule is written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gateway.delivery.model import ExcludedTerritory
from gateway.pipeline.request import TOTAL_KEY, ExtractRequest, TerritoryCell
from policies.access import Decision
from policies.domain import GeoLevel
from policies.geography import Geography


@dataclass(frozen=True)
class Settled:
    """The table's territories once straddling ones are settled, and the decision on them."""

    decision: Decision
    territories: tuple[TerritoryCell, ...]
    excluded: tuple[ExcludedTerritory, ...] = ()


def straddlers(
    request: ExtractRequest, geography: Geography
) -> dict[tuple[GeoLevel, str], tuple[str, ...]]:
    """Return the straddling territories of the request's "children of a parent" lines, with
    the départements each lies in."""
    found: dict[tuple[GeoLevel, str], tuple[str, ...]] = {}
    for spec in request.territories:
        if spec.within is None or spec.level is None:
            continue
        for code, departements in geography.straddling(spec.level, *spec.within).items():
            found[(spec.level, code)] = departements
    return found


def settle(
    request: ExtractRequest,
    territories: Sequence[TerritoryCell],
    geography: Geography,
    decide: Callable[[Sequence[TerritoryCell]], Decision],
) -> Settled:
    """Add the straddling territories the requester may see, marked; list the others.

    Each straddling territory is decided alone; the request is then decided on what stays.
    When nothing the requester named would stay, nothing is excluded: the whole request is
    decided, and its refusal names every reason.
    """
    found = straddlers(request, geography)
    if not found:
        return Settled(decide(territories), tuple(territories))
    cells = list(territories)
    for level, code in found:
        if all((c.level, c.code) != (level, code) for c in cells):
            communes = frozenset(geography.communes_of(level, code))
            _insert(cells, TerritoryCell(level, code, geography.name(level, code), communes))
    cells = _with_total(request, cells)
    kept: list[TerritoryCell] = []
    excluded: list[ExcludedTerritory] = []
    for cell in cells:
        departements = found.get((cell.level, cell.code))
        if departements is None or not cell.requested:
            kept.append(cell)
            continue
        alone = decide([cell])
        if alone.allowed:
            kept.append(replace(cell, straddles=departements))
        else:
            reason = " ; ".join(r.message_fr for r in alone.refusals)
            excluded.append(
                ExcludedTerritory(cell.level.value, cell.code, cell.label, departements, reason)
            )
    if not any(c.requested for c in kept):
        return Settled(decide(cells), tuple(cells))
    kept = _with_total(request, kept)
    return Settled(decide(kept), tuple(kept), tuple(excluded))


def _insert(cells: list[TerritoryCell], cell: TerritoryCell) -> None:
    """Place a requested territory among those of its level in code order, before margins."""
    positions = [i for i, c in enumerate(cells) if c.requested and c.level is cell.level]
    after = [i for i in positions if cells[i].code > cell.code]
    at = after[0] if after else (positions[-1] + 1 if positions else 0)
    cells.insert(at, cell)


def _with_total(request: ExtractRequest, cells: list[TerritoryCell]) -> list[TerritoryCell]:
    """Make the total over the requested territories the union of those in the table."""
    requested = [c for c in cells if c.requested]
    others = [c for c in cells if (c.level, c.code) != (GeoLevel.ZONE, TOTAL_KEY)]
    if not request.totals or len(requested) < 2:
        return others
    union = frozenset().union(*(c.communes for c in requested))
    label = "Ensemble des territoires demandés"
    return [*others, TerritoryCell(GeoLevel.ZONE, TOTAL_KEY, label, union, False)]
