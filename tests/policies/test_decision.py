"""The decision: requester type x tier x convention state x scope -> decision and rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from policies.access import Decision, Rule
from policies.conventions import Convention, suspend, terminate
from policies.decision import decide
from policies.domain import GeoLevel, RequesterType, Tier, Use
from policies.errors import AccessDenied, ConventionRequired
from tests.policies.access_fakes import (
    BY_TIER,
    CATALOGUE,
    GEO,
    MATRIX,
    TODAY,
    C,
    D,
    E,
    active,
    draft,
    request,
    requester,
    scoped,
)

T = RequesterType
CD, COM, EPCI_, ETAT, OMP, CAB, GP = (
    T.CONSEIL_DEPARTEMENTAL,
    T.COMMUNE,
    T.EPCI,
    T.SERVICE_ETAT,
    T.ORGANISME_MISSION_PUBLIQUE,
    T.CABINET_PRIVE,
    T.GRAND_PUBLIC,
)
MARSEILLE, AIX, ARLES = (C, "13055"), (C, "13001"), (C, "13004")
AMP = (E, "200054807")  # Aix-Marseille-Provence: Marseille and Aix, not Arles


def run(req, who, conventions: tuple[Convention, ...] = ()) -> Decision:  # type: ignore[no-untyped-def]
    return decide(
        req,
        who,
        conventions=conventions,
        catalogue=CATALOGUE,
        matrix=MATRIX,
        territories=GEO,
        today=TODAY,
    )


STATES = {
    "aucune": (),
    "active": (active(),),
    "brouillon": (draft(),),
    "suspendue": (suspend(active(), date(2026, 2, 1)),),
    "resiliee": (terminate(active(), date(2026, 2, 1)),),
    "expiree": (active(end=date(2026, 2, 28)),),
    "pas_commencee": (active(start=date(2026, 6, 1)),),
}
OK = None  # expected rule for an allowed decision is given by `allowed_by`

# type, tier, territory, convention state -> allowed, rule (allowed_by, or a refusing rule)
MATRIX_CASES = [
    (GP, Tier.SOCLE_COMMUN, (D, "13"), "aucune", True, Rule.ACCES_LIBRE),
    (GP, Tier.SOCLE_COMMUN, MARSEILLE, "aucune", False, Rule.MATRICE_NIVEAU_FIN),
    (GP, Tier.CONVENTION, (D, "13"), "aucune", False, Rule.MATRICE_TYPE_TIER),
    (GP, Tier.RESTREINT, (D, "13"), "aucune", False, Rule.MATRICE_TYPE_TIER),
    (GP, Tier.INTERNE, (D, "13"), "aucune", False, Rule.TIER_INTERNE),
    (CD, Tier.SOCLE_COMMUN, (D, "13"), "aucune", True, Rule.ACCES_LIBRE),
    (CD, Tier.SOCLE_COMMUN, MARSEILLE, "aucune", False, Rule.CONVENTION_AUCUNE_ACTIVE),
    (CD, Tier.SOCLE_COMMUN, MARSEILLE, "active", True, Rule.CONVENTION_COUVERTURE),
    (CD, Tier.CONVENTION, (D, "13"), "aucune", False, Rule.CONVENTION_AUCUNE_ACTIVE),
    (CD, Tier.CONVENTION, MARSEILLE, "active", True, Rule.CONVENTION_COUVERTURE),
    (CD, Tier.CONVENTION, MARSEILLE, "brouillon", False, Rule.CONVENTION_INACTIVE),
    (CD, Tier.CONVENTION, MARSEILLE, "suspendue", False, Rule.CONVENTION_INACTIVE),
    (CD, Tier.CONVENTION, MARSEILLE, "resiliee", False, Rule.CONVENTION_INACTIVE),
    (CD, Tier.CONVENTION, MARSEILLE, "expiree", False, Rule.CONVENTION_EXPIREE),
    (CD, Tier.CONVENTION, MARSEILLE, "pas_commencee", False, Rule.CONVENTION_INACTIVE),
    (CD, Tier.RESTREINT, MARSEILLE, "active", True, Rule.CONVENTION_COUVERTURE),
    (CD, Tier.INTERNE, MARSEILLE, "active", False, Rule.TIER_INTERNE),
    (COM, Tier.CONVENTION, MARSEILLE, "active", True, Rule.CONVENTION_COUVERTURE),
    (COM, Tier.RESTREINT, MARSEILLE, "active", False, Rule.MATRICE_TYPE_TIER),
    (EPCI_, Tier.CONVENTION, AMP, "active", True, Rule.CONVENTION_COUVERTURE),
    (ETAT, Tier.CONVENTION, (D, "13"), "active", True, Rule.CONVENTION_COUVERTURE),
    (ETAT, Tier.RESTREINT, MARSEILLE, "active", False, Rule.TIER_RESTREINT),  # RSA_FLUX: CD only
    (OMP, Tier.CONVENTION, MARSEILLE, "active", True, Rule.CONVENTION_COUVERTURE),
    (CAB, Tier.SOCLE_COMMUN, (D, "13"), "aucune", True, Rule.ACCES_LIBRE),
    (CAB, Tier.CONVENTION, AMP, "active", True, Rule.CONVENTION_COUVERTURE),
    (CAB, Tier.CONVENTION, MARSEILLE, "active", False, Rule.MATRICE_NIVEAU_FIN),
    (CAB, Tier.RESTREINT, AMP, "active", False, Rule.MATRICE_TYPE_TIER),
    (T.ADMIN_CAF, Tier.CONVENTION, MARSEILLE, "aucune", True, Rule.ACCES_LIBRE),
    (T.ADMIN_NATIONAL, Tier.RESTREINT, MARSEILLE, "aucune", True, Rule.ACCES_LIBRE),
    (T.ADMIN_CAF, Tier.INTERNE, (D, "13"), "aucune", False, Rule.TIER_INTERNE),
]


@pytest.mark.parametrize(("rtype", "tier", "territory", "state", "allowed", "rule"), MATRIX_CASES)
def test_matrix_type_tier_state(
    rtype: RequesterType,
    tier: Tier,
    territory: tuple[GeoLevel, str],
    state: str,
    allowed: bool,
    rule: Rule,
) -> None:
    decision = run(
        request(BY_TIER[tier], territories=(territory,)), requester(rtype), STATES[state]
    )
    assert decision.allowed is allowed
    if allowed:
        assert decision.allowed_by is rule
        assert decision.free_access is (rule is Rule.ACCES_LIBRE)
        assert (decision.convention_id is None) is (rule is Rule.ACCES_LIBRE)
    else:
        assert rule in decision.refusal_rules, decision.reasons_fr
        assert decision.convention_id is None


# scope of the active convention, request -> rule refusing (None: allowed)
SCOPE_CASES = [
    ("territoire couvert", {}, {}, None),
    (
        "autre territoire",
        {"territories": frozenset({(D, "75")})},
        {},
        Rule.HORS_PERIMETRE_TERRITOIRE,
    ),
    ("période hors champ", {"periods": frozenset({2022})}, {}, Rule.HORS_PERIMETRE_PERIODE),
    ("indicateur hors champ", {"tiers": frozenset()}, {}, Rule.HORS_PERIMETRE_INDICATEUR),
    ("niveau trop fin", {"finest_level": E}, {}, Rule.HORS_PERIMETRE_NIVEAU),
    (
        "ventilation hors champ",
        {"breakdowns": frozenset()},
        {"breakdowns": ("tranche_age",)},
        Rule.HORS_PERIMETRE_VENTILATION,
    ),
    ("usage non permis", {}, {"use": Use.REDIFFUSION}, Rule.CONVENTION_USAGE),
    ("une période de trop", {}, {"periods": (2021, 2024)}, Rule.HORS_PERIMETRE_PERIODE),
    (
        "un territoire de trop",
        {"territories": frozenset({AMP})},
        {"territories": (MARSEILLE, ARLES)},
        Rule.HORS_PERIMETRE_TERRITOIRE,
    ),
    ("EPCI contenant la commune", {"territories": frozenset({AMP})}, {"territories": (AIX,)}, None),
    (
        "département plus large que l'EPCI",
        {"territories": frozenset({AMP})},
        {"territories": ((D, "13"),)},
        Rule.HORS_PERIMETRE_TERRITOIRE,
    ),
    (
        "département détaillé par commune",
        {},
        {"territories": ((D, "13"),), "finest_level": C},
        None,
    ),
    (
        "détail communal au-delà du niveau",
        {"finest_level": E},
        {"territories": ((D, "13"),), "finest_level": C},
        Rule.HORS_PERIMETRE_NIVEAU,
    ),
]


@pytest.mark.parametrize(
    ("case", "scope", "asked", "rule"), SCOPE_CASES, ids=[c[0] for c in SCOPE_CASES]
)
def test_scope_is_never_trimmed(
    case: str, scope: dict[str, object], asked: dict[str, object], rule: Rule | None
) -> None:
    conv = active(scope=scoped(**scope))
    decision = run(request("PLACES_EAJE", **asked), requester(CD), (conv,))
    if rule is None:
        assert decision.allowed, decision.reasons_fr
        assert decision.convention_reference == "CONV-13-2026-004 v1"
    else:
        assert not decision.allowed
        assert decision.refusal_rules == (rule,), decision.reasons_fr
        assert decision.closest_convention_reference == "CONV-13-2026-004 v1"


def test_refusal_says_which_part_is_not_covered() -> None:
    decision = run(request("PLACES_EAJE"), requester(COM, MARSEILLE))
    assert decision.refusals[0].message_fr == (
        "indicateur PLACES_EAJE au niveau commune : convention requise ; "
        "aucune convention active ne couvre le territoire 13055 pour 2024"
    )
    assert decision.refusals[0].remedy_fr


def test_closest_convention_is_named_with_what_it_lacks() -> None:
    far = active(
        id="c-far",
        reference="CONV-13-2025-001",
        scope=scoped(territories=frozenset({(D, "75")}), periods=frozenset({2019})),
    )
    near = active(
        id="c-near", reference="CONV-13-2026-009", scope=scoped(territories=frozenset({AMP}))
    )
    decision = run(
        request("PLACES_EAJE", territories=(MARSEILLE, ARLES)), requester(CD), (far, near)
    )
    assert not decision.allowed
    assert decision.closest_convention_reference == "CONV-13-2026-009 v1"
    (refusal,) = decision.refusals
    assert refusal.rule is Rule.HORS_PERIMETRE_TERRITOIRE
    assert "13004" in refusal.message_fr and "13055" not in refusal.message_fr
    assert "CONV-13-2026-009" in refusal.message_fr


def test_one_convention_must_cover_the_whole_request() -> None:
    marseille = active(id="c-m", scope=scoped(territories=frozenset({MARSEILLE})))
    arles = active(id="c-a", scope=scoped(territories=frozenset({ARLES})))
    decision = run(
        request("PLACES_EAJE", territories=(MARSEILLE, ARLES)), requester(CD), (marseille, arles)
    )
    assert not decision.allowed
    assert decision.refusal_rules == (Rule.HORS_PERIMETRE_TERRITOIRE,)


def test_own_territory_scope_follows_the_requester() -> None:
    conv = active(scope=scoped(territories=frozenset(), own_territory=True))
    aix = requester(COM, AIX)
    assert run(request("PLACES_EAJE", territories=(AIX,)), aix, (conv,)).allowed
    refused = run(request("PLACES_EAJE", territories=(MARSEILLE,)), aix, (conv,))
    assert refused.refusal_rules == (Rule.HORS_PERIMETRE_TERRITOIRE,)
    epci = requester(EPCI_, AMP)
    assert run(request("PLACES_EAJE", territories=(AIX, MARSEILLE)), epci, (conv,)).allowed
    assert not run(request("PLACES_EAJE", territories=(ARLES,)), epci, (conv,)).allowed
    assert not run(
        request("PLACES_EAJE", territories=(AIX,)), requester(COM, None), (conv,)
    ).allowed


def test_cabinet_prive_goes_below_epci_only_by_explicit_derogation() -> None:
    plain = active()
    derogating = active(scope=scoped(derogation_niveau=True))
    cab = requester(CAB)
    refused = run(request("PLACES_EAJE"), cab, (plain,))
    assert set(refused.refusal_rules) == {Rule.MATRICE_NIVEAU_FIN, Rule.HORS_PERIMETRE_NIVEAU}
    assert run(request("PLACES_EAJE"), cab, (derogating,)).allowed
    assert run(request("PLACES_EAJE", territories=(AMP,)), cab, (plain,)).allowed


@pytest.mark.parametrize(
    ("rtype", "indicator", "allowed"),
    [
        (CAB, "ENFANTS_AM", False),
        (CAB, "ENFANTS_MOINS_6", False),
        (COM, "ENFANTS_AM", True),
        (CD, "ENFANTS_MOINS_6", True),
    ],
)
def test_acoss_and_msa_sources_only_to_listed_types(
    rtype: RequesterType, indicator: str, allowed: bool
) -> None:
    decision = run(request(indicator, territories=(AMP,)), requester(rtype, AMP), (active(),))
    assert decision.allowed is allowed
    assert (Rule.SOURCE_RESTRICTION in decision.refusal_rules) is not allowed


def test_default_is_deny_and_says_so() -> None:
    decision = run(request(), requester(CD), (active(),))
    assert not decision.allowed
    assert decision.refusal_rules == (Rule.DEFAUT_REFUS,)
    assert decision.refusals[0].message_fr == "aucune règle n'autorise cette demande"
    assert not run(request("PLACES_EAJE", periods=()), requester(CD), (active(),)).allowed


def test_every_rule_is_evaluated_and_every_reason_reported() -> None:
    decision = run(
        request("INCONNU", "SCORE_INTERNE", "PLACES_EAJE", periods=(1999, 2024)), requester(CAB), ()
    )
    assert {
        Rule.CATALOGUE_INDICATEUR,
        Rule.TIER_INTERNE,
        Rule.DEMANDE_PERIODE,
        Rule.MATRICE_NIVEAU_FIN,
    } <= set(decision.refusal_rules)
    assert (
        Rule.DEFAUT_REFUS in decision.rules_applied
        or Rule.CONVENTION_COUVERTURE in decision.rules_applied
    )
    assert all(r.message_fr and r.remedy_fr for r in decision.refusals)


def test_free_and_conventioned_cells_together_name_the_convention() -> None:
    decision = run(
        request("NB_ALLOCATAIRES", "PLACES_EAJE", territories=((D, "13"), MARSEILLE)),
        requester(CD),
        (active(),),
    )
    assert decision.allowed and not decision.free_access
    assert decision.convention_id == "c-1"


def test_conventions_of_other_requesters_are_ignored() -> None:
    decision = run(request("PLACES_EAJE"), requester(CD, rid="dem-2"), (active(),))
    assert decision.refusal_rules == (Rule.CONVENTION_AUCUNE_ACTIVE,)


def test_custom_zones_are_covered_commune_by_commune() -> None:
    zone = (GeoLevel.ZONE, "Z1")
    conv = active(scope=scoped(territories=frozenset({AMP})))
    inside = request(
        "PLACES_EAJE", territories=(zone,), zone_communes=(("Z1", frozenset({"13055", "13001"})),)
    )
    across = request(
        "PLACES_EAJE", territories=(zone,), zone_communes=(("Z1", frozenset({"13055", "13004"})),)
    )
    assert run(inside, requester(CD), (conv,)).allowed
    assert run(across, requester(CD), (conv,)).refusal_rules == (Rule.HORS_PERIMETRE_TERRITOIRE,)
    assert (
        Rule.DEMANDE_ZONE
        in run(request("PLACES_EAJE", territories=(zone,)), requester(CD), (conv,)).refusal_rules
    )
    assert Rule.MATRICE_NIVEAU_FIN in run(inside, requester(CAB), (conv,)).refusal_rules


def test_breakdowns_the_indicator_lacks_are_refused() -> None:
    decision = run(request("PLACES_EAJE", breakdowns=("type_famille",)), requester(CD), (active(),))
    assert Rule.CATALOGUE_VENTILATION in decision.refusal_rules


def test_refused_decision_raises_the_domain_error() -> None:
    with pytest.raises(ConventionRequired) as caught:
        run(request("PLACES_EAJE"), requester(CD)).raise_if_refused()
    assert caught.value.reasons[0]["regle"] == "convention.aucune_active"
    with pytest.raises(AccessDenied):
        run(request("SCORE_INTERNE"), requester(CD)).raise_if_refused()
    run(request("NB_ALLOCATAIRES", territories=((D, "13"),)), requester(GP)).raise_if_refused()


def test_decision_is_frozen() -> None:
    decision = run(request("PLACES_EAJE"), requester(CD), (active(),))
    with pytest.raises(AttributeError):
        decision.allowed = False  # type: ignore[misc]
    assert replace(decision) == decision
