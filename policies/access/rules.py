"""The access rules: small functions that refuse, allow or abstain on a prepared context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from policies.access.matrix import Access, PolicyMatrix
from policies.access.scope import Coverage, join, territories_label
from policies.access.values import (
    LEVEL_LABELS,
    TIER_LABELS,
    AccessRequest,
    IndicatorLike,
    RequesterProfile,
    Territory,
    type_label,
)
from policies.domain import PERIODS, GeoLevel, RequesterType, Tier
from policies.refusals import Refusal, Rule

Item = tuple[IndicatorLike, Territory]


@dataclass(frozen=True)
class Context:
    """Everything the rules read, prepared once by `decide`."""

    request: AccessRequest
    requester: RequesterProfile
    matrix: PolicyMatrix
    catalogue: Mapping[str, IndicatorLike]
    known: tuple[IndicatorLike, ...]  # requested indicators found in the catalogue
    cleared: tuple[IndicatorLike, ...]  # ... that pass every per-indicator gate
    free_items: tuple[Item, ...]
    convention_items: tuple[Item, ...]
    coverage: Coverage
    outside_caf: tuple[Territory, ...] = ()  # a Caf admin's territories beyond its Caf

    @property
    def item_count(self) -> int:
        return len(set(self.request.indicators)) * len(set(self.request.territories))


@dataclass(frozen=True)
class Verdict:
    refusals: tuple[Refusal, ...] = ()
    allows: bool = False


ABSTAIN = Verdict()
ALLOW = Verdict(allows=True)


def refuse(*refusals: Refusal) -> Verdict:
    return Verdict(refusals=refusals) if refusals else ABSTAIN


def indicator_gate(
    ind: IndicatorLike, requester: RequesterProfile, matrix: PolicyMatrix
) -> list[Refusal]:
    """Return the refusals that no convention can lift for this indicator and requester."""
    return [
        Refusal(rule, f"indicateur {ind.code} : {reason}", remedy)
        for rule, gate, remedy in _INDICATOR_GATES
        if (reason := gate(ind, requester, matrix))
    ]


#: A per-indicator gate returns why it refuses (None: it lets the indicator through).
IndicatorGate = Callable[[IndicatorLike, RequesterProfile, PolicyMatrix], str | None]


def _interne(ind: IndicatorLike, _: RequesterProfile, __: PolicyMatrix) -> str | None:
    return "indicateur interne, jamais diffusé" if ind.tier is Tier.INTERNE else None


def _type_tier(ind: IndicatorLike, req: RequesterProfile, matrix: PolicyMatrix) -> str | None:
    if ind.tier is Tier.INTERNE or matrix.access(req.type, ind.tier) is not Access.INTERDIT:
        return None
    return f"palier « {TIER_LABELS[ind.tier]} » interdit au type « {type_label(req.type)} »"


def _restreint(ind: IndicatorLike, req: RequesterProfile, _: PolicyMatrix) -> str | None:
    if not ind.restricted_to or req.type in ind.restricted_to or req.type.is_admin:
        return None
    return f"réservé aux types {join(f'« {type_label(t)} »' for t in ind.restricted_to)}"


def _source(ind: IndicatorLike, req: RequesterProfile, matrix: PolicyMatrix) -> str | None:
    barred = [s.value for s in ind.sources if not matrix.source_allowed(s, req.type)]
    if not barred:
        return None
    return f"données {join(barred)} non diffusables au type « {type_label(req.type)} »"


#: The per-indicator gates, in order: the rule each applies and the remedy it states.
_INDICATOR_GATES: tuple[tuple[Rule, IndicatorGate, str], ...] = (
    (Rule.TIER_INTERNE, _interne, "aucune diffusion possible"),
    (
        Rule.MATRICE_TYPE_TIER,
        _type_tier,
        "aucune convention ne peut l'ouvrir à ce type de demandeur",
    ),
    (Rule.TIER_RESTREINT, _restreint, "indicateur non diffusable à ce type de demandeur"),
    (
        Rule.SOURCE_RESTRICTION,
        _source,
        "les conventions de la Cnaf avec ces producteurs ne le permettent pas",
    ),
)


def rule_catalogue(ctx: Context) -> Verdict:
    """Refuse unknown indicators and breakdowns an indicator does not have."""
    unknown = [c for c in ctx.request.indicators if c not in ctx.catalogue]
    out = [
        Refusal(
            Rule.CATALOGUE_INDICATEUR,
            f"indicateur {c} inconnu du catalogue",
            "vérifier le code dans le catalogue",
        )
        for c in unknown
    ]
    # A breakdown applies to the requested indicators that have it: it must fit one at least.
    available = {b for ind in ctx.known for b in ind.breakdowns}
    extra = set(ctx.request.breakdowns) - available
    if extra and ctx.known:
        out.append(
            Refusal(
                Rule.CATALOGUE_VENTILATION,
                f"ventilation {join(extra)} non disponible pour les indicateurs "
                f"{join(ind.code for ind in ctx.known)}",
                f"ventilations disponibles : {join(available) or 'aucune'}",
            )
        )
    return refuse(*out)


def rule_periods(ctx: Context) -> Verdict:
    """Refuse periods the gateway does not serve."""
    unknown = set(ctx.request.periods) - set(PERIODS)
    return refuse(
        *(
            [
                Refusal(
                    Rule.DEMANDE_PERIODE,
                    f"période {join(unknown)} non servie",
                    f"périodes servies : {join(PERIODS)}",
                )
            ]
            if unknown
            else []
        )
    )


def rule_zones(ctx: Context) -> Verdict:
    """Refuse custom zones given without their communes."""
    bad = [
        c
        for lvl, c in ctx.request.territories
        if lvl is GeoLevel.ZONE and not ctx.request.communes_of(c)
    ]
    return refuse(
        *(
            Refusal(
                Rule.DEMANDE_ZONE,
                f"zone {z} sans communes résolues",
                "définir la zone (liste de communes)",
            )
            for z in bad
        )
    )


def _gate_rule(rule: Rule) -> Callable[[Context], Verdict]:
    def check(ctx: Context) -> Verdict:
        found = (r for ind in ctx.known for r in indicator_gate(ind, ctx.requester, ctx.matrix))
        return refuse(*(r for r in found if r.rule is rule))

    check.__doc__ = f"Refuse the indicators that the gate {rule.value} bars."
    return check


def rule_niveau_fin(ctx: Context) -> Verdict:
    """Refuse cells finer than the type's finest level, unless the covering convention derogates."""
    limit = ctx.matrix.finest_level(ctx.requester.type)
    if ctx.coverage.covering is not None and ctx.coverage.covering.scope.derogation_niveau:
        return ABSTAIN
    too_fine = {ctx.request.cell_level(t) for t in ctx.request.territories} - {
        lvl for lvl in GeoLevel if lvl.fineness >= limit.fineness
    }
    if not too_fine or not ctx.cleared:
        return ABSTAIN
    remedy = f"demander le niveau {LEVEL_LABELS[limit]} ou plus agrégé"
    if ctx.matrix.accepts_conventions(ctx.requester.type):
        remedy += ", ou obtenir une convention prévoyant explicitement une dérogation de niveau"
    levels = join(LEVEL_LABELS[lvl] for lvl in too_fine)
    return refuse(
        Refusal(
            Rule.MATRICE_NIVEAU_FIN,
            f"niveau {levels} plus fin que le niveau autorisé au type "
            f"« {type_label(ctx.requester.type)} » ({LEVEL_LABELS[limit]})",
            remedy,
        )
    )


