"""A published value as a page shows it: its text in French, its symbol, its value.

Shared by the socle's table and the IMAJE screens: a secret is shown by its symbol, never as
0 nor as a blank; a néant (`-`) is a true zero, written as the files write it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.delivery.model import DECIMALS
from gateway.web.assets import french_number
from policies.catalogue import Indicator


@dataclass(frozen=True)
class ShownCell:
    """A cell as read on the page: its text, its symbol and its value (None when withheld)."""

    text: str
    symbol: str
    value: float | None

    @property
    def secret(self) -> bool:
        return self.symbol == "s"


def show(symbol: str, value: float | None, indicator: Indicator) -> ShownCell:
    """Show a value: in French with its symbol, or the symbol alone when it is withheld."""
    if value is None:
        return ShownCell(symbol, symbol, None)
    if symbol == "-":  # néant: no contributor, a true zero, written as the files write it
        return ShownCell("-", symbol, value)
    text = french_number(value, DECIMALS[indicator.kind])
    return ShownCell(f"{text} ({symbol})" if symbol else text, symbol, value)
