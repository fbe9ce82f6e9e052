"""Check the catalogue's relations between indicators against the stored cells.

A relation is what makes a set of indicators one table for the secret statistique; a store
whose data break one would let the protection reason on an identity that does not hold, so
such a version is refused before it is opened, naming the cells that disagree.
"""

from __future__ import annotations

import pandas as pd

from gateway.store.reader import CellStore
from policies.catalogue import Catalogue, Indicator
from policies.errors import InvalidInput
from policies.secrecy import TOTAL

#: Values are sums of cents or of counts: anything beyond this is a real disagreement.
TOLERANCE = 0.005
SHOWN = 5  # disagreeing cells named in the message


def check_relations(store: CellStore, catalogue: Catalogue) -> int:
    """Raise InvalidInput when a stored relation fails; return the number of relations checked."""
    checked = 0
    stored = set(store.indicators())
    for indicator in catalogue.stored():
        relation = indicator.relation
        if relation is None or indicator.code not in stored:
            continue
        missing = [t for t in relation.terms if t not in stored]
        if missing:
            raise InvalidInput(
                f"Relation de {indicator.code} : l’indicateur {missing[0]} n’est pas dans "
                "l’entrepôt ; chargez les deux ensemble."
            )
        _check(store, catalogue, indicator)
        checked += 1
    return checked


def _check(store: CellStore, catalogue: Catalogue, indicator: Indicator) -> None:
    relation = indicator.relation
    assert relation is not None
    left = _totals(store, indicator.code, None, None)
    if relation.category_of:
        base = catalogue.get(relation.category_of)
        column = base.breakdowns[0] if base.breakdowns and relation.category != TOTAL else None
        right = _totals(store, base.code, column, relation.category)
        described = f"{base.code} ({'total' if column is None else relation.category})"
    else:
        right = sum((_totals(store, t, None, None) for t in relation.sum_of), start=pd.Series())
        described = " + ".join(relation.sum_of)
    left, right = left.align(right, fill_value=0.0)
    broken = (left - right).abs() > TOLERANCE
    if not broken.any():
        return
    cells = "; ".join(
        f"{period}, commune {commune} : {left[(period, commune)]:g} contre "
        f"{right[(period, commune)]:g}"
        for period, commune in list(left[broken].index)[:SHOWN]
    )
    raise InvalidInput(
        f"La relation {indicator.code} = {described} déclarée au catalogue n’est pas vérifiée "
        f"par les données ({int(broken.sum())} cellule(s)) : {cells}."
    )


def _totals(store: CellStore, code: str, column: str | None, category: str | None) -> pd.Series:
    """Return the value per (period, commune), of one category or of every category."""
    cells = store.leaf_cells(code, store.periods(code), store.communes())
    if column is not None:
        cells = cells[cells[column] == category]
    return cells.groupby(["period", "commune"])["value"].sum().astype(float)
