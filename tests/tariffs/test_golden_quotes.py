"""Golden quotes computed by hand on the default schedule (data/tariffs/default.yaml).

Default schedule, HT: forfait 40 + 32 + 80 = 152,00 €; extra hours 30 €/h machine,
60 €/h analyst, by started quarter hour beyond the first hour; production 0,30 € per
started block of 400 cells per zone; 50 000 cells per machine hour; analyst hours =
0,5 + 0,1/indicator + 0,25/custom zone + 0,5/bespoke breakdown. Coefficients: use
(final 1,00; interne 0,80; études 0,70; rediffusion 1,50) then requester (grand public
0,50; État 0,75; partenaire 0,50; privé 1,00), each rounded half-up. Minimum 60,00 €
HT. VAT 20 %.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from policies.domain import RequesterType, Use
from tariffs import PricingCategory, PricingRequest, QuoteMode, TariffSchedule, price
from tests.tariffs.conftest import DAY

R = RequesterType

GOLDEN = [
    pytest.param(
        PricingRequest(
            R.CABINET_PRIVE,
            Use.ETUDES,
            cells_per_zone=1200,
            zones=2,
            indicators=3,
            custom_zones=2,
            bespoke_breakdowns=1,
        ),
        # machine 2 400 / 50 000 = 0,048 h -> 0,25 h, within the forfait: 0
        # analyst 0,5 + 3×0,1 + 2×0,25 + 1×0,5 = 1,8 h -> 2 h; 1 h extra × 60 = 60,00
        # production ceil(1200/400) = 3 blocks × 2 zones × 0,30 = 1,80
        # subtotal 152 + 0 + 60 + 1,80 = 213,80; × 0,70 = 149,66; × 1,00 = 149,66
        # VAT 149,66 × 0,20 = 29,932 -> 29,93; total 179,59
        PricingCategory.PRIVE,
        ("213.80", "149.66", "29.93", "179.59"),
        id="prive-etudes",
    ),
    pytest.param(
        PricingRequest(R.GRAND_PUBLIC, Use.USAGE_FINAL, cells_per_zone=150, indicators=2),
        # machine 0,003 h -> 0,25 h: 0; analyst 0,5 + 0,2 = 0,7 h -> 0,75 h: 0
        # production 1 block × 1 zone × 0,30 = 0,30; subtotal 152,30
        # × 1,00 = 152,30; × 0,50 = 76,15; VAT 15,23; total 91,38
        PricingCategory.GRAND_PUBLIC,
        ("152.30", "76.15", "15.23", "91.38"),
        id="grand-public-usage-final",
    ),
    pytest.param(
        PricingRequest(
            R.SERVICE_ETAT,
            Use.REDIFFUSION,
            cells_per_zone=5000,
            zones=30,
            indicators=10,
            bespoke_breakdowns=2,
        ),
        # machine 150 000 / 50 000 = 3 h; 2 h extra × 30 = 60,00
        # analyst 0,5 + 10×0,1 + 2×0,5 = 2,5 h; 1,5 h extra × 60 = 90,00
        # production ceil(5000/400) = 13 blocks × 30 zones × 0,30 = 117,00
        # subtotal 152 + 60 + 90 + 117 = 419,00; × 1,50 = 628,50; × 0,75 = 471,375 -> 471,38
        # VAT 94,276 -> 94,28; total 565,66
        PricingCategory.ETAT,
        ("419.00", "471.38", "94.28", "565.66"),
        id="etat-rediffusion",
    ),
    pytest.param(
        PricingRequest(
            R.COMMUNE,
            Use.USAGE_INTERNE,
            cells_per_zone=400,
            zones=12,
            indicators=4,
            custom_zones=1,
            partnership=True,
        ),
        # machine 4 800 cells -> 0,25 h: 0; analyst 0,5 + 0,4 + 0,25 = 1,15 h -> 1,25 h
        # 0,25 h extra × 60 = 15,00; production 1 block × 12 zones × 0,30 = 3,60
        # subtotal 170,60; × 0,80 = 136,48; × 0,50 = 68,24; VAT 13,648 -> 13,65; total 81,89
        PricingCategory.PARTENAIRE_CONVENTIONNE,
        ("170.60", "68.24", "13.65", "81.89"),
        id="partenaire-usage-interne",
    ),
    pytest.param(
        PricingRequest(R.EPCI, Use.ETUDES, cells_per_zone=100, indicators=1, partnership=True),
        # analyst 0,6 h -> 0,75 h: 0; production 0,30; subtotal 152,30
        # × 0,70 = 106,61; × 0,50 = 53,305 -> 53,31 (half-up); below the 60,00 minimum:
        # + 6,69; net 60,00; VAT 12,00; total 72,00
        PricingCategory.PARTENAIRE_CONVENTIONNE,
        ("152.30", "60.00", "12.00", "72.00"),
        id="partenaire-etudes-minimum",
    ),
    pytest.param(
        PricingRequest(R.SERVICE_ETAT, Use.USAGE_FINAL, cells_per_zone=150),
        # subtotal 152,30; × 1,00; × 0,75 = 114,225 -> 114,23 (half-up, not half-even)
        # VAT 22,846 -> 22,85; total 137,08
        PricingCategory.ETAT,
        ("152.30", "114.23", "22.85", "137.08"),
        id="etat-usage-final-half-up",
    ),
    pytest.param(
        PricingRequest(R.ORGANISME_MISSION_PUBLIQUE, Use.USAGE_FINAL, cells_per_zone=800, zones=3),
        # no partnership convention: "autre / privé"; production 2 blocks × 3 zones × 0,30
        # = 1,80; subtotal 153,80 × 1 × 1; VAT 30,76; total 184,56
        PricingCategory.PRIVE,
        ("153.80", "153.80", "30.76", "184.56"),
        id="organisme-sans-partenariat",
    ),
]


def golden(index: int) -> PricingRequest:
    request = GOLDEN[index].values[0]
    assert isinstance(request, PricingRequest)
    return request


@pytest.mark.parametrize(("request_", "category", "figures"), GOLDEN)
def test_golden_quote(
    request_: PricingRequest,
    category: PricingCategory,
    figures: tuple[str, str, str, str],
    schedule: TariffSchedule,
) -> None:
    quote = price(request_, schedule, DAY, caf_code="131")
    subtotal, net, vat, total = map(Decimal, figures)
    assert (quote.subtotal, quote.net, quote.vat.amount, quote.total) == (subtotal, net, vat, total)
    assert quote.category is category
    assert quote.mode is QuoteMode.TARIF
    assert quote.zero_reason is None


def test_every_requester_category_and_use_has_a_golden_quote() -> None:
    requests = [golden(i) for i in range(len(GOLDEN))]
    assert {p.values[1] for p in GOLDEN} == set(PricingCategory)
    assert {r.use for r in requests} == set(Use)


def test_lines_name_their_rule_with_the_arithmetic(schedule: TariffSchedule) -> None:
    quote = price(golden(0), schedule, DAY)
    by_code = {line.code: line for line in quote.lines + quote.adjustments}
    assert list(by_code) == [
        "forfait.traitement",
        "forfait.machine",
        "forfait.analyste",
        "heures.machine",
        "heures.analyste",
        "production",
        "coefficient.usage",
        "coefficient.demandeur",
    ]
    production = by_code["production"].explanation.replace("\u00a0", " ")
    assert production == (
        "Production : 1 200 cellules par zone, soit 3 blocs entamés de 400 cellules "
        "× 2 zones × 0,30 € = 1,80 €"
    )
    analyst = by_code["heures.analyste"].explanation.replace("\u00a0", " ")
    assert "0,5 h de base + 3 indicateurs × 0,1 h + 2 zones personnalisées × 0,25 h" in analyst
    assert "au quart d'heure entamé = 2 h" in analyst
    assert "1 h × 60,00 € = 60,00 €" in analyst
    usage = by_code["coefficient.usage"].explanation.replace("\u00a0", " ")
    assert usage == "Coefficient d'usage « études » : 213,80 € × 0,7 = 149,66 € (-64,14 €)"
    assert quote.vat.explanation.replace("\u00a0", " ") == "TVA 20 % : 149,66 € × 0,2 = 29,93 €"


def test_minimum_charge_line(schedule: TariffSchedule) -> None:
    quote = price(golden(4), schedule, DAY)
    minimum = quote.adjustments[-1]
    assert (minimum.code, minimum.amount) == ("minimum.perception", Decimal("6.69"))
    assert "53,31" in minimum.explanation


def test_contractual_survey_bills_logistics_only(schedule: TariffSchedule) -> None:
    request = PricingRequest(
        R.CABINET_PRIVE,
        Use.REDIFFUSION,
        cells_per_zone=10_000,
        zones=50,
        contractual_survey=True,
        logistics_cost=Decimal("35.00"),
    )
    # logistics 35,00 only: no forfait, no coefficient, no minimum; VAT 7,00; total 42,00
    quote = price(request, schedule, DAY)
    assert [line.code for line in quote.lines] == ["logistique"]
    assert quote.adjustments == ()
    assert (quote.net, quote.vat.amount, quote.total) == (
        Decimal("35.00"),
        Decimal("7.00"),
        Decimal("42.00"),
    )
    assert quote.mode is QuoteMode.LOGISTIQUE


def test_contractual_survey_without_logistics_says_why_it_is_free(
    schedule: TariffSchedule,
) -> None:
    request = PricingRequest(R.CABINET_PRIVE, Use.ETUDES, contractual_survey=True)
    quote = price(request, schedule, DAY)
    assert quote.total == 0
    assert quote.zero_reason is not None
    assert "logistiques" in quote.zero_reason


def test_quote_records_its_schedule_and_validity(schedule: TariffSchedule) -> None:
    quote = price(golden(0), schedule, DAY, caf_code="131")
    # 2 March 2026 + 90 days = 31 May 2026
    assert (quote.caf_code, quote.schedule_caf_code, quote.schedule_version) == (
        "131",
        "*",
        "2026.1",
    )
    assert quote.valid_until.isoformat() == "2026-05-31"
