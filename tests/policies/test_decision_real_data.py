"""The decision with the real catalogue and the real Etalab geography (not the fakes)."""

from __future__ import annotations

import pytest

from gateway.catalogue import load_catalogue
from gateway.reference.geography import load_geography
from policies.access import AccessRequest, Decision, RequesterProfile, Rule
from policies.conventions import Convention
from policies.decision import decide
from policies.domain import GeoLevel, RequesterType, Tier, Use
from policies.geography import Geography
from tests.policies.access_fakes import MATRIX, TODAY, C, D, E, active, scoped

T = RequesterType


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


def _run(
    geo: Geography,
    who: RequesterProfile,
    code: str,
    territory: tuple[GeoLevel, str],
    *convs: Convention,
) -> Decision:
    req = AccessRequest(
        indicators=(code,), territories=(territory,), periods=(2024,), use=Use.ETUDES
    )
    catalogue = load_catalogue().indicators
    return decide(
        req,
        who,
        conventions=convs,
        catalogue=catalogue,
        matrix=MATRIX,
        territories=geo,
        today=TODAY,
    )


def _who(rtype: RequesterType) -> RequesterProfile:
    return RequesterProfile(id="dem-1", type=rtype, caf_code="13")


@pytest.mark.parametrize(
    ("rtype", "code", "territory", "rule"),
    [
        (T.GRAND_PUBLIC, "ALLOC", (D, "13"), Rule.ACCES_LIBRE),
        (T.CONSEIL_DEPARTEMENTAL, "PLACES_EAJE", (C, "13055"), Rule.CONVENTION_COUVERTURE),
        (T.CONSEIL_DEPARTEMENTAL, "PLACES_EAJE", (E, "200054807"), Rule.HORS_PERIMETRE_TERRITOIRE),
        (T.CONSEIL_DEPARTEMENTAL, "PLACES_EAJE", (C, "99999"), Rule.HORS_PERIMETRE_TERRITOIRE),
        (T.CABINET_PRIVE, "ASSMAT_ACTIVES", (E, "241300417"), Rule.SOURCE_RESTRICTION),
        (T.SERVICE_ETAT, "RSA_MONTANT", (C, "13055"), Rule.CONVENTION_COUVERTURE),
        (T.COMMUNE, "RSA_MONTANT", (C, "13055"), Rule.MATRICE_TYPE_TIER),
        (T.CONSEIL_DEPARTEMENTAL, "INDUS_MONTANT", (D, "13"), Rule.TIER_INTERNE),
    ],
)
def test_real_catalogue_and_geography_fit_the_protocols(
    geo: Geography, rtype: RequesterType, code: str, territory: tuple[GeoLevel, str], rule: Rule
) -> None:
    conv = active(scope=scoped(tiers=frozenset({Tier.CONVENTION, Tier.RESTREINT})))
    decision = _run(geo, _who(rtype), code, territory, conv)
    if decision.allowed:
        assert decision.allowed_by is rule
    else:
        assert rule in decision.refusal_rules, decision.reasons_fr
