"""Exemption matrix: who gets a zero-priced quote, and which rule says why."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from policies.domain import RequesterType, Use
from policies.errors import InvalidInput
from tariffs import (
    Exemption,
    PricingCategory,
    PricingMode,
    PricingRequest,
    QuoteMode,
    TariffSchedule,
    applicable_exemption,
    price,
)
from tests.tariffs.conftest import DAY

R = RequesterType
E = Exemption
ALL = frozenset(Exemption)
ONLY_SOCLE = frozenset({E.SOCLE_COMMUN})


@pytest.mark.parametrize(
    ("requester", "socle", "diagnostic", "nationale", "granted", "expected"),
    [
        # the socle commun is free for everyone, whatever the schedule grants
        (R.GRAND_PUBLIC, True, False, False, ALL, E.SOCLE_COMMUN),
        (R.CABINET_PRIVE, True, False, False, ONLY_SOCLE, E.SOCLE_COMMUN),
        (R.SERVICE_ETAT, True, False, True, ALL, E.SOCLE_COMMUN),
        # conseils départementaux and PMI
        (R.CONSEIL_DEPARTEMENTAL, False, False, False, ALL, E.CONSEIL_DEPARTEMENTAL_PMI),
        (R.CONSEIL_DEPARTEMENTAL, False, False, False, ONLY_SOCLE, None),
        (R.COMMUNE, False, False, False, ALL, None),
        # diagnostics the Caf requires, for any requester
        (R.COMMUNE, False, True, False, ALL, E.DIAGNOSTIC_CAF),
        (R.ORGANISME_MISSION_PUBLIQUE, False, True, False, ALL, E.DIAGNOSTIC_CAF),
        (R.CABINET_PRIVE, False, True, False, ALL, E.DIAGNOSTIC_CAF),
        (R.CABINET_PRIVE, False, True, False, ONLY_SOCLE, None),
        # national State conventions
        (R.SERVICE_ETAT, False, False, True, ALL, E.CONVENTION_NATIONALE_ETAT),
        (R.SERVICE_ETAT, False, False, False, ALL, None),
        (R.SERVICE_ETAT, False, False, True, ONLY_SOCLE, None),
        # precedence: national convention, then conseil départemental, then diagnostic
        (R.SERVICE_ETAT, False, True, True, ALL, E.CONVENTION_NATIONALE_ETAT),
        (R.CONSEIL_DEPARTEMENTAL, False, True, False, ALL, E.CONSEIL_DEPARTEMENTAL_PMI),
        (
            R.CONSEIL_DEPARTEMENTAL,
            False,
            True,
            False,
            ALL - {E.CONSEIL_DEPARTEMENTAL_PMI},
            E.DIAGNOSTIC_CAF,
        ),
        # nothing applies
        (R.GRAND_PUBLIC, False, False, False, ALL, None),
        (R.EPCI, False, False, False, ALL, None),
    ],
)
def test_exemption_matrix(
    requester: RequesterType,
    socle: bool,
    diagnostic: bool,
    nationale: bool,
    granted: frozenset[Exemption],
    expected: Exemption | None,
    schedule: TariffSchedule,
) -> None:
    decided = applicable_exemption(
        requester,
        socle_commun=socle,
        diagnostic_caf=diagnostic,
        convention_nationale_etat=nationale,
        granted=granted,
    )
    assert (decided.exemption if decided else None) is expected
    request = PricingRequest(
        requester,
        Use.USAGE_FINAL,
        cells_per_zone=2_000,
        zones=5,
        socle_commun=socle,
        diagnostic_caf=diagnostic,
        convention_nationale_etat=nationale,
    )
    quote = price(request, replace(schedule, granted_exemptions=granted), DAY)
    assert quote.exemption is expected
    if expected is None:
        assert quote.total > 0
        assert quote.zero_reason is None
    else:
        assert (quote.net, quote.total, quote.mode) == (Decimal(0), Decimal(0), QuoteMode.GRATUIT)
        assert quote.zero_reason
        waiver_line = quote.adjustments[-1]
        assert waiver_line.code == f"exoneration.{expected.value}"
        before = quote.subtotal + sum(line.amount for line in quote.adjustments[:-1])
        assert waiver_line.amount == -before < 0  # the value of what is given for free
        assert not any(line.code == "minimum.perception" for line in quote.adjustments)


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        (PricingMode.ANNUAL_FLAT_FEE, "convention.forfait_annuel"),
        (PricingMode.FREE_EXEMPTION, "convention.gratuite"),
    ],
)
def test_convention_priced_free_or_by_annual_fee_gives_zero_quote(
    mode: PricingMode, code: str, schedule: TariffSchedule
) -> None:
    request = PricingRequest(
        R.CABINET_PRIVE,
        Use.ETUDES,
        cells_per_zone=4_000,
        zones=10,
        convention_ref="CONV-131-2026-007",
        convention_pricing=mode,
    )
    quote = price(request, schedule, DAY)
    assert quote.total == 0
    assert quote.adjustments[-1].code == code
    assert quote.zero_reason is not None
    assert "CONV-131-2026-007" in quote.zero_reason
    assert quote.convention_ref == "CONV-131-2026-007"


def test_category_the_caf_does_not_bill_gets_zero_quote(schedule: TariffSchedule) -> None:
    only_private = replace(schedule, billed_categories=frozenset({PricingCategory.PRIVE}))
    partner = PricingRequest(R.COMMUNE, Use.ETUDES, cells_per_zone=500, partnership=True)
    free = price(partner, only_private, DAY)
    paid = price(PricingRequest(R.CABINET_PRIVE, Use.ETUDES, cells_per_zone=500), only_private, DAY)
    assert free.total == 0
    assert free.adjustments[-1].code == "categorie.non_facturee"
    assert paid.total > 0


def test_exemption_cancels_coefficients_and_reports_the_waived_amount(
    schedule: TariffSchedule,
) -> None:
    request = PricingRequest(R.COMMUNE, Use.ETUDES, cells_per_zone=150, diagnostic_caf=True)
    quote = price(request, schedule, DAY)
    # 152,30 × 0,70 = 106,61 × 1,00 (no partnership: privé) = 106,61 waived
    assert quote.adjustments[-1].amount == Decimal("-106.61")
    assert "106,61" in quote.adjustments[-1].explanation


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"cells_per_zone": -1}, "cellules_par_zone"),
        ({"zones": 0}, "zones"),
        ({"zones": 2, "custom_zones": 3}, "zones_personnalisees"),
        ({"logistics_cost": Decimal("10.00")}, "frais_logistiques"),
        ({"contractual_survey": True, "logistics_cost": Decimal("-1")}, "frais_logistiques"),
        ({"contractual_survey": True, "logistics_cost": Decimal("1.005")}, "frais_logistiques"),
        ({"convention_pricing": PricingMode.FREE_EXEMPTION}, "convention_ref"),
        ({"convention_nationale_etat": True}, "convention_nationale_etat"),
    ],
)
def test_invalid_requests_name_the_field(fields: dict[str, object], field_name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        PricingRequest(R.COMMUNE, Use.ETUDES, **fields)  # type: ignore[arg-type]
    assert any(reason.startswith(f"{field_name}:") for reason in raised.value.reasons)


def test_administrators_are_not_priced(schedule: TariffSchedule) -> None:
    with pytest.raises(InvalidInput):
        price(PricingRequest(R.ADMIN_CAF, Use.USAGE_INTERNE), schedule, DAY)
