"""Values of an access decision: the request, the requester, the refusal reasons, the decision."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from policies.domain import GeoLevel, RequesterType, Source, Tier, Use
from policies.errors import AccessDenied, ConventionRequired
from policies.refusals import Refusal, Rule

Territory = tuple[GeoLevel, str]

#: How messages name requester types, tiers, levels and uses (never their internal codes).
TYPE_LABELS: Mapping[RequesterType, str] = {
    RequesterType.GRAND_PUBLIC: "grand public",
    RequesterType.CONSEIL_DEPARTEMENTAL: "conseil départemental",
    RequesterType.COMMUNE: "commune",
    RequesterType.EPCI: "intercommunalité (EPCI)",
    RequesterType.SERVICE_ETAT: "service de l'État",
    RequesterType.ORGANISME_MISSION_PUBLIQUE: "organisme à mission de service public",
    RequesterType.CABINET_PRIVE: "cabinet privé",
    RequesterType.ADMIN_CAF: "administrateur de Caf",
    RequesterType.ADMIN_NATIONAL: "administrateur national",
}
TIER_LABELS: Mapping[Tier, str] = {
    Tier.SOCLE_COMMUN: "socle commun",
    Tier.CONVENTION: "sur convention",
    Tier.RESTREINT: "restreint",
    Tier.INTERNE: "interne",
}
LEVEL_LABELS: Mapping[GeoLevel, str] = {
    GeoLevel.COMMUNE: "commune",
    GeoLevel.ZONE: "zone personnalisée",
    GeoLevel.EPCI: "EPCI",
    GeoLevel.DEPARTEMENT: "département",
    GeoLevel.REGION: "région",
    GeoLevel.FRANCE: "France",
}
USE_LABELS: Mapping[Use, str] = {
    Use.USAGE_FINAL: "usage final",
    Use.USAGE_INTERNE: "usage strictement interne",
    Use.ETUDES: "études",
    Use.REDIFFUSION: "rediffusion",
}


def type_label(rtype: RequesterType) -> str:
    """Return the French name of a requester type, as messages write it."""
    return TYPE_LABELS.get(rtype, rtype.value)


class IndicatorLike(Protocol):
    """What the decision reads from a catalogue indicator."""

    @property
    def code(self) -> str: ...
    @property
    def tier(self) -> Tier: ...
    @property
    def sources(self) -> Collection[Source]: ...
    @property
    def restricted_to(self) -> Collection[RequesterType]: ...
    @property
    def breakdowns(self) -> Collection[str]: ...


class TerritoryResolver(Protocol):
    """What the decision asks the geography: is `inner` inside `outer`?"""

    def contains(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str, /
    ) -> bool: ...

    def overlaps(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str, /
    ) -> bool: ...


@dataclass(frozen=True)
class RequesterProfile:
    """Who asks: identity, type, managing Caf (None = national) and own territory."""

    id: str
    type: RequesterType
    caf_code: str | None
    territory: Territory | None = None


@dataclass(frozen=True)
class Caller:
    """Who asks, built once per request from its key: the profile the policies decide on,
    the requester's row id, the prefix of the key used and the requester's name."""

    requester_id: int | None  # None: the public, without a key
    profile: RequesterProfile
    key_prefix: str | None
    name: str

    @property
    def is_anonymous(self) -> bool:
        return self.requester_id is None


#: The public: no key, the grand public's policy (the socle commun).
PUBLIC = Caller(
    requester_id=None,
    profile=RequesterProfile(id="anonyme", type=RequesterType.GRAND_PUBLIC, caf_code=None),
    key_prefix=None,
    name="Grand public",
)


@dataclass(frozen=True)
class AccessRequest:
    """What is asked: indicators x territories x periods, broken down, for a use.

    `finest_level` is the level of the delivered cells (None: each territory's own
    level); a custom zone is given as `(GeoLevel.ZONE, id)` with its communes in
    `zone_communes`, resolved by the caller.
    """

    indicators: tuple[str, ...]
    territories: tuple[Territory, ...]
    periods: tuple[int, ...]
    use: Use
    breakdowns: tuple[str, ...] = ()
    finest_level: GeoLevel | None = None
    zone_communes: tuple[tuple[str, frozenset[str]], ...] = ()

    def communes_of(self, zone_id: str) -> frozenset[str]:
        """Return the communes of a custom zone of the request (empty if unresolved)."""
        return next((c for z, c in self.zone_communes if z == zone_id), frozenset())

    def cell_level(self, territory: Territory) -> GeoLevel:
        """Return the finest level of the cells delivered for a territory."""
        level = territory[0]
        if self.finest_level is not None and self.finest_level.fineness < level.fineness:
            return self.finest_level
        return level

    def canonical(self) -> dict[str, object]:
        """Return an order-insensitive, JSON-ready form (for fingerprints and logs)."""
        return {
            "indicateurs": sorted(set(self.indicators)),
            "territoires": sorted({f"{lvl.value}:{code}" for lvl, code in self.territories}),
            "periodes": sorted(set(self.periods)),
            "usage": self.use.value,
            "ventilations": sorted(set(self.breakdowns)),
            "niveau_le_plus_fin": None if self.finest_level is None else self.finest_level.value,
            "zones": {z: sorted(c) for z, c in sorted(self.zone_communes)},
        }


@dataclass(frozen=True)
class Decision:
    """The outcome: allowed or not, under which convention, and every reason."""

    allowed: bool
    refusals: tuple[Refusal, ...] = ()
    rules_applied: tuple[Rule, ...] = ()
    allowed_by: Rule | None = None
    convention_id: str | None = None
    convention_reference: str | None = None
    free_access: bool = False
    closest_convention_reference: str | None = field(default=None, compare=False)

    @property
    def refusal_rules(self) -> tuple[Rule, ...]:
        """Return the codes of the refusing rules, in order."""
        return tuple(r.rule for r in self.refusals)

    @property
    def deciding_rules(self) -> tuple[Rule, ...]:
        """Return the rules that decided: the refusing ones, or the one that allowed.

        `rules_applied` lists every rule evaluated, abstentions included; an audit entry
        records only these.
        """
        if self.allowed:
            return (self.allowed_by,) if self.allowed_by is not None else ()
        return self.refusal_rules

    @property
    def reasons_fr(self) -> tuple[str, ...]:
        """Return the refusal messages followed by their remedy."""
        return tuple(f"[{r.rule}] {r.message_fr} — {r.remedy_fr}" for r in self.refusals)

    def raise_if_refused(self) -> None:
        """Raise ConventionRequired (convention rules only) or AccessDenied when refused.

        Each reason carries its rule, its message and what would allow the request.
        """
        if self.allowed:
            return
        summary = " ; ".join(r.message_fr for r in self.refusals)
        if self.refusals and all(r.rule.startswith("convention.") for r in self.refusals):
            raise ConventionRequired(f"Convention requise : {summary}", self.refusals)
        raise AccessDenied(f"Demande refusée : {summary}", self.refusals)


def deny(*refusals: Refusal, applied: tuple[Rule, ...] = ()) -> Decision:
    """Build a refusal; with no reason, the default refusal says so."""
    if not refusals:
        refusals = (DEFAULT_REFUSAL,)
    return Decision(allowed=False, refusals=refusals, rules_applied=applied)


DEFAULT_REFUSAL = Refusal(
    Rule.DEFAUT_REFUS,
    "aucune règle n'autorise cette demande",
    "préciser la demande (indicateurs, territoires, périodes) ou contacter la Caf",
)
