"""Does one convention cover what a request needs? Gaps are refusals naming the rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from policies.access.values import (
    IndicatorLike,
    Refusal,
    RequesterProfile,
    Rule,
    Territory,
    TerritoryResolver,
)
from policies.conventions import Convention, ConventionStatus, effective_status, in_force
from policies.domain import GeoLevel, Use
from policies.errors import DomainError


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


def territory_label(territory: Territory) -> str:
    """Return how a territory is named in messages: 13055, epci 200054807, zone Z1."""
    level, code = territory
    return code if level is GeoLevel.COMMUNE else f"{level.value} {code}"


def join(items: Iterable[object]) -> str:
    return ", ".join(str(i) for i in sorted(items, key=str))


def _inside(outer: Territory, inner: Territory, geo: TerritoryResolver) -> bool:
    if outer == inner:
        return True
    if GeoLevel.ZONE in (outer[0], inner[0]):
        return False
    try:
        return geo.contains(outer[0], outer[1], inner[0], inner[1])
    except DomainError:  # an unknown code is covered by nothing: fail closed
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
    if any(_inside(o, territory, geo) for o in outers):
        return True
    if territory[0] is not GeoLevel.ZONE:
        return False
    communes = dict(needs.zone_communes).get(territory[1], frozenset())
    return bool(communes) and all(
        any(_inside(o, (GeoLevel.COMMUNE, c), geo) for o in outers) for c in communes
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
    scope, name = conv.scope, f"la convention {conv.label}"
    gaps: list[Refusal] = []
    if needs.use not in conv.uses:
        gaps.append(
            Refusal(
                Rule.CONVENTION_USAGE,
                f"{name} n'autorise pas l'usage « {needs.use.value} »",
                f"usages autorisés : {join(u.value for u in conv.uses) or 'aucun'} ; "
                "modifier la convention par avenant",
            )
        )
    extra = needs.breakdowns - scope.breakdowns
    if extra:
        gaps.append(
            Refusal(
                Rule.HORS_PERIMETRE_VENTILATION,
                f"{name} ne couvre pas les ventilations {join(extra)}",
                "retirer ces ventilations ou étendre le périmètre par avenant",
            )
        )
    outside = [
        i.code
        for i in needs.indicators
        if i.code not in scope.indicators and i.tier not in scope.tiers
    ]
    if outside:
        gaps.append(
            Refusal(
                Rule.HORS_PERIMETRE_INDICATEUR,
                f"{name} ne couvre pas l'indicateur {join(outside)}",
                "retirer ces indicateurs ou les ajouter au périmètre par avenant",
            )
        )
    uncovered = [
        t for t in needs.territories if not covers_territory(conv, requester, t, needs, geo)
    ]
    if uncovered:
        gaps.append(
            Refusal(
                Rule.HORS_PERIMETRE_TERRITOIRE,
                f"{name} ne couvre pas le territoire {join(territory_label(t) for t in uncovered)}",
                "retirer ces territoires ou étendre le périmètre territorial par avenant",
            )
        )
    periods = needs.periods - scope.periods
    if periods:
        gaps.append(
            Refusal(
                Rule.HORS_PERIMETRE_PERIODE,
                f"{name} ne couvre pas la période {join(periods)}",
                f"périodes couvertes : {join(scope.periods) or 'aucune'}",
            )
        )
    gaps += _level_gaps(conv, needs)
    return gaps


def _level_gaps(conv: Convention, needs: Needs) -> list[Refusal]:
    scope, name = conv.scope, f"la convention {conv.label}"
    finest = min(needs.levels, key=lambda lvl: lvl.fineness, default=None)
    if finest is None:
        return []
    if finest.fineness < scope.finest_level.fineness:
        return [
            Refusal(
                Rule.HORS_PERIMETRE_NIVEAU,
                f"{name} ne descend pas au niveau {finest.value} "
                f"(niveau le plus fin : {scope.finest_level.value})",
                f"demander le niveau {scope.finest_level.value} ou plus agrégé",
            )
        ]
    if finest.fineness < needs.matrix_level.fineness and not scope.derogation_niveau:
        return [
            Refusal(
                Rule.HORS_PERIMETRE_NIVEAU,
                f"{name} ne prévoit pas de dérogation au niveau le plus fin du type "
                f"({needs.matrix_level.value}) : niveau {finest.value} demandé",
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
