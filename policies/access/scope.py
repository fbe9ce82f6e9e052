"""Does one convention cover what a request needs? Gaps are refusals naming the rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from policies.access.values import (
    LEVEL_LABELS,
    USE_LABELS,
    IndicatorLike,
    RequesterProfile,
    Territory,
    TerritoryResolver,
)
from policies.conventions import Convention, ConventionStatus, effective_status, in_force
from policies.domain import GeoLevel, RequesterType, Use
from policies.errors import DomainError
from policies.refusals import Refusal, Rule


@dataclass(frozen=True)
class Needs:
    """The part of a request that must fall inside one convention (a product of dimensions)."""

    indicators: tuple[IndicatorLike, ...]
    territories: tuple[Territory, ...]
    levels: frozenset[GeoLevel]
    periods: frozenset[int]
    breakdowns: frozenset[str]
    use: Use
    matrix_level: GeoLevel  # the type's finest level; finer needs an explicit derogation
    zone_communes: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class Coverage:
    """The covering convention, or the closest one and what it lacks."""

    covering: Convention | None
    closest: Convention | None
    gaps: tuple[Refusal, ...]
    candidates: int = 0


#: Beyond this many territories, a message summarises them instead of listing them.
MAX_LISTED = 5


def territory_label(territory: Territory) -> str:
    """Return how a territory is named in messages: 13055, EPCI 200054807, département 13."""
    level, code = territory
    if level is GeoLevel.COMMUNE:
        return code
    return LEVEL_LABELS[level] if level is GeoLevel.FRANCE else f"{LEVEL_LABELS[level]} {code}"


def departement_of(commune: str) -> str:
    """Return the département of a commune code Insee (97x overseas, 2A/2B Corsica)."""
    return commune[:3] if commune.startswith("97") else commune[:2]


def territories_label(territories: Iterable[Territory]) -> str:
    """Name a few territories ("le territoire 13055"); summarise many by count and place."""
    items = sorted(set(territories), key=lambda t: (t[0].fineness, t[1]))
    if len(items) == 1:
        return f"le territoire {territory_label(items[0])}"
    if len(items) <= MAX_LISTED:
        return f"les territoires {', '.join(territory_label(t) for t in items)}"
    communes = [code for level, code in items if level is GeoLevel.COMMUNE]
    others = [territory_label(t) for t in items if t[0] is not GeoLevel.COMMUNE]
    parts = [_communes_summary(communes)] if communes else []
    if len(others) > MAX_LISTED:
        parts.append(f"{len(others)} autres territoires ({_few(others)})")
    elif others:
        parts.append(", ".join(others))
    return " et ".join(parts)


def _communes_summary(communes: list[str]) -> str:
    """Return "648 communes du département 59 (59001, 59002, 59003, …)"."""
    departements = sorted({departement_of(c) for c in communes})
    where = (
        f"du département {departements[0]}"
        if len(departements) == 1
        else f"de {len(departements)} départements ({_few(departements)})"
    )
    return f"{len(communes)} communes {where} ({_few(communes)})"


def _few(labels: Iterable[str], shown: int = 3) -> str:
    """Return the first labels, with an ellipsis when some are left out."""
    items = list(labels)
    return ", ".join(items[:shown]) + (", …" if len(items) > shown else "")


def join(items: Iterable[object]) -> str:
    return ", ".join(str(i) for i in sorted(items, key=str))


def _inside(outer: Territory, inner: Territory, geo: TerritoryResolver) -> bool:
    if outer == inner:
        return True
    if GeoLevel.ZONE in (outer[0], inner[0]):
        return False
    return _geography_says(geo.contains, outer, inner)


def _geography_says(
    relation: Callable[[GeoLevel, str, GeoLevel, str], bool], outer: Territory, inner: Territory
) -> bool:
    """Ask the geography how two territories relate; an unknown code fails closed."""
    try:
        return relation(outer[0], outer[1], inner[0], inner[1])
    except DomainError:  # an unknown code is covered by nothing
        return False


def covers_territory(
    conv: Convention,
    requester: RequesterProfile,
    territory: Territory,
    needs: Needs,
    geo: TerritoryResolver,
) -> bool:
    """Return whether the convention's territories hold the territory (a zone: all its communes)."""
    outers = set(conv.scope.territories)
    if conv.scope.own_territory and requester.territory is not None:
        outers.add(requester.territory)
        if _straddling_epci_of_own_departement(conv, requester, territory, geo):
            return True
    return held(outers, territory, needs.zone_communes, geo)


