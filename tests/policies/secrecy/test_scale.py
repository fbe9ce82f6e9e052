"""Scale regressions of secondary suppression: repairs that unpin, rounds that terminate."""

from __future__ import annotations

import numpy as np

from bench.secrecy_data import cells, communes, dimensions
from policies.secrecy import Status, protect


def test_commune_outside_its_departements_epcis_is_protected_quickly() -> None:
    """Mayenne + Sarthe: Bouessay (53037) is the only Mayenne commune of a Sarthe EPCI, so
    "département minus its EPCIs" pins its cells unless an EPCI or département margin is
    withheld; the repair must find that margin (from the LP dual), not add communes forever.
    """
    frame = communes(("53", "72"))
    result = protect(dimensions(frame), cells(frame), rules=["FREQ(5,10)"])
    assert result.ok
    statuses = result.cells["status"]
    secondary = int((statuses == Status.SECONDARY.value).sum())
    primary = int((statuses == Status.PRIMARY.value).sum())
    # Before the dual-guided repair: 378 secondaries for 972 primaries; now 166.
    assert secondary < 0.25 * primary
    again = protect(dimensions(frame), cells(frame), rules=["FREQ(5,10)"])
    assert np.array_equal(again.cells["status"].to_numpy(), statuses.to_numpy())
