"""The reference geography: counts, hierarchies, containment and names (real Etalab data)."""

from __future__ import annotations

import pytest

from gateway.reference.geography import load_geography
from policies.domain import GeoLevel
from policies.errors import InvalidInput, NotFound
from policies.geography import FRANCE_CODE, Caf, Commune, Departement, Epci, Geography, Region

C, E, D, R, F = (
    GeoLevel.COMMUNE,
    GeoLevel.EPCI,
    GeoLevel.DEPARTEMENT,
    GeoLevel.REGION,
    GeoLevel.FRANCE,
)
MARSEILLE, AMP = "13055", "200054807"  # Métropole d'Aix-Marseille-Provence reaches Pertuis (84)
BEAUNE_CA = "200006682"  # CA Beaune, Côte et Sud: Côte-d'Or and Saône-et-Loire


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


@pytest.mark.parametrize(
    ("level", "low", "high"),
    [(R, 18, 18), (D, 101, 101), (C, 34_800, 35_000), (E, 1_200, 1_300), (F, 1, 1)],
)
def test_level_counts(geo: Geography, level: GeoLevel, low: int, high: int) -> None:
    assert low <= len(geo.codes(level)) <= high


@pytest.mark.parametrize(
    ("level", "code", "expected"),
    [
        (C, MARSEILLE, {E: AMP, D: "13", R: "93", F: FRANCE_CODE}),
        (C, "2A004", {E: "242010056", D: "2A", R: "94", F: FRANCE_CODE}),  # Ajaccio
        (C, "97411", {E: "249740119", D: "974", R: "04", F: FRANCE_CODE}),  # Saint-Denis
        (C, "29155", {D: "29", R: "53", F: FRANCE_CODE}),  # Ouessant: no EPCI
        (E, AMP, {R: "93", F: FRANCE_CODE}),
        (E, BEAUNE_CA, {R: "27", F: FRANCE_CODE}),
        (D, "13", {R: "93", F: FRANCE_CODE}),
        (R, "93", {F: FRANCE_CODE}),
        (F, FRANCE_CODE, {}),
    ],
)
def test_parents(geo: Geography, level: GeoLevel, code: str, expected: dict[GeoLevel, str]) -> None:
    assert dict(geo.parents(level, code)) == expected


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ((D, "13"), (C, MARSEILLE), True),
        ((E, AMP), (C, MARSEILLE), True),
        ((R, "93"), (E, AMP), True),
        ((D, "13"), (E, AMP), False),  # AMP straddles 13 and 84
        ((D, "21"), (E, BEAUNE_CA), False),
        ((R, "27"), (E, BEAUNE_CA), True),
        ((D, "84"), (C, MARSEILLE), False),
        ((C, MARSEILLE), (C, MARSEILLE), True),
        ((C, MARSEILLE), (D, "13"), False),
        ((F, FRANCE_CODE), (D, "976"), True),
        ((R, "93"), (D, "13"), True),
        ((D, "13"), (R, "93"), False),
    ],
)
def test_contains(
    geo: Geography, outer: tuple[GeoLevel, str], inner: tuple[GeoLevel, str], expected: bool
) -> None:
    assert geo.contains(*outer, *inner) is expected


def test_epci_and_departement_hierarchies_do_not_nest(geo: Geography) -> None:
    straddling = [
        e
        for e in geo.codes(E)
        if len({geo.commune(c).departement for c in geo.communes_of(E, e)}) > 1
    ]
    assert BEAUNE_CA in straddling and AMP in straddling


@pytest.mark.parametrize(
    ("level", "code", "name"),
    [
        (C, MARSEILLE, "Marseille"),
        (E, AMP, "Métropole d'Aix-Marseille-Provence"),
        (D, "2B", "Haute-Corse"),
        (R, "93", "Provence-Alpes-Côte d'Azur"),
        (F, FRANCE_CODE, "France"),
    ],
)
def test_names(geo: Geography, level: GeoLevel, code: str, name: str) -> None:
    assert geo.name(level, code) == name


@pytest.mark.parametrize(
    ("departement", "caf"),
    [
        ("01", "Caf de l'Ain"),
        ("13", "Caf des Bouches-du-Rhône"),
        ("33", "Caf de la Gironde"),
        ("59", "Caf du Nord"),
        ("78", "Caf des Yvelines"),
        ("75", "Caf de Paris"),
        ("974", "Caf de La Réunion"),
    ],
)
def test_caf_of(geo: Geography, departement: str, caf: str) -> None:
    assert geo.caf_of(departement) == Caf(departement, caf)


@pytest.mark.parametrize(
    ("level", "code", "low", "high"),
    [
        (C, MARSEILLE, 850_000, 900_000),
        (D, "13", 1_900_000, 2_200_000),
        (F, FRANCE_CODE, 66_000_000, 70_000_000),
    ],
)
def test_population(geo: Geography, level: GeoLevel, code: str, low: int, high: int) -> None:
    assert low <= geo.population(level, code) <= high


def test_population_and_communes_are_additive(geo: Geography) -> None:
    regions = geo.children(F, FRANCE_CODE)
    assert sum(geo.population(R, r) for r in regions) == geo.population(F, FRANCE_CODE)
    departements = [d for r in regions for d in geo.children(R, r)]
    assert sorted(departements) == sorted(geo.codes(D))
    communes = [c for d in departements for c in geo.children(D, d)]
    assert sorted(communes) == list(geo.communes_of(F, FRANCE_CODE))


@pytest.mark.parametrize(
    ("level", "code", "error"),
    [
        (C, "99999", NotFound),
        (E, "123456789", NotFound),
        (D, "20", NotFound),  # split into 2A and 2B in 1976
        (D, "975", NotFound),  # a collectivité d'outre-mer, no Caf
        (GeoLevel.ZONE, "z1", InvalidInput),
    ],
)
def test_unknown_territories(
    geo: Geography, level: GeoLevel, code: str, error: type[Exception]
) -> None:
    assert not geo.exists(level, code)
    with pytest.raises(error):
        geo.communes_of(level, code)


def test_inconsistent_rows_are_refused() -> None:
    caf = Caf("13", "Caf des Bouches-du-Rhône")
    with pytest.raises(InvalidInput, match="incohérents"):
        Geography(
            communes=(Commune("13055", "Marseille", "13", "84", "", 1),),
            epcis=(Epci(AMP, "AMP", "METRO"),),
            departements=(Departement("13", "Bouches-du-Rhône", "93", caf),),
            regions=(Region("93", "PACA"), Region("84", "ARA")),
        )


def test_loader_caches_per_path(geo: Geography) -> None:
    assert load_geography() is geo
