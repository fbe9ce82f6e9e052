"""From the request value to what the tariff counts: cells, zones, convention, category.

The request is the one value every path parses once (`gateway.pipeline.request`): the
quote and the extract of the same request are counted, decided and priced alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gateway.pipeline.request import TOTAL_KEY, ExtractRequest, TerritoryCell
from policies.access import Decision, RequesterProfile
from policies.catalogue import Catalogue
from policies.conventions import Convention, in_force
from policies.domain import GeoLevel, PricingMode, Tier
from tariffs import PricingRequest


@dataclass(frozen=True)
class Counts:
    """The size of a request as the Insee model counts it."""

    cells_per_zone: int  # product of categories per breakdown x indicators x periods
    zones: int
    indicators: int
    custom_zones: int
    bespoke_breakdowns: int


def count_request(
    request: ExtractRequest, territories: Sequence[TerritoryCell], catalogue: Catalogue
) -> Counts:
    """Count cells per zone, zones (every delivered territory), custom zones and bespoke ones."""
    categories = [len(catalogue.breakdown(b).categories) for b in request.breakdowns]
    categories += [b.categories for b in request.bespoke]
    return Counts(
        cells_per_zone=math.prod(categories) * len(request.indicators) * len(request.periods),
        zones=len(territories),
        indicators=len(request.indicators),
        custom_zones=sum(
            1 for t in territories if t.level is GeoLevel.ZONE and t.code != TOTAL_KEY
        ),
        bespoke_breakdowns=len(request.bespoke),
    )


def is_socle_commun(request: ExtractRequest, catalogue: Catalogue) -> bool:
    """Socle commun data, as published (no custom zone, no bespoke breakdown), is free."""
    tiers = {catalogue.get(code).tier for code in request.indicators}
    return tiers == {Tier.SOCLE_COMMUN} and not request.zones and not request.bespoke


def covering_convention(decision: Decision, conventions: Sequence[Convention]) -> Convention | None:
    """Return the convention the decision allowed the request under, if any."""
    if decision.convention_id is None:
        return None
    return next((c for c in conventions if c.id == decision.convention_id), None)


def pricing_request(
    request: ExtractRequest,
    territories: Sequence[TerritoryCell],
    *,
    requester: RequesterProfile,
    decision: Decision,
    conventions: Sequence[Convention],
    catalogue: Catalogue,
    today: date,
) -> PricingRequest:
    """Build what the tariff needs: counts, requester type, use, convention and its pricing."""
    counts = count_request(request, territories, catalogue)
    convention = covering_convention(decision, conventions)
    partnership = any(in_force(c, today) for c in conventions)
    return PricingRequest(
        requester_type=requester.type,
        use=request.use,
        cells_per_zone=counts.cells_per_zone,
        zones=counts.zones,
        indicators=counts.indicators,
        custom_zones=counts.custom_zones,
        bespoke_breakdowns=counts.bespoke_breakdowns,
        socle_commun=is_socle_commun(request, catalogue),
        partnership=partnership,
        convention_ref=convention.label if convention else None,
        convention_pricing=convention.pricing if convention else PricingMode.PER_EXTRACT,
    )