def rule_territoire_caf(ctx: Context) -> Verdict:
    """Refuse a Caf administrator, outside its Caf, more than the public gets (socle commun)."""
    public = RequesterType.GRAND_PUBLIC
    level = ctx.matrix.free_finest_level(public)
    barred = [i.code for i in ctx.cleared if ctx.matrix.access(public, i.tier) is not Access.LIBRE]
    too_fine = [t for t in ctx.outside_caf if ctx.request.cell_level(t).fineness < level.fineness]
    if not ctx.outside_caf or not (barred or too_fine):
        return ABSTAIN
    excess = [f"indicateur {join(barred)} hors du socle commun"] if barred else []
    if too_fine:
        excess.append(f"niveau plus fin que le niveau {LEVEL_LABELS[level]}")
    return refuse(
        Refusal(
            Rule.TERRITOIRE_CAF,
            f"{territories_label(ctx.outside_caf)} hors du territoire de la Caf "
            f"{ctx.requester.caf_code or '(aucune)'} : {' ; '.join(excess)} (un administrateur "
            "de Caf n'obtient ailleurs que le socle commun public)",
            "s'adresser à la Caf de ce territoire ou à un administrateur national (Cnaf)",
        )
    )


def rule_acces_libre(ctx: Context) -> Verdict:
    """Allow when every requested cell is free (socle commun at a free level)."""
    complete = (
        ctx.item_count > 0 and len(ctx.free_items) == ctx.item_count and bool(ctx.request.periods)
    )
    return ALLOW if complete else ABSTAIN


