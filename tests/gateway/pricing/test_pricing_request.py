"""From a request description to the tariff's counts and convention terms (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from gateway.pipeline.pricing_request import count_request, pricing_request
from gateway.pipeline.request import (
    ExtractRequest,
    TerritoryCell,
    ZoneDefinition,
    parse_description,
    resolve_territories,
)
from gateway.reference.geography import load_geography
from policies.access import Decision, RequesterProfile, Rule
from policies.catalogue_parsing import parse_catalogue
from policies.conventions import Convention, ConventionScope, ConventionStatus
from policies.domain import GeoLevel, RequesterType, Tier, Use
from policies.domain import PricingMode as ConventionPricing
from policies.errors import InvalidInput
from tariffs import price
from tests.support.tariffs import default_schedule

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = parse_catalogue(yaml.safe_load((ROOT / "data" / "catalogue.yaml").read_text()))
GEOGRAPHY = load_geography(ROOT / "data" / "reference")
TODAY = date(2026, 6, 1)
EPCI = RequesterProfile("7", RequesterType.EPCI, "13")
CONVENTION_ASK = {
    "indicators": ["PLACES_EAJE", "ENF_INSCRITS_EAJE"],
    "territories": {"parent_level": "epci", "parent_code": "200054807"},
    "periods": [2022, 2023],
    "breakdowns": [],
    "use": "usage_strictement_interne",
}


def _resolved(
    body: dict[str, object], zones: dict[int, ZoneDefinition] | None = None
) -> tuple[ExtractRequest, tuple[TerritoryCell, ...]]:
    request = parse_description(body, zones or {})
    return request, resolve_territories(request, GEOGRAPHY)


def _convention(pricing: ConventionPricing) -> Convention:
    return Convention(
        id="41",
        reference="CONV-13-2026-001",
        caf_code="13",
        requester_id="7",
        finalite="Schéma petite enfance",
        uses=frozenset({Use.USAGE_INTERNE}),
        scope=ConventionScope(tiers=frozenset({Tier.CONVENTION}), own_territory=True),
        start=TODAY - timedelta(days=30),
        end=TODAY + timedelta(days=300),
        status=ConventionStatus.ACTIVE,
        pricing=pricing,
    )


def _allowed_under(convention: Convention) -> Decision:
    return Decision(
        allowed=True,
        allowed_by=Rule.CONVENTION_COUVERTURE,
        convention_id=convention.id,
        convention_reference=convention.label,
    )


@pytest.mark.parametrize(
    ("pricing", "waiver", "total"),
    [
        (ConventionPricing.ANNUAL_FLAT_FEE, "convention.forfait_annuel", "0.00"),
        (ConventionPricing.FREE_EXEMPTION, "convention.gratuite", "0.00"),
        (ConventionPricing.PER_EXTRACT, None, None),
    ],
)
def test_the_covering_convention_decides_the_pricing_mode(
    pricing: ConventionPricing, waiver: str | None, total: str | None
) -> None:
    convention = _convention(pricing)
    request = pricing_request(
        *_resolved(CONVENTION_ASK),
        requester=EPCI,
        decision=_allowed_under(convention),
        conventions=(convention,),
        catalogue=CATALOGUE,
        today=TODAY,
    )
    assert request.partnership is True
    assert request.convention_ref == "CONV-13-2026-001 v1"
    quote = price(request, default_schedule(), TODAY, caf_code="13")
    assert quote.category.value == "partenaire_conventionne"
    assert (quote.waiver.code if quote.waiver else None) == waiver
    if total is not None:
        assert str(quote.total) == total
        assert "CONV-13-2026-001 v1" in (quote.zero_reason or "")
    else:
        assert quote.total > 0


def test_children_of_a_parent_are_the_zones() -> None:
    counts = count_request(*_resolved(CONVENTION_ASK), CATALOGUE)
    communes = len(GEOGRAPHY.communes_of(GeoLevel.EPCI, "200054807"))
    assert (counts.zones, counts.indicators, counts.cells_per_zone) == (communes, 2, 4)


def test_cells_multiply_categories_indicators_and_periods() -> None:
    description = {
        "indicators": ["ENF_COUVERTS"],
        "territories": {"level": "commune", "codes": ["13005", "13001"]},
        "zones": [1],
        "periods": [2021, 2022, 2023],
        "breakdowns": ["age_enfant"],
        "bespoke_breakdowns": [{"label": "Quotient familial", "categories": 5}],
        "use": "etudes",
    }
    zone = ZoneDefinition(1, "Z1", frozenset({"13005", "13001"}))
    counts = count_request(*_resolved(description, {1: zone}), CATALOGUE)
    assert counts.cells_per_zone == 6 * 5 * 1 * 3
    assert (counts.zones, counts.custom_zones, counts.bespoke_breakdowns) == (3, 1, 1)


def test_unknown_territory_is_a_field_error() -> None:
    with pytest.raises(InvalidInput) as raised:
        _resolved({**CONVENTION_ASK, "territories": {"level": "commune", "codes": ["00000"]}})
    assert list(raised.value.errors) == ["territories"]


def _fingerprint(body: dict[str, object]) -> str:
    return parse_description(body, {}).fingerprint()


def test_fingerprint_ignores_order() -> None:
    shuffled = {**CONVENTION_ASK, "indicators": ["ENF_INSCRITS_EAJE", "PLACES_EAJE"]}
    assert _fingerprint(shuffled) == _fingerprint(CONVENTION_ASK)
    other = {**CONVENTION_ASK, "periods": [2023]}
    assert _fingerprint(other) != _fingerprint(CONVENTION_ASK)