def _straddling_epci_of_own_departement(
    conv: Convention, requester: RequesterProfile, territory: Territory, geo: TerritoryResolver
) -> bool:
    """A conseil départemental's convention on its own territory covers the EPCI its
    département belongs to, also those straddling other départements (the Métropole
    d'Aix-Marseille-Provence for the Bouches-du-Rhône), unless it says otherwise."""
    own = requester.territory
    if not conv.scope.epci_a_cheval or own is None or territory[0] is not GeoLevel.EPCI:
        return False
    if requester.type is not RequesterType.CONSEIL_DEPARTEMENTAL:
        return False
    if own[0] is not GeoLevel.DEPARTEMENT:
        return False
    return _geography_says(geo.overlaps, own, territory)


def held(
    outers: Iterable[Territory],
    territory: Territory,
    zone_communes: Sequence[tuple[str, frozenset[str]]],
    geo: TerritoryResolver,
) -> bool:
    """Return whether the outer territories hold the territory (a zone: all its communes)."""
    outers = tuple(outers)
    if any(_inside(o, territory, geo) for o in outers):
        return True
    if territory[0] is not GeoLevel.ZONE:
        return False
    communes = dict(zone_communes).get(territory[1], frozenset())
    return bool(communes) and all(
        any(_inside(o, (GeoLevel.COMMUNE, c), geo) for o in outers) for c in communes
    )


def caf_territory(requester: RequesterProfile) -> Territory | None:
    """Return a Caf administrator's Caf territory (None: none known, or not a Caf admin)."""
    # One Caf per département, bearing the département's code (reference data, Caf table).
    if requester.type is not RequesterType.ADMIN_CAF or requester.caf_code is None:
        return None
    return (GeoLevel.DEPARTEMENT, requester.caf_code)


def outside_caf(
    requester: RequesterProfile,
    territories: Iterable[Territory],
    zone_communes: Sequence[tuple[str, frozenset[str]]],
    geo: TerritoryResolver,
) -> tuple[Territory, ...]:
    """Return the territories a Caf administrator asks for outside its Caf (others: none)."""
    if requester.type is not RequesterType.ADMIN_CAF:
        return ()
    home = caf_territory(requester)
    return tuple(
        t
        for t in dict.fromkeys(territories)
        if home is None or not held((home,), t, zone_communes, geo)
    )


def _status_gap(conv: Convention, today: date) -> Refusal | None:
    if in_force(conv, today):
        return None
    status = effective_status(conv, today)
    if status is ConventionStatus.EXPIREE:
        end = conv.end.isoformat() if conv.end else "?"
        return Refusal(
            Rule.CONVENTION_EXPIREE,
            f"la convention {conv.label} a expiré le {end}",
            "renouveler la convention (nouvelle version signée)",
        )
    if status is ConventionStatus.ACTIVE and conv.start and today < conv.start:
        what = f"n'entre en vigueur que le {conv.start.isoformat()}"
    else:
        what = f"est au statut « {status.value} »"
    return Refusal(
        Rule.CONVENTION_INACTIVE,
        f"la convention {conv.label} {what}",
        "attendre ou obtenir l'activation de la convention par la Caf",
    )


def _scope_gaps(
    conv: Convention, requester: RequesterProfile, needs: Needs, geo: TerritoryResolver
) -> list[Refusal]:
    name = f"la convention {conv.label}"
    gaps: list[Refusal] = []
    if needs.use not in conv.uses:
        gaps.append(
            Refusal(
                Rule.CONVENTION_USAGE,
                f"{name} n'autorise pas l'usage « {USE_LABELS[needs.use]} »",
                f"usages autorisés : {join(USE_LABELS[u] for u in conv.uses) or 'aucun'} ; "
                "modifier la convention par avenant",
            )
        )
    gaps += [
        Refusal(rule, f"{name} ne couvre pas {what}", remedy)
        for rule, what, remedy in _outside_scope(conv, requester, needs, geo)
        if what
    ]
    gaps += _level_gaps(conv, needs)
    return gaps


