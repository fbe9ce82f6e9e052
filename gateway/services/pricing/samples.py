"""A sample request priced under the schedule in force and under a candidate, side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gateway.services.pricing.queries import current_schedule, require_caf
from gateway.services.pricing.schedules import candidate_schedule
from policies.domain import RequesterType, Use
from tariffs import PricingRequest, Quote, price


@dataclass(frozen=True)
class Sample:
    """A request as an administrator describes it to try a tariff on (counts, who, which use)."""

    requester_type: RequesterType
    use: Use
    indicators: int  # indicators asked
    categories: int  # categories of the breakdown crossed (1: no breakdown)
    periods: int  # years or quarters asked
    zones: int  # territories delivered
    custom_zones: int = 0  # custom zones among them
    partnership: bool = False  # under a partnership convention (CTG...)

    def pricing_request(self) -> PricingRequest:
        """Count the sample as the Insee model counts an extract: cells per zone, zones."""
        return PricingRequest(
            requester_type=self.requester_type,
            use=self.use,
            cells_per_zone=self.categories * self.indicators * self.periods,
            zones=self.zones,
            indicators=self.indicators,
            custom_zones=self.custom_zones,
            partnership=self.partnership,
        )


@dataclass(frozen=True)
class Compared:
    """One sample's quote under the schedule in force today and under the candidate."""

    current: Quote
    candidate: Quote


def compare_sample(
    session: Session, caf_code: str, document: Mapping[str, Any], sample: Sample, *, today: date
) -> Compared:
    """Price the sample with the Caf's schedule in force today, then with the candidate on
    the day it would take effect (nothing is stored)."""
    require_caf(session, caf_code)
    candidate = candidate_schedule(caf_code, document)
    request = sample.pricing_request()
    return Compared(
        current=price(
            request, current_schedule(session, caf_code, today), today, caf_code=caf_code
        ),
        candidate=price(request, candidate, candidate.effective_from, caf_code=caf_code),
    )
