"""Convention templates by requester type (gateway/services/conventions/templates.py).

Pure checks against the seeded policy matrix and clause list, then a draft made from each
template through the same service as the API: it lacks only what a signature brings.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from gateway.db.models import Requester
from gateway.reference.seeds import read_mandatory_clauses, read_policy_matrix_document
from gateway.services.conventions.drafts import create_convention
from gateway.services.conventions.templates import (
    TEMPLATES,
    draft_fields,
    signatory_roles,
    template_for,
)
from gateway.services.conventions.values import to_value
from policies.access.matrix import Access, policy_matrix_from_mapping
from policies.conventions import Party, missing_for_activation
from policies.domain import PricingMode, RequesterType, Tier, Use
from tests.gateway.admin.conftest import World
from tests.support.state import get_database

MATRIX = policy_matrix_from_mapping(read_policy_matrix_document())
CLAUSES = read_mandatory_clauses()


def test_every_type_a_convention_serves_has_one_template_and_no_other() -> None:
    served = {t for t in RequesterType if not t.is_admin and MATRIX.accepts_conventions(t)}
    assert set(TEMPLATES) == served
    assert template_for("grand_public") is None and template_for("admin_caf") is None
    assert template_for("inconnu") is None


@pytest.mark.parametrize("rtype", sorted(TEMPLATES))
def test_a_template_stays_within_the_matrix(rtype: RequesterType) -> None:
    template = TEMPLATES[rtype]
    assert template.tiers and Tier.INTERNE not in template.tiers
    assert all(MATRIX.access(rtype, tier) is Access.CONVENTION for tier in template.tiers)
    assert template.finest_level.fineness >= MATRIX.finest_level(rtype).fineness
    assert template.uses and template.finalite.strip() and template.requester_role


def test_the_doctrine_shows_in_the_templates() -> None:
    cd, cabinet = (
        TEMPLATES[RequesterType.CONSEIL_DEPARTEMENTAL],
        TEMPLATES[RequesterType.CABINET_PRIVE],
    )
    assert cd.pricing is PricingMode.FREE_EXEMPTION and Tier.RESTREINT in cd.tiers
    assert TEMPLATES[RequesterType.SERVICE_ETAT].pricing is PricingMode.FREE_EXEMPTION
    assert cabinet.uses == {Use.ETUDES} and Use.REDIFFUSION not in cabinet.uses
    assert cabinet.finest_level.value == "epci" and Tier.RESTREINT not in cabinet.tiers
    commune = TEMPLATES[RequesterType.COMMUNE]
    assert commune.pricing is PricingMode.PER_EXTRACT and commune.extracts_per_month == 10
    assert signatory_roles(commune) == {
        Party.CAF: "Directeur ou directrice de la Caf",
        Party.DEMANDEUR: "Maire",
    }


def test_the_fields_preselect_every_clause_and_the_latest_periods() -> None:
    fields = draft_fields(
        TEMPLATES[RequesterType.EPCI],
        caf_code="13",
        requester_id=7,
        has_territory=False,
        clauses=CLAUSES,
        periods=[2024, 2019, 2020, 2021, 2022, 2023],
    )
    assert fields["clauses"] == [c.code for c in CLAUSES]
    assert fields["scope"] == {
        "tiers": ["convention"],
        "own_territory": False,
        "finest_level": "commune",
        "periods": [2022, 2023, 2024],
    }
    assert (fields["caf_code"], fields["requester_id"]) == ("13", 7)


@pytest.mark.parametrize("name", ["commune_13", "cd_13"])
def test_a_draft_from_a_template_lacks_only_what_signing_brings(
    sqlite_app: Flask, console_world: World, name: str
) -> None:
    rid = console_world.id(name)
    with sqlite_app.app_context(), get_database().transaction() as session:
        requester = session.get(Requester, rid)
        assert requester is not None
        template = template_for(requester.type)
        assert template is not None
        fields = draft_fields(
            template,
            caf_code="13",
            requester_id=rid,
            has_territory=True,
            clauses=CLAUSES,
            periods=[2022, 2023],
        )
        conv = to_value(create_convention(session, None, fields))
    missing = missing_for_activation(conv, date(2026, 1, 1), CLAUSES)
    assert missing == [
        "signataire manquant pour la partie « caf »",
        "signataire manquant pour la partie « demandeur »",
        "date de début manquante",
        "date de fin manquante",
        "document signé manquant (empreinte SHA-256)",
    ]
