"""Price a request against a schedule: a quote explained line by line.

Order of the computation, and the only points where money is rounded
(half-up to the cent):
1. component lines (forfait, extra hours, production), each rounded;
   the subtotal is their sum;
2. the use coefficient, then the requester-category coefficient, each applied
   to the running amount and rounded;
3. a waiver (socle commun, exemption, free or flat-fee convention, category the
   Caf does not bill) cancels the amount; otherwise the minimum charge tops it up;
   the result is the net amount (HT);
4. VAT on the net amount, rounded; total = net + VAT.
A contractual survey is billed its logistics only: no coefficient, no minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from policies.domain import PricingMode, RequesterType, Use
from policies.errors import InvalidInput, QuoteExpired
from tariffs.components import QuoteLine, tariff_lines
from tariffs.exemptions import (
    Exemption,
    Waiver,
    applicable_exemption,
    convention_waiver,
)
from tariffs.money import ZERO, format_eur, format_number, round_cents
from tariffs.request import PricingRequest
from tariffs.schedule import (
    CATEGORY_LABELS,
    DEFAULT_CAF_CODE,
    USE_LABELS,
    PricingCategory,
    TariffSchedule,
    pricing_category,
)


class QuoteMode(StrEnum):
    """Which pricing a quote follows."""

    TARIF = "tarif"  # the published tariff
    LOGISTIQUE = "logistique"  # contractual survey: logistics only
    GRATUIT = "gratuit"  # waived: exemption, convention or category not billed


@dataclass(frozen=True)
class Quote:
    """A priced request; every amount in euros, `net` excluding VAT, `total` including it."""

    caf_code: str  # the Caf issuing the quote
    schedule_caf_code: str  # the schedule's owner ("*" for the default schedule)
    schedule_version: str
    made_on: date
    valid_until: date  # last day on which the quote may be accepted
    requester_type: RequesterType
    category: PricingCategory
    use: Use
    convention_ref: str | None
    convention_pricing: PricingMode
    mode: QuoteMode
    lines: tuple[QuoteLine, ...]  # components
    subtotal: Decimal  # sum of the components
    adjustments: tuple[QuoteLine, ...]  # coefficients, minimum or waiver, in order
    net: Decimal  # subtotal + adjustments (HT)
    vat: QuoteLine
    total: Decimal  # net + VAT (TTC)
    waiver: Waiver | None = None
    zero_reason: str | None = None
    currency: str = "EUR"

    @property
    def exemption(self) -> Exemption | None:
        return self.waiver.exemption if self.waiver else None


def price(
    request: PricingRequest, schedule: TariffSchedule, today: date, *, caf_code: str | None = None
) -> Quote:
    """Price a request with the schedule version in force today, for the Caf quoting.

    `caf_code` names the Caf issuing the quote; it defaults to the schedule's own Caf
    and is needed when the schedule is the default one ("*").
    """
    if caf_code and schedule.caf_code not in (caf_code, DEFAULT_CAF_CODE):
        raise InvalidInput(f"Le barème {schedule.version} n'est pas celui de la Caf {caf_code}.")
    if not schedule.in_force(today):
        raise InvalidInput(
            f"Le barème {schedule.version} n'est pas en vigueur le {today.isoformat()}."
        )
    category = pricing_category(request.requester_type, partnership=request.partnership)
    waiver = decide_waiver(request, schedule, category)
    if request.contractual_survey:
        lines: tuple[QuoteLine, ...] = (_logistics_line(request.logistics_cost),)
        adjustments: list[QuoteLine] = []
    else:
        lines = tariff_lines(request.workload, schedule)
        adjustments = _coefficient_lines(sum_lines(lines), request.use, category, schedule)
    running = sum_lines(lines) + sum_lines(adjustments)
    if waiver is not None:
        adjustments.append(_waiver_line(waiver, running))
    elif not request.contractual_survey and running < schedule.minimum_charge:
        adjustments.append(_minimum_line(running, schedule.minimum_charge))
    net = sum_lines(lines) + sum_lines(adjustments)
    vat = _vat_line(net, schedule)
    return Quote(
        caf_code=caf_code or schedule.caf_code,
        schedule_caf_code=schedule.caf_code,
        schedule_version=schedule.version,
        made_on=today,
        valid_until=today + timedelta(days=schedule.quote_validity_days),
        requester_type=request.requester_type,
        category=category,
        use=request.use,
        convention_ref=request.convention_ref,
        convention_pricing=request.convention_pricing,
        mode=_mode(request, waiver),
        lines=lines,
        subtotal=sum_lines(lines),
        adjustments=tuple(adjustments),
        net=net,
        vat=vat,
        total=net + vat.amount,
        waiver=waiver,
        zero_reason=_zero_reason(request, waiver, net),
    )


def decide_waiver(
    request: PricingRequest, schedule: TariffSchedule, category: PricingCategory
) -> Waiver | None:
    """Decide why a request is free, if it is: exemption, convention, category not billed."""
    exemption = applicable_exemption(
        request.requester_type,
        socle_commun=request.socle_commun,
        diagnostic_caf=request.diagnostic_caf,
        convention_nationale_etat=request.convention_nationale_etat,
        granted=schedule.granted_exemptions,
    )
    if exemption is not None:
        return exemption
    by_convention = convention_waiver(request.convention_pricing, request.convention_ref)
    if by_convention is not None:
        return by_convention
    if category not in schedule.billed_categories:
        return Waiver(
            "categorie.non_facturee",
            f"Le barème {schedule.version} ne facture pas les demandeurs de la catégorie "
            f"« {CATEGORY_LABELS[category]} ».",
        )
    return None


def ensure_quote_valid(quote: Quote, today: date) -> None:
    """Refuse to accept a quote after its validity date."""
    if today > quote.valid_until:
        raise QuoteExpired(
            f"Le devis était valable jusqu'au {quote.valid_until.isoformat()}.",
            (f"devis établi le {quote.made_on.isoformat()}, barème {quote.schedule_version}",),
        )


def sum_lines(lines: tuple[QuoteLine, ...] | list[QuoteLine]) -> Decimal:
    """Add the amounts of lines (already rounded to the cent)."""
    return sum((line.amount for line in lines), ZERO)


def _coefficient_lines(
    subtotal: Decimal, use: Use, category: PricingCategory, schedule: TariffSchedule
) -> list[QuoteLine]:
    steps = (
        (
            "coefficient.usage",
            f"Coefficient d'usage « {USE_LABELS[use]} »",
            schedule.use_coefficients[use],
        ),
        (
            "coefficient.demandeur",
            f"Coefficient demandeur « {CATEGORY_LABELS[category]} »",
            schedule.category_coefficients[category],
        ),
    )
    lines = []
    running = subtotal
    for code, label, coefficient in steps:
        after = round_cents(running * coefficient)
        explanation = (
            f"{label} : {format_eur(running)} × {format_number(coefficient)} = "
            f"{format_eur(after)} ({_signed(after - running)})"
        )
        lines.append(
            QuoteLine(code, label, coefficient, "×", running, after - running, explanation)
        )
        running = after
    return lines


def _waiver_line(waiver: Waiver, running: Decimal) -> QuoteLine:
    explanation = f"{waiver.reason} Montant non facturé : {format_eur(running)}."
    return QuoteLine(
        waiver.code, "Gratuité", Decimal(1), "exonération", -running, -running, explanation
    )


def _minimum_line(running: Decimal, minimum: Decimal) -> QuoteLine:
    top_up = minimum - running
    explanation = (
        f"Minimum de perception : {format_eur(running)} < {format_eur(minimum)}, "
        f"complément de {format_eur(top_up)}"
    )
    return QuoteLine(
        "minimum.perception",
        "Minimum de perception",
        Decimal(1),
        "complément",
        top_up,
        top_up,
        explanation,
    )


def _logistics_line(cost: Decimal) -> QuoteLine:
    explanation = (
        f"Enquête contractuelle : seuls les frais logistiques sont facturés = {format_eur(cost)}"
    )
    return QuoteLine(
        "logistique", "Frais logistiques", Decimal(1), "forfait", cost, cost, explanation
    )


def _vat_line(net: Decimal, schedule: TariffSchedule) -> QuoteLine:
    if not schedule.vat_applies:
        explanation = f"TVA non applicable (barème {schedule.version})"
        return QuoteLine("tva", "TVA non applicable", ZERO, "taux", net, ZERO, explanation)
    rate = schedule.vat_rate
    vat = round_cents(net * rate)
    percent = format_number(rate * 100)
    explanation = f"TVA {percent} % : {format_eur(net)} × {format_number(rate)} = {format_eur(vat)}"
    return QuoteLine("tva", f"TVA {percent} %", rate, "taux", net, vat, explanation)


def _mode(request: PricingRequest, waiver: Waiver | None) -> QuoteMode:
    if waiver is not None:
        return QuoteMode.GRATUIT
    return QuoteMode.LOGISTIQUE if request.contractual_survey else QuoteMode.TARIF


def _zero_reason(request: PricingRequest, waiver: Waiver | None, net: Decimal) -> str | None:
    if waiver is not None:
        return waiver.reason
    if net != 0:
        return None
    if request.contractual_survey:
        return "Enquête contractuelle sans frais logistiques : rien à facturer."
    return "Le barème ne produit aucun montant pour cette demande."


def _signed(amount: Decimal) -> str:
    return f"+{format_eur(amount)}" if amount >= 0 else f"-{format_eur(-amount)}"
