"""The policy matrix: the seed reads as the doctrine, and a bad file names its faulty entry."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gateway.reference.seeds import POLICY_MATRIX_FILE, read_yaml_table
from policies.access import Access, policy_matrix_from_mapping
from policies.domain import GeoLevel, RequesterType, Source, Tier
from policies.errors import InvalidInput
from tests.policies.access_fakes import MATRIX

T = RequesterType
L, CV, X = Access.LIBRE, Access.CONVENTION, Access.INTERDIT

# type -> (socle, convention, restreint, interne), finest level, finest free level
SEED = [
    (T.GRAND_PUBLIC, (L, X, X, X), GeoLevel.DEPARTEMENT, GeoLevel.DEPARTEMENT),
    (T.CONSEIL_DEPARTEMENTAL, (L, CV, CV, X), GeoLevel.COMMUNE, GeoLevel.DEPARTEMENT),
    (T.COMMUNE, (L, CV, X, X), GeoLevel.COMMUNE, GeoLevel.DEPARTEMENT),
    (T.EPCI, (L, CV, X, X), GeoLevel.COMMUNE, GeoLevel.DEPARTEMENT),
    (T.SERVICE_ETAT, (L, CV, CV, X), GeoLevel.COMMUNE, GeoLevel.DEPARTEMENT),
    (T.ORGANISME_MISSION_PUBLIQUE, (L, CV, CV, X), GeoLevel.COMMUNE, GeoLevel.DEPARTEMENT),
    (T.CABINET_PRIVE, (L, CV, X, X), GeoLevel.EPCI, GeoLevel.DEPARTEMENT),
    (T.ADMIN_CAF, (L, L, L, X), GeoLevel.COMMUNE, GeoLevel.COMMUNE),
    (T.ADMIN_NATIONAL, (L, L, L, X), GeoLevel.COMMUNE, GeoLevel.COMMUNE),
]


@pytest.mark.parametrize(("rtype", "access", "finest", "free"), SEED)
def test_seed_matrix(
    rtype: RequesterType, access: tuple[Access, ...], finest: GeoLevel, free: GeoLevel
) -> None:
    assert tuple(MATRIX.access(rtype, tier) for tier in Tier) == access
    assert MATRIX.finest_level(rtype) is finest
    assert MATRIX.free_finest_level(rtype) is free


@pytest.mark.parametrize("rtype", list(T))
@pytest.mark.parametrize("source", [Source.ACOSS, Source.MSA])
def test_acoss_and_msa_never_reach_the_public_or_private_firms(
    rtype: RequesterType, source: Source
) -> None:
    barred = rtype in (T.GRAND_PUBLIC, T.CABINET_PRIVE)
    assert MATRIX.source_allowed(source, rtype) is not barred
    assert MATRIX.source_allowed(Source.CNAF, rtype)


def test_only_types_with_a_convention_tier_accept_conventions() -> None:
    assert not MATRIX.accepts_conventions(T.GRAND_PUBLIC)
    assert not MATRIX.accepts_conventions(T.ADMIN_CAF)
    assert MATRIX.accepts_conventions(T.CABINET_PRIVE)


def _seed() -> dict[str, Any]:
    raw = read_yaml_table(POLICY_MATRIX_FILE)
    assert isinstance(raw, dict)
    return copy.deepcopy(raw)


def _set(raw: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    *parents, last = path.split(".")
    node = raw
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("types.commune", None, "commune"),
        ("types.epci.acces.convention", "parfois", "types.epci.acces.convention"),
        ("types.epci.acces.restreint", None, "types.epci.acces : paliers manquants : restreint"),
        ("types.admin_national.acces.interne", "libre", "types.admin_national.acces.interne"),
        (
            "types.cabinet_prive.niveau_le_plus_fin",
            "iris",
            "types.cabinet_prive.niveau_le_plus_fin",
        ),
        ("types.cabinet_prive.niveau_le_plus_fin", "zone", "types.cabinet_prive"),
        ("types.grand_public.niveau_libre_le_plus_fin", "commune", "types.grand_public"),
        ("types.astrologue", {"acces": {}}, "types"),
        ("sources_restreintes.msa", ["cabinet_prive", "voyant"], "sources_restreintes.msa"),
        ("sources_restreintes.insee_secret", ["commune"], "sources_restreintes"),
        ("types", None, "types"),
    ],
)
def test_invalid_matrix_names_the_entry(path: str, value: object, named: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        policy_matrix_from_mapping(_set(_seed(), path, value))
    assert named in caught.value.detail


def test_matrix_is_frozen_and_hashable() -> None:
    assert hash(MATRIX) == hash(policy_matrix_from_mapping(_seed()))
    with pytest.raises(AttributeError):
        MATRIX.rows = {}  # type: ignore[misc]
