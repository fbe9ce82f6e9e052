"""Schedules: validation of the published form, seed files, versions by date."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policies.domain import RequesterType, Use
from policies.errors import Conflict, InvalidInput, NotFound
from tariffs import (
    DEFAULT_CAF_CODE,
    PricingCategory,
    PricingRequest,
    TariffSchedule,
    price,
    pricing_category,
    schedule_for,
    schedule_from_mapping,
    schedule_to_mapping,
    schedules_from_yaml,
    select_version,
)
from tests.support.tariffs import default_schedule, default_schedule_mapping
from tests.tariffs.conftest import DAY

SEEDS = Path(__file__).resolve().parents[2] / "data" / "tariffs"


def with_value(path: str, value: object) -> dict[str, Any]:
    mapping = copy.deepcopy(default_schedule_mapping())
    *parents, last = path.split(".")
    node = mapping
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return mapping


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("forfait_premiere_heure.traitement_demande", "-1.00"),
        ("forfait_premiere_heure.temps_analyste", "80.001"),
        ("forfait_premiere_heure.temps_machine", "beaucoup"),
        ("taux_horaire.machine", "-30"),
        ("taux_horaire.analyste", True),
        ("production.cellules_par_bloc", 0),
        ("production.cellules_par_bloc", "400"),
        ("production.prix_par_bloc", "NaN"),
        ("estimation_travail.cellules_par_heure_machine", -5),
        ("estimation_travail.arrondi_heures", "0"),
        ("estimation_travail.arrondi_heures", "1.5"),
        ("estimation_travail.heures_analyste_par_indicateur", "-0.1"),
        ("coefficients_usage.rediffusion", KeyError),
        ("coefficients_usage.etudes", "0"),
        ("coefficients_usage.revente", "2.00"),
        ("coefficients_demandeur.prive", KeyError),
        ("coefficients_demandeur.etat", "-0.5"),
        ("categories_facturees", ["prive", "banques"]),
        ("exonerations", ["diagnostic_caf"]),
        ("tva.taux", "20"),
        ("tva.applicable", "oui"),
        ("minimum_perception", "-10"),
        ("validite_devis_jours", 0),
        ("en_vigueur_au", "2025-12-31"),
        ("en_vigueur_du", "1er janvier"),
        ("devise", "USD"),
        ("caf", "Marseille"),
        ("version", KeyError),
        ("champ_inconnu", 1),
        ("tva.taux_reduit", "0.055"),
    ],
)
def test_invalid_schedule_names_the_field(path: str, value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedule_from_mapping(with_value(path, value))
    assert any(reason.startswith(path) for reason in raised.value.reasons), raised.value.reasons


def test_every_problem_is_reported_at_once() -> None:
    mapping = with_value("taux_horaire.machine", "-1")
    mapping["production"]["cellules_par_bloc"] = 0
    with pytest.raises(InvalidInput) as raised:
        schedule_from_mapping(mapping)
    assert len(raised.value.reasons) == 2


def test_schedule_mapping_round_trips() -> None:
    schedule = default_schedule()
    assert schedule_from_mapping(schedule_to_mapping(schedule)) == schedule
    assert schedule_to_mapping(schedule) == default_schedule_mapping()


def test_default_seed_file_parses_into_a_valid_default_schedule() -> None:
    [seeded] = schedules_from_yaml((SEEDS / "default.yaml").read_text(encoding="utf-8"))
    assert (seeded.caf_code, seeded.effective_from, seeded.effective_to) == (
        DEFAULT_CAF_CODE,
        date(2026, 1, 1),
        None,
    )
    # the anchor: Insee's 2014 fixed part, 152 EUR; Insee's 2001 production price
    assert seeded.forfait.total == 152
    assert (seeded.production.block_cells, str(seeded.production.price_per_block)) == (400, "0.30")


def test_private_only_example_bills_only_private_requesters() -> None:
    [example] = schedules_from_yaml(
        (SEEDS / "exemple-prive-uniquement.yaml").read_text(encoding="utf-8")
    )
    assert example.billed_categories == {PricingCategory.PRIVE}
    day = date(2026, 6, 1)
    partner = PricingRequest(RequesterType.EPCI, Use.ETUDES, cells_per_zone=900, partnership=True)
    private = PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES, cells_per_zone=900)
    assert price(partner, example, day).total == 0
    # 152 + production 3 blocks × 0,30 = 152,90 ≥ minimum 152; VAT 30,58; total 183,48
    assert str(price(private, example, day).total) == "183.48"


def test_unreadable_yaml_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        schedules_from_yaml("caf: [unclosed")


def version(name: str, start: date, end: date | None = None, caf: str = "131") -> TariffSchedule:
    return replace(
        default_schedule(), caf_code=caf, version=name, effective_from=start, effective_to=end
    )


V2025 = version("2025.1", date(2025, 1, 1), date(2025, 12, 31))
V2026 = version("2026.1", date(2026, 1, 1))
V2026B = version("2026.2", date(2026, 7, 1))
DEFAULT = version("defaut", date(2020, 1, 1), caf="*")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 1), "2025.1"),
        (date(2025, 12, 31), "2025.1"),  # effective_to is the last day in force
        (date(2026, 1, 1), "2026.1"),
        (date(2026, 6, 30), "2026.1"),
        (date(2026, 7, 1), "2026.2"),  # a newer version supersedes an open-ended one
        (date(2030, 1, 1), "2026.2"),
    ],
)
def test_select_version_by_date(day: date, expected: str) -> None:
    assert select_version([V2026B, V2025, V2026], day).version == expected


def test_no_version_in_force_is_not_found() -> None:
    with pytest.raises(NotFound):
        select_version([V2025, V2026], date(2024, 12, 31))


def test_two_versions_starting_the_same_day_conflict() -> None:
    with pytest.raises(Conflict):
        select_version([V2026, replace(V2026, version="2026.1bis")], date(2026, 2, 1))


def test_schedule_for_falls_back_to_the_default_schedule() -> None:
    pool = [V2025, V2026, DEFAULT]
    assert schedule_for(pool, "131", date(2026, 2, 1)).version == "2026.1"
    assert schedule_for(pool, "131", date(2024, 2, 1)).version == "defaut"
    assert schedule_for(pool, "751", date(2026, 2, 1)).version == "defaut"


def test_price_refuses_a_schedule_not_in_force() -> None:
    request = PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES)
    with pytest.raises(InvalidInput):
        price(request, V2025, DAY)
    with pytest.raises(InvalidInput):
        price(request, V2026, DAY, caf_code="751")  # another Caf's schedule


@pytest.mark.parametrize(
    ("requester", "partnership", "expected"),
    [
        (RequesterType.GRAND_PUBLIC, False, PricingCategory.GRAND_PUBLIC),
        (RequesterType.GRAND_PUBLIC, True, PricingCategory.GRAND_PUBLIC),
        (RequesterType.SERVICE_ETAT, False, PricingCategory.ETAT),
        (RequesterType.CONSEIL_DEPARTEMENTAL, True, PricingCategory.PARTENAIRE_CONVENTIONNE),
        (RequesterType.COMMUNE, True, PricingCategory.PARTENAIRE_CONVENTIONNE),
        (RequesterType.EPCI, True, PricingCategory.PARTENAIRE_CONVENTIONNE),
        (RequesterType.ORGANISME_MISSION_PUBLIQUE, True, PricingCategory.PARTENAIRE_CONVENTIONNE),
        (RequesterType.COMMUNE, False, PricingCategory.PRIVE),
        (RequesterType.CABINET_PRIVE, True, PricingCategory.PRIVE),
        (RequesterType.CABINET_PRIVE, False, PricingCategory.PRIVE),
    ],
)
def test_pricing_category(
    requester: RequesterType, partnership: bool, expected: PricingCategory
) -> None:
    assert pricing_category(requester, partnership=partnership) is expected


@pytest.mark.parametrize("admin", [RequesterType.ADMIN_CAF, RequesterType.ADMIN_NATIONAL])
def test_administrators_have_no_category(admin: RequesterType) -> None:
    with pytest.raises(InvalidInput):
        pricing_category(admin, partnership=False)
