"""Invariants of pricing, checked on generated requests and coefficients (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from policies.domain import RequesterType, Use
from tariffs import (
    PricingCategory,
    PricingMode,
    PricingRequest,
    Quote,
    QuoteMode,
    price,
)
from tests.support.tariffs import default_schedule
from tests.tariffs.conftest import DAY

SCHEDULE = default_schedule()
CENT = Decimal("0.01")

requesters = st.sampled_from([r for r in RequesterType if not r.is_admin])


@st.composite
def requests(draw: st.DrawFn, /, **fixed: object) -> PricingRequest:
    requester = draw(requesters)
    zones = draw(st.integers(1, 300))
    fields: dict[str, object] = {
        "cells_per_zone": draw(st.integers(0, 2_000_000)),
        "zones": zones,
        "indicators": draw(st.integers(0, 60)),
        "custom_zones": draw(st.integers(0, zones)),
        "bespoke_breakdowns": draw(st.integers(0, 10)),
        "socle_commun": draw(st.booleans()),
        "partnership": draw(st.booleans()),
        "diagnostic_caf": draw(st.booleans()),
        "convention_nationale_etat": requester is RequesterType.SERVICE_ETAT
        and draw(st.booleans()),
        "convention_ref": "CONV-1",
        "convention_pricing": draw(st.sampled_from(PricingMode)),
    }
    if draw(st.booleans()):
        fields["contractual_survey"] = True
        fields["logistics_cost"] = draw(
            st.decimals(0, 10_000, places=2, allow_nan=False, allow_infinity=False)
        )
    fields.update(fixed)
    return PricingRequest(requester, draw(st.sampled_from(Use)), **fields)  # type: ignore[arg-type]


def every_amount(quote: Quote) -> list[Decimal]:
    lines = (*quote.lines, *quote.adjustments, quote.vat)
    return [quote.subtotal, quote.net, quote.total, *(line.amount for line in lines)]


@given(requests())
def test_price_is_never_negative(request: PricingRequest) -> None:
    quote = price(request, SCHEDULE, DAY)
    assert quote.net >= 0
    assert quote.total >= quote.net
    assert all(line.amount >= 0 for line in quote.lines)


@given(requests())
def test_every_amount_is_rounded_to_the_cent_and_adds_up(request: PricingRequest) -> None:
    quote = price(request, SCHEDULE, DAY)
    assert all(amount == amount.quantize(CENT) for amount in every_amount(quote))
    assert quote.subtotal == sum(line.amount for line in quote.lines)
    assert quote.net == quote.subtotal + sum(line.amount for line in quote.adjustments)
    assert quote.total == quote.net + quote.vat.amount


@given(requests(), st.integers(1, 1_000_000))
def test_price_never_decreases_when_cells_are_added(request: PricingRequest, more: int) -> None:
    bigger = replace(request, cells_per_zone=request.cells_per_zone + more)
    assert price(bigger, SCHEDULE, DAY).total >= price(request, SCHEDULE, DAY).total


@given(requests(), st.integers(1, 50))
def test_price_never_decreases_when_zones_are_added(request: PricingRequest, more: int) -> None:
    bigger = replace(request, zones=request.zones + more)
    assert price(bigger, SCHEDULE, DAY).total >= price(request, SCHEDULE, DAY).total


@given(requests(socle_commun=True))
def test_socle_commun_is_always_free(request: PricingRequest) -> None:
    quote = price(request, SCHEDULE, DAY)
    assert quote.total == 0
    assert quote.mode is QuoteMode.GRATUIT
    assert quote.adjustments[-1].code == "exoneration.socle_commun"


coefficients = st.decimals("0.05", "5", places=2, allow_nan=False, allow_infinity=False)


@given(
    requests(socle_commun=False, contractual_survey=False, logistics_cost=Decimal(0)),
    coefficients,
    coefficients,
)
def test_use_then_category_coefficient_each_rounded_half_up(
    request: PricingRequest, use_coefficient: Decimal, category_coefficient: Decimal
) -> None:
    base = price(request, SCHEDULE, DAY)
    schedule = replace(
        SCHEDULE,
        use_coefficients={**SCHEDULE.use_coefficients, request.use: use_coefficient},
        category_coefficients={
            **SCHEDULE.category_coefficients,
            base.category: category_coefficient,
        },
    )
    quote = price(request, schedule, DAY)
    after_use = (quote.subtotal * use_coefficient).quantize(CENT, ROUND_HALF_UP)
    after_category = (after_use * category_coefficient).quantize(CENT, ROUND_HALF_UP)
    usage, category = quote.adjustments[:2]
    assert (usage.code, category.code) == ("coefficient.usage", "coefficient.demandeur")
    assert quote.subtotal + usage.amount == after_use
    assert after_use + category.amount == after_category
    if quote.mode is QuoteMode.TARIF:
        assert quote.net == max(after_category, SCHEDULE.minimum_charge)


@given(
    requests(
        socle_commun=False,
        diagnostic_caf=False,
        contractual_survey=False,
        logistics_cost=Decimal(0),
        convention_pricing=PricingMode.PER_EXTRACT,
    )
)
def test_a_billed_request_pays_at_least_the_minimum(request: PricingRequest) -> None:
    quote = price(request, SCHEDULE, DAY)
    if quote.mode is QuoteMode.TARIF:
        assert quote.net >= SCHEDULE.minimum_charge
        assert quote.category in PricingCategory
