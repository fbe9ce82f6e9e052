"""Exact money arithmetic and French number formatting for the tariff."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"  # no-break space: French thousands separator and the space before "€"


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent: the only rounding of money in the tariff."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """Count the decimal places of a finite value (99 for NaN and infinities)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


def ceil_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    """Round up to a whole number of increments (e.g. started quarter hours)."""
    if value <= 0:
        return Decimal(0)
    units = (value / increment).to_integral_value(rounding=ROUND_CEILING)
    return units * increment


def ceil_div(numerator: int, denominator: int) -> int:
    """Return the number of started blocks of `denominator` needed for `numerator`."""
    return -(-numerator // denominator)


def format_number(value: Decimal | int, places: int | None = None) -> str:
    """Format a number the French way: "1 234,5"; fixed `places` when given."""
    number = abs(Decimal(value)) if value == 0 else Decimal(value)  # never print "-0,00"
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{number:,.{places}f}"
    else:
        text = f"{_strip_zeros(number):,f}"
    return text.replace(",", NBSP).replace(".", ",")


def format_eur(amount: Decimal) -> str:
    """Format euros as on a French invoice: "1 234,56 €" (no-break spaces)."""
    return f"{format_number(amount, 2)}{NBSP}€"


def _strip_zeros(number: Decimal) -> Decimal:
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()
