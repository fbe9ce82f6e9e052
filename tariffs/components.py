"""The priced components of a request: forfait, extra hours, production (the lines)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tariffs.money import ceil_div, ceil_to_increment, format_eur, format_number, round_cents
from tariffs.schedule import TariffSchedule


@dataclass(frozen=True)
class QuoteLine:
    """One line of a quote or invoice: the rule that produced it and its arithmetic.

    `amount` is the line's signed contribution to the total, rounded to the cent;
    `quantity`, `unit` and `unit_price` are what the document displays.
    """

    code: str  # stable rule code, e.g. "production"
    label: str  # short French label for the table
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    explanation: str  # French, with the arithmetic


@dataclass(frozen=True)
class Workload:
    """The size of a request, as the tariff counts it."""

    cells_per_zone: int  # Insee model: product of the numbers of categories crossed
    zones: int
    indicators: int
    custom_zones: int
    bespoke_breakdowns: int

    @property
    def total_cells(self) -> int:
        return self.cells_per_zone * self.zones


@dataclass(frozen=True)
class Estimate:
    """Hours estimated for a request, before and after rounding up to the increment."""

    machine_hours: Decimal  # billed (rounded up), including the forfait's first hour
    analyst_hours_raw: Decimal
    analyst_hours: Decimal  # billed (rounded up)
    blocks_per_zone: int


def estimate(work: Workload, schedule: TariffSchedule) -> Estimate:
    """Estimate machine and analyst hours and production blocks for a request."""
    w = schedule.work
    machine_raw = Decimal(work.total_cells) / Decimal(w.cells_per_machine_hour)
    analyst_raw = (
        w.base_analyst_hours
        + work.indicators * w.analyst_hours_per_indicator
        + work.custom_zones * w.analyst_hours_per_custom_zone
        + work.bespoke_breakdowns * w.analyst_hours_per_bespoke_breakdown
    )
    return Estimate(
        machine_hours=ceil_to_increment(machine_raw, w.billing_increment_hours),
        analyst_hours_raw=analyst_raw,
        analyst_hours=ceil_to_increment(analyst_raw, w.billing_increment_hours),
        blocks_per_zone=ceil_div(work.cells_per_zone, schedule.production.block_cells),
    )


def tariff_lines(work: Workload, schedule: TariffSchedule) -> tuple[QuoteLine, ...]:
    """Price the components of a request: forfait, extra hours, production."""
    est = estimate(work, schedule)
    return (
        *_forfait_lines(schedule),
        *_extra_hours_lines(work, est, schedule),
        _production_line(work, est, schedule),
    )


def _forfait_lines(schedule: TariffSchedule) -> tuple[QuoteLine, ...]:
    f = schedule.forfait
    hours = f"{format_number(f.covered_hours)} h"
    parts = (
        ("forfait.traitement", "Forfait : traitement de la demande", f.handling, ""),
        ("forfait.machine", "Forfait : temps machine", f.machine, f" ({hours} de temps machine)"),
        ("forfait.analyste", "Forfait : temps d'analyste", f.analyst, f" ({hours} d'analyste)"),
    )
    return tuple(
        QuoteLine(
            code=code,
            label=label,
            quantity=Decimal(1),
            unit="forfait",
            unit_price=amount,
            amount=round_cents(amount),
            explanation=f"{label}{detail} = {format_eur(round_cents(amount))}",
        )
        for code, label, amount, detail in parts
    )


def _extra_hours_lines(
    work: Workload, est: Estimate, schedule: TariffSchedule
) -> tuple[QuoteLine, ...]:
    """Price the hours beyond the forfait's: machine time, then analyst time."""
    kinds = (
        (
            "heures.machine",
            "Temps machine supplémentaire",
            est.machine_hours,
            schedule.hourly_machine,
            _machine_hours(work, schedule),
        ),
        (
            "heures.analyste",
            "Temps d'analyste supplémentaire",
            est.analyst_hours,
            schedule.hourly_analyst,
            _analyst_hours(work, est, schedule),
        ),
    )
    return tuple(
        _extra_hours_line(code, label, billed=billed, rate=rate, how=how, schedule=schedule)
        for code, label, billed, rate, how in kinds
    )


def _extra_hours_line(
    code: str, label: str, *, billed: Decimal, rate: Decimal, how: str, schedule: TariffSchedule
) -> QuoteLine:
    covered = schedule.forfait.covered_hours
    extra = max(Decimal(0), billed - covered)
    amount = round_cents(extra * rate)
    explanation = (
        f"{label} : {how}, arrondi {_increment_words(schedule)} = {format_number(billed)} h ; "
        f"moins {format_number(covered)} h comprise dans le forfait : {format_number(extra)} h "
        f"× {format_eur(rate)} = {format_eur(amount)}"
    )
    return QuoteLine(code, label, extra, "h", rate, amount, explanation)


def _machine_hours(work: Workload, schedule: TariffSchedule) -> str:
    """Say how the machine hours are counted."""
    return (
        f"{format_number(work.total_cells)} cellules à "
        f"{format_number(schedule.work.cells_per_machine_hour)} cellules par heure"
    )


def _analyst_hours(work: Workload, est: Estimate, schedule: TariffSchedule) -> str:
    """Say how the analyst hours are counted."""
    w = schedule.work
    terms = [f"{format_number(w.base_analyst_hours)} h de base"]
    for count, one, many, hours in (
        (work.indicators, "indicateur", "indicateurs", w.analyst_hours_per_indicator),
        (
            work.custom_zones,
            "zone personnalisée",
            "zones personnalisées",
            w.analyst_hours_per_custom_zone,
        ),
        (
            work.bespoke_breakdowns,
            "ventilation spécifique",
            "ventilations spécifiques",
            w.analyst_hours_per_bespoke_breakdown,
        ),
    ):
        if count:
            terms.append(f"{_count(count, one, many)} × {format_number(hours)} h")
    return f"{' + '.join(terms)} = {format_number(est.analyst_hours_raw)} h"


def _production_line(work: Workload, est: Estimate, schedule: TariffSchedule) -> QuoteLine:
    p = schedule.production
    blocks = est.blocks_per_zone * work.zones
    amount = round_cents(blocks * p.price_per_block)
    explanation = (
        f"Production : {format_number(work.cells_per_zone)} cellules par zone, soit "
        f"{_count(est.blocks_per_zone, 'bloc entamé', 'blocs entamés')} de "
        f"{format_number(p.block_cells)} cellules × {_count(work.zones, 'zone', 'zones')} "
        f"× {format_eur(p.price_per_block)} = {format_eur(amount)}"
    )
    return QuoteLine(
        "production",
        "Production (cellules)",
        Decimal(blocks),
        "bloc",
        p.price_per_block,
        amount,
        explanation,
    )


def _increment_words(schedule: TariffSchedule) -> str:
    increment = schedule.work.billing_increment_hours
    words = {
        Decimal("0.25"): "au quart d'heure entamé",
        Decimal("0.5"): "à la demi-heure entamée",
        Decimal(1): "à l'heure entamée",
    }
    return words.get(increment, f"par tranche entamée de {format_number(increment)} h")


def _count(n: int, one: str, many: str) -> str:
    return f"{format_number(n)} {one if n <= 1 else many}"
