"""Property: no generated request is ever allowed outside its convention's scope or dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.access import AccessRequest, Decision, RequesterProfile
from policies.conventions import Convention, ConventionScope, ConventionStatus
from policies.decision import decide
from policies.domain import PERIODS, GeoLevel, RequesterType, Tier, Use
from tests.policies.access_fakes import CATALOGUE, GEO, MATRIX, C, D, E, F, R, draft

T = RequesterType
ZONE = (GeoLevel.ZONE, "Z1")
POOL = [
    (C, "13055"),
    (C, "13001"),
    (C, "13004"),
    (C, "75056"),
    (E, "200054807"),
    (E, "241300417"),
    (D, "13"),
    (D, "75"),
    (R, "93"),
    (F, "FR"),
]
CODES = [*CATALOGUE, "INCONNU"]
LEVELS = [C, E, D, R]


def _subset(items: list[object], min_size: int = 0) -> st.SearchStrategy[frozenset[object]]:
    return st.frozensets(st.sampled_from(items), min_size=min_size, max_size=len(items))


scopes = st.builds(
    ConventionScope,
    indicators=_subset(CODES),
    tiers=_subset(list(Tier), 1),
    territories=_subset(POOL, 1),
    own_territory=st.booleans(),
    finest_level=st.sampled_from([C, C, *LEVELS]),
    periods=_subset(list(PERIODS), 1),
    breakdowns=_subset(["tranche_age", "type_famille"]),
    derogation_niveau=st.booleans(),
)


@st.composite
def conventions(draw: st.DrawFn) -> Convention:
    start = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    return draft(
        id=f"c-{draw(st.integers(0, 10_000))}",
        requester_id=draw(st.sampled_from(["dem-1", "dem-1", "dem-2"])),
        status=draw(st.sampled_from(list(ConventionStatus))),
        start=start,
        end=start + timedelta(days=draw(st.integers(0, 800))),
        uses=draw(_subset(list(Use))),
        scope=draw(scopes),
    )


@st.composite
def requests(draw: st.DrawFn) -> AccessRequest:
    territories = draw(st.lists(st.sampled_from([*POOL, ZONE]), max_size=3))
    zone = draw(st.frozensets(st.sampled_from(["13055", "13001", "13004", "75056"]), max_size=3))
    return AccessRequest(
        indicators=tuple(draw(st.lists(st.sampled_from(CODES), max_size=3))),
        territories=tuple(territories),
        periods=tuple(draw(st.lists(st.sampled_from([*PERIODS, 2025]), max_size=3))),
        use=draw(st.sampled_from(list(Use))),
        breakdowns=tuple(
            draw(st.lists(st.sampled_from(["tranche_age", "type_famille"]), max_size=2))
        ),
        finest_level=draw(st.none() | st.sampled_from(LEVELS)),
        zone_communes=(("Z1", zone),),
    )


requesters = st.builds(
    RequesterProfile,
    id=st.just("dem-1"),
    type=st.sampled_from([t for t in T if not t.is_admin]),
    caf_code=st.just("13"),
    territory=st.none() | st.sampled_from(POOL[:6]),
)


def _near(
    draw: st.DrawFn, inside: list[Any], everything: list[Any], max_size: int = 3
) -> list[Any]:
    """Draw mostly from inside a scope, sometimes from anywhere (to probe its edges)."""
    pool = inside if inside and draw(st.integers(0, 9)) else everything
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=max_size))


def _under(scope: ConventionScope) -> list[tuple[GeoLevel, str]]:
    outers = [o for o in scope.territories if o[0] is not GeoLevel.ZONE]
    return [*scope.territories, *(t for t in POOL if any(GEO.contains(*o, *t) for o in outers))]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[AccessRequest, RequesterProfile, list[Convention], date]:
    """A request aimed at one of the conventions, near its scope and dates."""
    drawn = draw(st.lists(conventions(), min_size=1, max_size=3))
    convs = [replace(c, id=f"c-{i}") for i, c in enumerate(drawn)]
    if draw(st.integers(0, 3)):
        convs[0] = replace(convs[0], status=ConventionStatus.ACTIVE, requester_id="dem-1")
    target, scope = convs[0], convs[0].scope
    assert target.start is not None and target.end is not None
    span = (target.end - target.start).days
    today = target.start + timedelta(days=draw(st.integers(-30, span + 30)))
    deliverable = [
        c
        for c, i in CATALOGUE.items()
        if i.tier is not Tier.INTERNE and (i.tier in scope.tiers or c in scope.indicators)
    ]
    zone = draw(st.frozensets(st.sampled_from(["13055", "13001", "13004", "75056"]), max_size=3))
    req = AccessRequest(
        indicators=tuple(_near(draw, deliverable, CODES)),
        territories=tuple(_near(draw, _under(scope), [*POOL, ZONE])),
        periods=tuple(_near(draw, sorted(scope.periods), [*PERIODS, 2025])),
        use=draw(st.sampled_from(sorted(target.uses) or list(Use))),
        breakdowns=draw(st.sampled_from([(), (), ("tranche_age",), ("type_famille",)])),
        finest_level=draw(st.sampled_from([None, None, *LEVELS])),
        zone_communes=(("Z1", zone),),
    )
    who = draw(requesters)
    if draw(st.integers(0, 2)):
        who = replace(who, type=T.CONSEIL_DEPARTEMENTAL)
    return req, who, convs, today


def _communes(territory: tuple[GeoLevel, str], req: AccessRequest) -> set[str]:
    if territory[0] is GeoLevel.ZONE:
        return set(req.communes_of(territory[1]))
    return GEO.communes_of(*territory)


def _cell_level(req: AccessRequest, territory: tuple[GeoLevel, str]) -> GeoLevel:
    levels = [territory[0], *([req.finest_level] if req.finest_level else [])]
    return min(levels, key=lambda lvl: lvl.fineness)


def _free(tier: Tier, level: GeoLevel) -> bool:
    return tier is Tier.SOCLE_COMMUN and level.fineness >= D.fineness


def _assert_inside(
    conv: Convention, req: AccessRequest, who: RequesterProfile, today: date
) -> None:
    """An independent reading of 'covered': dates, status, use, dimensions, level."""
    scope = conv.scope
    assert conv.requester_id == who.id
    assert conv.status is ConventionStatus.ACTIVE
    assert conv.start is not None and conv.end is not None and conv.start <= today <= conv.end
    assert req.use in conv.uses
    assert set(req.breakdowns) <= scope.breakdowns
    assert set(req.periods) <= scope.periods
    outers = set(scope.territories) | (
        {who.territory} if scope.own_territory and who.territory else set()
    )
    allowed_communes = set().union(*(_communes(o, req) for o in outers)) if outers else set()
    for code in req.indicators:
        tier = CATALOGUE[code].tier
        for territory in req.territories:
            level = _cell_level(req, territory)
            if _free(tier, level):
                continue
            assert code in scope.indicators or tier in scope.tiers
            assert _communes(territory, req) and _communes(territory, req) <= allowed_communes
            assert level.fineness >= scope.finest_level.fineness
            assert (
                level.fineness >= MATRIX.finest_level(who.type).fineness or scope.derogation_niveau
            )


def _check(
    decision: Decision,
    req: AccessRequest,
    who: RequesterProfile,
    convs: list[Convention],
    today: date,
) -> None:
    if not decision.allowed:
        assert decision.refusals and decision.convention_id is None
        return
    assert req.indicators and req.territories and req.periods
    assert all(
        code in CATALOGUE and CATALOGUE[code].tier is not Tier.INTERNE for code in req.indicators
    )
    assert set(req.periods) <= set(PERIODS)
    if decision.free_access:
        assert decision.convention_id is None
        assert all(
            _free(CATALOGUE[c].tier, _cell_level(req, t))
            for c in req.indicators
            for t in req.territories
        )
        return
    (conv,) = [c for c in convs if c.id == decision.convention_id]
    _assert_inside(conv, req, who, today)


@settings(max_examples=500, deadline=None)
@given(scenario=scenarios())
def test_never_allowed_outside_a_convention(
    scenario: tuple[AccessRequest, RequesterProfile, list[Convention], date],
) -> None:
    req, who, convs, today = scenario
    decision = decide(
        req,
        who,
        conventions=convs,
        catalogue=CATALOGUE,
        matrix=MATRIX,
        territories=GEO,
        today=today,
    )
    _check(decision, req, who, convs, today)


@settings(max_examples=300, deadline=None)
@given(req=requests(), who=requesters, today=st.dates(date(2025, 1, 1), date(2028, 12, 31)))
def test_without_convention_only_the_free_socle_passes(
    req: AccessRequest, who: RequesterProfile, today: date
) -> None:
    decision = decide(
        req, who, conventions=(), catalogue=CATALOGUE, matrix=MATRIX, territories=GEO, today=today
    )
    assert not decision.allowed or decision.free_access
    if not (req.indicators and req.territories and req.periods):
        assert not decision.allowed


@settings(max_examples=200, deadline=None)
@given(
    who=requesters,
    convs=st.lists(conventions(), max_size=3),
    today=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
)
def test_an_empty_request_is_refused_by_default(
    who: RequesterProfile, convs: list[Convention], today: date
) -> None:
    empty = AccessRequest(indicators=(), territories=(), periods=(), use=Use.ETUDES)
    decision = decide(
        empty,
        who,
        conventions=convs,
        catalogue=CATALOGUE,
        matrix=MATRIX,
        territories=GEO,
        today=today,
    )
    assert [r.rule.value for r in decision.refusals] == ["defaut.refus"]
