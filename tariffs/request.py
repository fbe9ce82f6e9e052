"""What the tariff needs to know about a request, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from policies.domain import PricingMode, RequesterType, Use
from policies.errors import InvalidInput
from tariffs.components import Workload
from tariffs.money import ZERO, decimal_places


@dataclass(frozen=True)
class PricingRequest:
    """What the tariff needs to know about a request (counts, who, which use, which terms)."""

    requester_type: RequesterType
    use: Use
    cells_per_zone: int = 0  # Insee model: product of the numbers of categories crossed
    zones: int = 1
    indicators: int = 0
    custom_zones: int = 0  # zones personnalisées among the zones
    bespoke_breakdowns: int = 0  # ventilations spécifiques (non-standard breakdowns)
    socle_commun: bool = False
    partnership: bool = False  # the requester acts under a partnership convention (CTG...)
    diagnostic_caf: bool = False  # a diagnostic the Caf itself requires
    convention_nationale_etat: bool = False
    convention_ref: str | None = None
    convention_pricing: PricingMode = PricingMode.PER_EXTRACT
    contractual_survey: bool = False
    logistics_cost: Decimal = ZERO  # euros HT, contractual surveys only

    def __post_init__(self) -> None:
        problems = _request_problems(self)
        if problems:
            raise InvalidInput("Demande de tarification invalide.", problems)

    @property
    def workload(self) -> Workload:
        return Workload(
            self.cells_per_zone,
            self.zones,
            self.indicators,
            self.custom_zones,
            self.bespoke_breakdowns,
        )


def _request_problems(r: PricingRequest) -> list[str]:
    counts = {
        "cellules_par_zone": r.cells_per_zone,
        "indicateurs": r.indicators,
        "zones_personnalisees": r.custom_zones,
        "ventilations_specifiques": r.bespoke_breakdowns,
    }
    problems = [f"{name}: doit être positif ou nul" for name, n in counts.items() if n < 0]
    if r.zones < 1:
        problems.append("zones: au moins une zone")
    if r.custom_zones > r.zones:
        problems.append("zones_personnalisees: pas plus que le nombre de zones")
    cost = r.logistics_cost
    if not cost.is_finite() or cost < 0 or decimal_places(cost) > 2:
        problems.append("frais_logistiques: montant positif au centime près")
    elif cost and not r.contractual_survey:
        problems.append("frais_logistiques: réservés aux enquêtes contractuelles")
    if r.convention_pricing is not PricingMode.PER_EXTRACT and not r.convention_ref:
        problems.append("convention_ref: obligatoire pour une convention gratuite ou forfaitaire")
    if r.convention_nationale_etat and r.requester_type is not RequesterType.SERVICE_ETAT:
        problems.append("convention_nationale_etat: réservée aux services de l'État")
    return problems
