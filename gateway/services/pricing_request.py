"""From a request description to what the tariff counts: cells, zones, convention, category.

A description is what POST /quotes (and the extracts endpoint) receive:
`indicators`, `territories` ({level, codes} or {parent_level, parent_code[, level]}),
optional custom `zones` ([{code, communes}]), `periods`, `breakdowns`, optional
`bespoke_breakdowns` ([{label, categories}]), `use`, optional `caf`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from policies.access import (
    AccessRequest,
    Decision,
    RequesterProfile,
)
from policies.catalogue import Catalogue
from policies.conventions import Convention, in_force
from policies.conventions import PricingMode as ConventionPricing
from policies.domain import GeoLevel, RequesterType, Tier, Use
from policies.errors import InvalidInput, NotFound
from policies.geography import Geography
from tariffs import PricingMode, PricingRequest

_PRICING_MODES = {
    ConventionPricing.TARIF_PAR_EXTRAIT: PricingMode.PER_EXTRACT,
    ConventionPricing.FORFAIT_ANNUEL: PricingMode.ANNUAL_FLAT_FEE,
    ConventionPricing.GRATUIT_EXONERATION: PricingMode.FREE_EXEMPTION,
}


@dataclass(frozen=True)
class Counts:
    """The size of a request as the Insee model counts it."""

    cells_per_zone: int  # product of categories per breakdown x indicators x periods
    zones: int
    indicators: int
    custom_zones: int
    bespoke_breakdowns: int


def request_fingerprint(description: Mapping[str, Any]) -> str:
    """Return an order-insensitive SHA-256 of a description (same request, same fingerprint)."""
    return hashlib.sha256(_canonical_json(description).encode()).hexdigest()


def _canonical_json(value: Any) -> str:
    return json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def territories_of(description: Mapping[str, Any], geography: Geography) -> tuple[Any, ...]:
    """Resolve the described territories to (level, code) pairs, custom zones last."""
    try:
        return _territories(description, geography)
    except NotFound as error:
        raise InvalidInput("Territoire inconnu.", errors={"territories": [error.detail]}) from error


def _territories(description: Mapping[str, Any], geography: Geography) -> tuple[Any, ...]:
    spec = description["territories"]
    if "codes" in spec:
        level = GeoLevel(spec["level"])
        for code in spec["codes"]:
            geography.communes_of(level, code)  # NotFound for an unknown code
        pairs = [(level, code) for code in dict.fromkeys(spec["codes"])]
    else:
        parent = GeoLevel(spec["parent_level"])
        code = spec["parent_code"]
        level = GeoLevel(spec.get("level") or _next_finer(parent))
        pairs = [(level, c) for c in geography.within(level, parent, code)]
    pairs += [(GeoLevel.ZONE, z["code"]) for z in description.get("zones") or ()]
    if not pairs:
        raise InvalidInput(
            "Demande invalide.",
            errors={"territories": ["Aucun territoire ne correspond à la demande."]},
        )
    return tuple(pairs)


def _next_finer(level: GeoLevel) -> str:
    return {
        GeoLevel.FRANCE: "region",
        GeoLevel.REGION: "departement",
        GeoLevel.DEPARTEMENT: "commune",
        GeoLevel.EPCI: "commune",
    }.get(level, "commune")


def access_request(description: Mapping[str, Any], geography: Geography) -> AccessRequest:
    """Build the access request the policy decides on."""
    zones = tuple((z["code"], frozenset(z["communes"])) for z in description.get("zones") or ())
    return AccessRequest(
        indicators=tuple(description["indicators"]),
        territories=territories_of(description, geography),
        periods=tuple(description["periods"]),
        use=Use(description["use"]),
        breakdowns=tuple(description.get("breakdowns") or ()),
        zone_communes=zones,
    )


def count_request(
    description: Mapping[str, Any], catalogue: Catalogue, geography: Geography
) -> Counts:
    """Count cells per zone, zones, indicators, custom zones and bespoke breakdowns."""
    categories = [
        len(catalogue.breakdown(b).categories) for b in description.get("breakdowns") or ()
    ]
    bespoke = description.get("bespoke_breakdowns") or ()
    categories += [int(b["categories"]) for b in bespoke]
    indicators = len(dict.fromkeys(description["indicators"]))
    periods = len(set(description["periods"]))
    zones = territories_of(description, geography)
    return Counts(
        cells_per_zone=math.prod(categories) * indicators * periods,
        zones=len(zones),
        indicators=indicators,
        custom_zones=sum(1 for level, _ in zones if level is GeoLevel.ZONE),
        bespoke_breakdowns=len(bespoke),
    )


def is_socle_commun(description: Mapping[str, Any], catalogue: Catalogue) -> bool:
    """Socle commun data, as published (no custom zone, no bespoke breakdown), is free."""
    tiers = {catalogue.get(code).tier for code in description["indicators"]}
    bespoke = description.get("zones") or description.get("bespoke_breakdowns")
    return tiers == {Tier.SOCLE_COMMUN} and not bespoke


def covering_convention(decision: Decision, conventions: Sequence[Convention]) -> Convention | None:
    """Return the convention the decision allowed the request under, if any."""
    if decision.convention_id is None:
        return None
    return next((c for c in conventions if c.id == decision.convention_id), None)


def pricing_request(
    description: Mapping[str, Any],
    *,
    requester: RequesterProfile,
    decision: Decision,
    conventions: Sequence[Convention],
    catalogue: Catalogue,
    geography: Geography,
    today: date,
) -> PricingRequest:
    """Build what the tariff needs: counts, requester type, use, convention and its pricing."""
    counts = count_request(description, catalogue, geography)
    convention = covering_convention(decision, conventions)
    partnership = any(in_force(c, today) for c in conventions)
    return PricingRequest(
        requester_type=requester.type,
        use=Use(description["use"]),
        cells_per_zone=counts.cells_per_zone,
        zones=counts.zones,
        indicators=counts.indicators,
        custom_zones=counts.custom_zones,
        bespoke_breakdowns=counts.bespoke_breakdowns,
        socle_commun=is_socle_commun(description, catalogue),
        partnership=partnership,
        convention_ref=convention.label if convention else None,
        convention_pricing=_PRICING_MODES[convention.pricing]
        if convention
        else PricingMode.PER_EXTRACT,
    )


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
        "convention_pricing": request.convention_pricing.value,
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
            "convention_pricing": PricingMode(data["convention_pricing"]),
            "logistics_cost": Decimal(data["logistics_cost"]),
        }
    )