def _outside_scope(
    conv: Convention, requester: RequesterProfile, needs: Needs, geo: TerritoryResolver
) -> tuple[tuple[Rule, str, str], ...]:
    """Name what each dimension of the scope leaves out ("" when it covers all) and the remedy."""
    scope = conv.scope
    extra = needs.breakdowns - scope.breakdowns
    outside = [
        i.code
        for i in needs.indicators
        if i.code not in scope.indicators and i.tier not in scope.tiers
    ]
    uncovered = [
        t for t in needs.territories if not covers_territory(conv, requester, t, needs, geo)
    ]
    periods = needs.periods - scope.periods
    return (
        (
            Rule.HORS_PERIMETRE_VENTILATION,
            f"les ventilations {join(extra)}" if extra else "",
            "retirer ces ventilations ou étendre le périmètre par avenant",
        ),
        (
            Rule.HORS_PERIMETRE_INDICATEUR,
            f"l'indicateur {join(outside)}" if outside else "",
            "retirer ces indicateurs ou les ajouter au périmètre par avenant",
        ),
        (
            Rule.HORS_PERIMETRE_TERRITOIRE,
            territories_label(uncovered) if uncovered else "",
            "retirer ces territoires ou étendre le périmètre territorial par avenant",
        ),
        (
            Rule.HORS_PERIMETRE_PERIODE,
            f"la période {join(periods)}" if periods else "",
            f"périodes couvertes : {join(scope.periods) or 'aucune'}",
        ),
    )


def _level_gaps(conv: Convention, needs: Needs) -> list[Refusal]:
    scope, name = conv.scope, f"la convention {conv.label}"
    finest = min(needs.levels, key=lambda lvl: lvl.fineness, default=None)
    if finest is None:
        return []
    if finest.fineness < scope.finest_level.fineness:
        return [
            Refusal(
                Rule.HORS_PERIMETRE_NIVEAU,
                f"{name} ne descend pas au niveau {LEVEL_LABELS[finest]} "
                f"(niveau le plus fin : {LEVEL_LABELS[scope.finest_level]})",
                f"demander le niveau {LEVEL_LABELS[scope.finest_level]} ou plus agrégé",
            )
        ]
    if finest.fineness < needs.matrix_level.fineness and not scope.derogation_niveau:
        return [
            Refusal(
                Rule.HORS_PERIMETRE_NIVEAU,
                f"{name} ne prévoit pas de dérogation au niveau le plus fin du type "
                f"({LEVEL_LABELS[needs.matrix_level]}) : niveau {LEVEL_LABELS[finest]} demandé",
                "une dérogation de niveau explicite dans la convention est nécessaire",
            )
        ]
    return []


def convention_gaps(
    conv: Convention,
    requester: RequesterProfile,
    needs: Needs,
    geo: TerritoryResolver,
    today: date,
) -> tuple[Refusal, ...]:
    """Return every reason why this convention does not cover the needs (empty: it covers)."""
    status = _status_gap(conv, today)
    return (*((status,) if status else ()), *_scope_gaps(conv, requester, needs, geo))


def assess(
    conventions: Sequence[Convention],
    requester: RequesterProfile,
    needs: Needs,
    geo: TerritoryResolver,
    today: date,
) -> Coverage:
    """Pick a convention covering all the needs, or the closest one with its gaps."""
    own = [c for c in conventions if c.requester_id == requester.id]
    scored = [(convention_gaps(c, requester, needs, geo, today), c) for c in own]
    scored.sort(key=lambda s: (len(s[0]), not in_force(s[1], today), -s[1].version, s[1].reference))
    if not scored:
        return Coverage(None, None, ())
    gaps, best = scored[0]
    return Coverage(best if not gaps else None, best, gaps, len(scored))
