"""Tariff test data: the default schedule as the gateway seeds it, parties, a golden quote."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

from gateway.reference.seeds import DEFAULT_TARIFF_FILE, read_tariff_schedules, read_yaml_table
from policies.domain import RequesterType, Use
from tariffs import Party, PricingRequest, Quote, TariffSchedule, price

CAF = Party(
    "Caisse d'allocations familiales des Bouches-du-Rhône",
    ("215 chemin de Gibbes", "13014 Marseille"),
    "SIRET 000 000 000 00000",
)
REQUESTER = Party("Études & Territoires (exemple)", ("13001 Marseille",), None, "a@example.fr")


@cache
def default_schedule() -> TariffSchedule:
    """Return the default schedule as a value (it is frozen: one read serves every test)."""
    [schedule] = read_tariff_schedules(DEFAULT_TARIFF_FILE)
    return schedule


def default_schedule_mapping() -> dict[str, Any]:
    """Return a fresh copy of the seed file's document, in its JSON form (ISO dates)."""
    document = read_yaml_table(DEFAULT_TARIFF_FILE)
    loaded: dict[str, Any] = json.loads(json.dumps(document, default=str))
    return loaded


def golden_quote(schedule: TariffSchedule, day: date) -> Quote:
    """Price the golden request of the document tests: total 179,59 € on the default tariff."""
    request = PricingRequest(
        RequesterType.CABINET_PRIVE,
        Use.ETUDES,
        cells_per_zone=1200,
        zones=2,
        indicators=3,
        custom_zones=2,
        bespoke_breakdowns=1,
        convention_ref="CONV-131-2026-007",
    )
    return price(request, schedule, day, caf_code="131")  # total 179,59 (golden)
