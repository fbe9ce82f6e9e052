"""The policy matrix: requester type x diffusion tier -> libre / convention / interdit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from policies.domain import GeoLevel, RequesterType, Source, Tier
from policies.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)


class Access(StrEnum):
    """What the matrix says for one (requester type, tier)."""

    LIBRE = "libre"
    CONVENTION = "convention"
    INTERDIT = "interdit"


@dataclass(frozen=True)
class TypePolicy:
    """The matrix row of one requester type."""

    access: Mapping[Tier, Access]
    finest_level: GeoLevel  # finest level ever, unless a convention derogates explicitly
    free_finest_level: GeoLevel  # finest level of free (libre) access; finer needs a convention

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.access.items())), self.finest_level, self.free_finest_level))


@dataclass(frozen=True)
class PolicyMatrix:
    """Access per (type, tier), finest levels per type, and source restrictions."""

    rows: Mapping[RequesterType, TypePolicy]
    restricted_sources: Mapping[Source, frozenset[RequesterType]]

    def __hash__(self) -> int:
        return hash((tuple(self.rows.items()), tuple(self.restricted_sources.items())))

    def access(self, rtype: RequesterType, tier: Tier) -> Access:
        """Return the access for a (type, tier); internal indicators never leave."""
        if tier is Tier.INTERNE:
            return Access.INTERDIT
        return self.rows[rtype].access[tier]

    def finest_level(self, rtype: RequesterType) -> GeoLevel:
        return self.rows[rtype].finest_level

    def free_finest_level(self, rtype: RequesterType) -> GeoLevel:
        return self.rows[rtype].free_finest_level

    def accepts_conventions(self, rtype: RequesterType) -> bool:
        """Return whether any tier is open to this type under a convention."""
        return Access.CONVENTION in self.rows[rtype].access.values()

    def source_allowed(self, source: Source, rtype: RequesterType) -> bool:
        """Return whether data from `source` may go to this type (unlisted sources are open)."""
        allowed = self.restricted_sources.get(source)
        return allowed is None or rtype in allowed


def _enum(enum: type[E], value: object, where: str) -> E:
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"{where} : valeur « {value} » inconnue (attendu : {allowed})") from None


def _row(rtype: RequesterType, raw: object) -> TypePolicy:
    where = f"types.{rtype.value}"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("acces"), Mapping):
        raise InvalidInput(f"{where} : entrée attendue avec « acces », « niveau_le_plus_fin »")
    acces = raw["acces"]
    missing = [t.value for t in Tier if t.value not in acces]
    if missing:
        raise InvalidInput(f"{where}.acces : paliers manquants : {', '.join(missing)}")
    access = {t: _enum(Access, acces[t.value], f"{where}.acces.{t.value}") for t in Tier}
    if access[Tier.INTERNE] is not Access.INTERDIT:
        raise InvalidInput(f"{where}.acces.interne : les indicateurs internes ne sortent jamais")
    finest = _enum(GeoLevel, raw.get("niveau_le_plus_fin"), f"{where}.niveau_le_plus_fin")
    free = _enum(
        GeoLevel,
        raw.get("niveau_libre_le_plus_fin", finest.value),
        f"{where}.niveau_libre_le_plus_fin",
    )
    if GeoLevel.ZONE in (finest, free):
        raise InvalidInput(f"{where} : « zone » n'est pas un niveau de la matrice")
    if free.fineness < finest.fineness:
        raise InvalidInput(f"{where} : niveau_libre_le_plus_fin plus fin que niveau_le_plus_fin")
    return TypePolicy(access, finest, free)


def policy_matrix_from_mapping(raw: Mapping[str, object]) -> PolicyMatrix:
    """Build and validate a matrix; errors name the faulty entry."""
    types = raw.get("types")
    if not isinstance(types, Mapping):
        raise InvalidInput("types : entrée manquante")
    missing = [t.value for t in RequesterType if t.value not in types]
    if missing:
        raise InvalidInput(f"types : types de demandeur manquants : {', '.join(missing)}")
    for name in types:
        _enum(RequesterType, name, "types")
    rows = {t: _row(t, types[t.value]) for t in RequesterType}
    sources = raw.get("sources_restreintes") or {}
    if not isinstance(sources, Mapping):
        raise InvalidInput("sources_restreintes : table source -> types attendue")
    restricted: dict[Source, frozenset[RequesterType]] = {}
    for name, allowed in sources.items():
        source = _enum(Source, name, "sources_restreintes")
        where = f"sources_restreintes.{source.value}"
        if not isinstance(allowed, list):
            raise InvalidInput(f"{where} : liste de types de demandeur attendue")
        restricted[source] = frozenset(_enum(RequesterType, t, where) for t in allowed)
    return PolicyMatrix(rows, restricted)
