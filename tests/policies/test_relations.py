"""Relations between indicators: parsed, refused when they cannot be one table, grouped."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from policies.catalogue import CatalogueError, Relation
from policies.catalogue_parsing import catalogue_to_data, parse_catalogue
from policies.secrecy import TOTAL

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "data" / "catalogue.yaml"
DATA: dict[str, Any] = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
CATALOGUE = parse_catalogue(DATA)


def _with(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the shipped catalogue with fields of some indicators replaced (None: removed)."""
    data = copy.deepcopy(DATA)
    for raw in data["indicators"]:
        for key, value in changes.get(raw["code"], {}).items():
            if value is None:
                raw.pop(key, None)
            else:
                raw[key] = value
    return data


def test_shipped_relations() -> None:
    assert CATALOGUE.get("ENF_MOINS_3").relation == Relation(
        category_of="ENF_MOINS_6", category="0_2"
    )
    assert CATALOGUE.get("ALLOC").relation == Relation(category_of="ALLOC_SITFAM", category=TOTAL)


def test_aliases_share_their_base_table() -> None:
    under3 = CATALOGUE.related_set("ENF_MOINS_3")
    assert under3 is CATALOGUE.related_set("ENF_MOINS_6")
    assert under3.code == "ENF_MOINS_6" and under3.categories == ("0_2", "3_5")
    assert under3.place("ENF_MOINS_3", TOTAL) == "0_2"
    assert under3.place("ENF_MOINS_6", TOTAL) == TOTAL
    assert under3.leaves == {"0_2": ("ENF_MOINS_6", "0_2"), "3_5": ("ENF_MOINS_6", "3_5")}
    alloc = CATALOGUE.related_set("ALLOC")
    assert alloc.code == "ALLOC_SITFAM" and alloc.place("ALLOC", TOTAL) == TOTAL
    assert CATALOGUE.family_code("ALLOC") == "ALLOC_SITFAM"


def test_unrelated_indicators_are_sets_of_their_own() -> None:
    ppa = CATALOGUE.related_set("PPA")
    assert (ppa.code, ppa.members, ppa.categories) == ("PPA", ("PPA",), ())
    assert CATALOGUE.related_set("PPA_MONTANT").code == "PPA_MONTANT"


def test_a_sum_is_a_table_whose_categories_are_its_terms() -> None:
    data = _with(
        {
            "ALLOC": {"relation": {"sum_of": ["AL", "AAH", "PPA"]}},
            "AL": {"secrecy": {"rules": ["FREQ(5,10)"], "zero_unsafe": False}},
            "AAH": {"secrecy": {"rules": ["FREQ(5,10)"], "zero_unsafe": False}},
        }
    )
    catalogue = parse_catalogue(data)
    summed = catalogue.related_set("AAH")
    assert summed.code == "ALLOC" and summed.categories == ("AL", "AAH", "PPA")
    assert summed.place("ALLOC", TOTAL) == TOTAL and summed.place("PPA", TOTAL) == "PPA"
    assert summed.leaves["AL"] == ("AL", TOTAL) and summed.total_source == "ALLOC"
    assert parse_catalogue(catalogue_to_data(catalogue)) == catalogue


def test_relations_round_trip_through_plain_data() -> None:
    assert parse_catalogue(catalogue_to_data(CATALOGUE)) == CATALOGUE


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"ENF_MOINS_3": {"relation": {"category_of": "NOPE"}}}, "non déclaré « NOPE »"),
        ({"ENF_MOINS_3": {"relation": {"category_of": "ENF_MOINS_6", "category": "9_9"}}}, "9_9"),
        ({"ENF_MOINS_3": {"relation": {}}}, "category_of ou sum_of"),
        (
            {"ENF_MOINS_3": {"relation": {"category_of": "ENF_MOINS_6", "sum_of": ["A", "B"]}}},
            "category_of ou sum_of",
        ),
        ({"ENF_MOINS_3": {"relation": {"category_of": "ENF_MOINS_3"}}}, "non déclaré"),
        # ALLOC is itself defined by a relation: no chains.
        ({"PERCOU": {"relation": {"category_of": "ALLOC"}}}, "défini par une relation"),
        # Different units or rules cannot be one table.
        ({"PPA": {"relation": {"category_of": "PPA_MONTANT"}}}, "même champ"),
        ({"ENF_MOINS_3": {"secrecy": {"rules": ["FREQ(3,10)"]}}}, "même champ secrecy"),
        ({"ENF_MOINS_6": {"relation": {"category_of": "PERCOU"}}}, "pas de ventilation"),
        ({"RSA": {"relation": {"sum_of": ["AL", "ENF_MOINS_6"]}}}, "même champ"),
        ({"PPA": {"relation": {"sum_of": ["PPA"]}}}, "au moins deux"),
        ({"PART_ALLOC_RSA": {"relation": {"category_of": "RSA"}}}, "ratio"),
    ],
)
def test_impossible_relations_are_refused(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(_with(changes))
    assert fragment in caught.value.detail


def test_a_term_in_two_sums_is_refused() -> None:
    same = {"rules": ["FREQ(5,10)"], "zero_unsafe": False, "interval_percent": 10}
    data = _with(
        {
            "PPA": {"relation": {"sum_of": ["AL", "AAH"]}},
            "PAJE": {"relation": {"sum_of": ["AAH", "RSA"]}},
            "AAH": {"secrecy": same},
            "RSA": {"secrecy": same},
        }
    )
    with pytest.raises(CatalogueError, match="figure déjà"):
        parse_catalogue(data)
