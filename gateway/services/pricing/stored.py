"""A quote's pricing request as stored with it (JSON), and read back to price it again."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from policies.domain import PricingMode, RequesterType, Use
from tariffs import PricingRequest


def pricing_request_to_mapping(request: PricingRequest) -> dict[str, Any]:
    """Write a pricing request as JSON (stored with the quote; previews reprice it)."""
    return {
        "requester_type": request.requester_type.value,
        "use": request.use.value,
        "cells_per_zone": request.cells_per_zone,
        "zones": request.zones,
        "indicators": request.indicators,
        "custom_zones": request.custom_zones,
        "bespoke_breakdowns": request.bespoke_breakdowns,
        "socle_commun": request.socle_commun,
        "partnership": request.partnership,
        "diagnostic_caf": request.diagnostic_caf,
        "convention_nationale_etat": request.convention_nationale_etat,
        "convention_ref": request.convention_ref,
        "convention_pricing": request.convention_pricing.quote_code,
        "contractual_survey": request.contractual_survey,
        "logistics_cost": str(request.logistics_cost),
    }


def pricing_request_from_mapping(data: Mapping[str, Any]) -> PricingRequest:
    """Read back `pricing_request_to_mapping`."""
    return PricingRequest(
        **{
            **data,
            "requester_type": RequesterType(data["requester_type"]),
            "use": Use(data["use"]),
            "convention_pricing": PricingMode.quote_codes()[data["convention_pricing"]],
            "logistics_cost": Decimal(data["logistics_cost"]),
        }
    )