def rule_convention(ctx: Context) -> Verdict:
    """Allow when one convention covers every non-free cell; else say what is missing."""
    if not ctx.convention_items or not ctx.request.periods:
        return ABSTAIN
    if len(ctx.free_items) + len(ctx.convention_items) != ctx.item_count:
        return ABSTAIN  # some cells are neither free nor conventionable: others refuse
    if ctx.coverage.covering is not None:
        return ALLOW
    if ctx.coverage.closest is None:
        return refuse(*_no_convention(ctx))
    name = f"la convention {ctx.coverage.closest.label}"
    name_fr = f"{name} (la plus proche)" if ctx.coverage.candidates > 1 else name
    head = _head(ctx)
    return refuse(
        *(
            Refusal(g.rule, f"{head} ; {g.message_fr.replace(name, name_fr)}", g.remedy_fr)
            for g in ctx.coverage.gaps
        )
    )


def _head(ctx: Context) -> str:
    codes = join(dict.fromkeys(i.code for i, _ in ctx.convention_items))
    levels = join({LEVEL_LABELS[ctx.request.cell_level(t)] for _, t in ctx.convention_items})
    return f"indicateur {codes} au niveau {levels} : convention requise"


def _no_convention(ctx: Context) -> list[Refusal]:
    by_indicator: dict[tuple[str, GeoLevel], set[Territory]] = {}
    for ind, territory in ctx.convention_items:
        by_indicator.setdefault((ind.code, ctx.request.cell_level(territory)), set()).add(territory)
    periods = join(ctx.request.periods)
    return [
        Refusal(
            Rule.CONVENTION_AUCUNE_ACTIVE,
            f"indicateur {code} au niveau {LEVEL_LABELS[level]} : convention requise ; "
            f"aucune convention active ne couvre {territories_label(ts)} pour {periods}",
            "demander à la Caf une convention couvrant cet indicateur, ce territoire, "
            "ces périodes et ce niveau",
        )
        for (code, level), ts in sorted(
            by_indicator.items(), key=lambda kv: (kv[0][0], kv[0][1].value)
        )
    ]


RuleFn = Callable[[Context], Verdict]

#: Every rule, in evaluation order; all are evaluated so that every reason is reported.
RULES: tuple[tuple[Rule, RuleFn], ...] = (
    (Rule.CATALOGUE_INDICATEUR, rule_catalogue),
    (Rule.DEMANDE_PERIODE, rule_periods),
    (Rule.DEMANDE_ZONE, rule_zones),
    (Rule.TIER_INTERNE, _gate_rule(Rule.TIER_INTERNE)),
    (Rule.MATRICE_TYPE_TIER, _gate_rule(Rule.MATRICE_TYPE_TIER)),
    (Rule.TIER_RESTREINT, _gate_rule(Rule.TIER_RESTREINT)),
    (Rule.SOURCE_RESTRICTION, _gate_rule(Rule.SOURCE_RESTRICTION)),
    (Rule.MATRICE_NIVEAU_FIN, rule_niveau_fin),
    (Rule.TERRITOIRE_CAF, rule_territoire_caf),
    (Rule.ACCES_LIBRE, rule_acces_libre),
    (Rule.CONVENTION_COUVERTURE, rule_convention),
)
