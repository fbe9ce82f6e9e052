"""Disclosures the adversary found, kept as regression tests once fixed."""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.player import Player
from tests.attacks.sequences import table
from tests.attacks.verdict import describe
from tests.attacks.world import judge


@pytest.mark.parametrize("indicator", ["ENF_COUVERTS", "ENF_MOINS_6"])
def test_total_of_non_exclusive_categories_keeps_its_frequency_rule(
    indicator: str, lozere: Player, sqlite_app: Flask, store: CellStore, catalogue: Catalogue
) -> None:
    """A foyer with children in two age bands counts once: totals use the store's true units."""
    lozere.extract(table(indicator, "commune", ["48008"], breakdown=False))
    verdict = judge(sqlite_app, lozere, store, catalogue)
    assert not verdict.disclosures, describe(verdict)
