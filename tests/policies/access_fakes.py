"""Tiny fakes and factories for the access tests: a catalogue, a geography, conventions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from gateway.reference.seeds import read_mandatory_clauses, read_policy_matrix_document
from policies.access import AccessRequest, RequesterProfile
from policies.access.matrix import policy_matrix_from_mapping
from policies.conventions import (
    Convention,
    ConventionScope,
    Party,
    Signatory,
    activate,
)
from policies.domain import GeoLevel, RequesterType, Source, Tier, Use

C, E, D, R, F = (
    GeoLevel.COMMUNE,
    GeoLevel.EPCI,
    GeoLevel.DEPARTEMENT,
    GeoLevel.REGION,
    GeoLevel.FRANCE,
)
TODAY = date(2026, 3, 15)
MATRIX = policy_matrix_from_mapping(read_policy_matrix_document())
CLAUSES = read_mandatory_clauses()


@dataclass(frozen=True)
class FakeIndicator:
    code: str
    tier: Tier
    sources: tuple[Source, ...] = (Source.CNAF,)
    restricted_to: tuple[RequesterType, ...] = ()
    breakdowns: tuple[str, ...] = ("tranche_age",)


CATALOGUE = {
    i.code: i
    for i in (
        FakeIndicator(
            "NB_ALLOCATAIRES", Tier.SOCLE_COMMUN, breakdowns=("tranche_age", "type_famille")
        ),
        FakeIndicator("PLACES_EAJE", Tier.CONVENTION, (Source.BCAS,)),
        FakeIndicator("ENFANTS_AM", Tier.CONVENTION, (Source.ACOSS,)),
        FakeIndicator("ENFANTS_MOINS_6", Tier.CONVENTION, (Source.CNAF, Source.MSA)),
        FakeIndicator(
            "RSA_FLUX", Tier.RESTREINT, restricted_to=(RequesterType.CONSEIL_DEPARTEMENTAL,)
        ),
        FakeIndicator("SCORE_INTERNE", Tier.INTERNE),
    )
}
#: One indicator per tier, the one the matrix tests use.
BY_TIER = {
    Tier.SOCLE_COMMUN: "NB_ALLOCATAIRES",
    Tier.CONVENTION: "PLACES_EAJE",
    Tier.RESTREINT: "RSA_FLUX",
    Tier.INTERNE: "SCORE_INTERNE",
}

# Commune -> (EPCI, département, région): Marseille, Aix, Arles, Paris.
_COMMUNES = {
    "13055": ("200054807", "13", "93"),
    "13001": ("200054807", "13", "93"),
    "13004": ("241300417", "13", "93"),
    "75056": ("200054781", "75", "11"),
}
_INDEX = {C: 0, E: 1, D: 2, R: 3}


class FakeGeography:
    """Containment through the communes, like the real geography."""

    def communes_of(self, level: GeoLevel, code: str) -> set[str]:
        if level is F:
            return set(_COMMUNES)
        if level is C:
            return {code} & set(_COMMUNES)
        return {c for c, parents in _COMMUNES.items() if parents[_INDEX[level] - 1] == code}

    def contains(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str
    ) -> bool:
        inner = self.communes_of(inner_level, inner_code)
        return bool(inner) and inner <= self.communes_of(outer_level, outer_code)

    def overlaps(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str
    ) -> bool:
        inner = self.communes_of(inner_level, inner_code)
        return bool(inner & self.communes_of(outer_level, outer_code))


GEO = FakeGeography()


def requester(
    rtype: RequesterType, territory: tuple[GeoLevel, str] | None = None, rid: str = "dem-1"
) -> RequesterProfile:
    return RequesterProfile(id=rid, type=rtype, caf_code="13", territory=territory)


def request(
    *indicators: str,
    territories: tuple[tuple[GeoLevel, str], ...] = ((C, "13055"),),
    periods: tuple[int, ...] = (2024,),
    use: Use = Use.ETUDES,
    **kw: Any,
) -> AccessRequest:
    return AccessRequest(
        indicators=indicators, territories=territories, periods=periods, use=use, **kw
    )


def draft(**overrides: Any) -> Convention:
    """A complete draft covering PLACES_EAJE and the convention tier in the 13, 2022-2024."""
    scope = ConventionScope(
        indicators=frozenset({"NB_ALLOCATAIRES", "RSA_FLUX"}),
        tiers=frozenset({Tier.CONVENTION}),
        territories=frozenset({(D, "13")}),
        finest_level=C,
        periods=frozenset({2022, 2023, 2024}),
        breakdowns=frozenset({"tranche_age"}),
    )
    base = Convention(
        id="c-1",
        reference="CONV-13-2026-004",
        caf_code="13",
        requester_id="dem-1",
        finalite="Diagnostic petite enfance du schéma départemental",
        uses=frozenset({Use.ETUDES, Use.USAGE_INTERNE}),
        scope=scope,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        clauses=frozenset(c.code for c in CLAUSES),
        signatories=(
            Signatory("Mme Directrice", "directrice de la Caf", Party.CAF, date(2025, 12, 20)),
            Signatory("M. Président", "président", Party.DEMANDEUR, date(2025, 12, 22)),
        ),
        document_sha256="a" * 64,
    )
    return replace(base, **overrides)


def active(**overrides: Any) -> Convention:
    """An active convention, built through the public lifecycle."""
    return activate(draft(**overrides), date(2026, 1, 1), CLAUSES)


def scoped(**scope_overrides: Any) -> ConventionScope:
    return replace(draft().scope, **scope_overrides)
