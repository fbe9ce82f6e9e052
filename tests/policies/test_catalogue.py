"""The indicator catalogue: the shipped file's content, its validation, its queries."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from policies.catalogue import (
    FICHE_FIELDS,
    FICHE_HEADINGS,
    CatalogueError,
    Indicator,
)
from policies.catalogue_parsing import catalogue_to_data, parse_catalogue
from policies.domain import Axis, ContributingUnit, Kind, RequesterType, Source, Tier
from policies.errors import InvalidInput, NotFound
from policies.secrecy import DominanceRule, PPercentRule

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "data" / "catalogue.yaml"
DATA: dict[str, Any] = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
CATALOGUE = parse_catalogue(DATA)
INDICATORS = list(CATALOGUE)

FOYER = ContributingUnit.FOYER
ASSMAT = ContributingUnit.ASSISTANTE_MATERNELLE
EQUIP = ContributingUnit.EQUIPEMENT
CNAF, MSA, ACOSS, BCAS = Source.CNAF, Source.MSA, Source.ACOSS, Source.BCAS


# --- the shipped catalogue -----------------------------------------------------------------


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda ind: ind.code)
@pytest.mark.parametrize("field", FICHE_FIELDS)
def test_every_fiche_field_is_a_real_sentence(indicator: Indicator, field: str) -> None:
    text = getattr(indicator.fiche, field)
    assert text.strip(), f"{indicator.code}: fiche.{field} vide"
    assert len(text) >= 40, f"{indicator.code}: fiche.{field} trop court"
    assert text.endswith("."), f"{indicator.code}: fiche.{field} n'est pas une phrase"


@pytest.mark.parametrize("field", ["objectif", "definition", "construction", "interpretation"])
def test_fiche_texts_are_specific_to_each_indicator(field: str) -> None:
    texts = [getattr(ind.fiche, field) for ind in INDICATORS]
    assert len(set(texts)) == len(texts)


def test_fiche_headings_cover_every_field_in_order() -> None:
    assert tuple(FICHE_HEADINGS) == FICHE_FIELDS
    assert FICHE_HEADINGS["interpretation"] == "Interprétation et limites"


def test_at_least_24_indicators_on_all_four_axes() -> None:
    assert len(CATALOGUE) >= 24
    assert {ind.axis for ind in CATALOGUE} == set(Axis)


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda ind: ind.code)
def test_every_indicator_carries_citation_family_and_unit_label(indicator: Indicator) -> None:
    assert indicator.citation.startswith(("Source : ", "Sources : "))
    assert indicator.family and indicator.subfamily and indicator.unit_label


# The contract the demonstration data and the store are built from: do not drift.
STORED = [
    ("ALLOC", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("PERCOU", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("ALLOC_SITFAM", Kind.COUNT, FOYER, ("situation_familiale",), (CNAF,), Tier.SOCLE_COMMUN),
    ("ENF_COUVERTS", Kind.COUNT, FOYER, ("age_enfant",), (CNAF,), Tier.SOCLE_COMMUN),
    ("AL", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("AL_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("AAH", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("AAH_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("PPA", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("PPA_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("RSA", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("RSA_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.RESTREINT),
    ("PAJE", Kind.COUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("PAJE_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.SOCLE_COMMUN),
    ("ENF_MOINS_6", Kind.COUNT, FOYER, ("age_jeune_enfant",), (CNAF, MSA), Tier.CONVENTION),
    ("ENF_MOINS_3", Kind.COUNT, FOYER, (), (CNAF, MSA), Tier.CONVENTION),
    ("FAM_ACTIVES_MOINS_3", Kind.COUNT, FOYER, ("situation_familiale",), (CNAF,), Tier.CONVENTION),
    ("ASSMAT_ACTIVES", Kind.COUNT, ASSMAT, (), (ACOSS,), Tier.CONVENTION),
    ("PLACES_ASSMAT", Kind.COUNT, ASSMAT, (), (ACOSS,), Tier.CONVENTION),
    ("ENF_GARDES_ASSMAT", Kind.COUNT, FOYER, ("age_jeune_enfant",), (ACOSS,), Tier.CONVENTION),
    ("ENF_GARDES_HORS_COMMUNE", Kind.COUNT, FOYER, (), (ACOSS,), Tier.CONVENTION),
    ("CMG_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.CONVENTION),
    ("PLACES_EAJE", Kind.COUNT, EQUIP, (), (BCAS,), Tier.CONVENTION),
    ("ENF_INSCRITS_EAJE", Kind.COUNT, EQUIP, ("mode_accueil",), (BCAS,), Tier.CONVENTION),
    ("INDUS_MONTANT", Kind.AMOUNT, FOYER, (), (CNAF,), Tier.INTERNE),
]
RATIOS = [
    ("TAUX_COUV_EAJE", "PLACES_EAJE", "ENF_MOINS_3", Tier.CONVENTION),
    ("TAUX_COUV_ASSMAT", "PLACES_ASSMAT", "ENF_MOINS_3", Tier.CONVENTION),
    (
        "PART_ENF_GARDES_HORS_COMMUNE",
        "ENF_GARDES_HORS_COMMUNE",
        "ENF_GARDES_ASSMAT",
        Tier.CONVENTION,
    ),
    ("PART_ALLOC_RSA", "RSA", "ALLOC", Tier.SOCLE_COMMUN),
]


@pytest.mark.parametrize(("code", "kind", "unit", "breakdowns", "sources", "tier"), STORED)
def test_stored_indicator_contract(
    code: str,
    kind: Kind,
    unit: ContributingUnit,
    breakdowns: tuple[str, ...],
    sources: tuple[Source, ...],
    tier: Tier,
) -> None:
    ind = CATALOGUE.get(code)
    assert (ind.kind, ind.unit, ind.breakdowns, ind.tier) == (kind, unit, breakdowns, tier)
    assert set(ind.sources) == set(sources)
    assert ind.numerator is ind.denominator is ind.multiplier is None


@pytest.mark.parametrize(("code", "numerator", "denominator", "tier"), RATIOS)
def test_ratio_contract(code: str, numerator: str, denominator: str, tier: Tier) -> None:
    ind = CATALOGUE.get(code)
    assert (ind.kind, ind.numerator, ind.denominator, ind.multiplier) == (
        Kind.RATIO,
        numerator,
        denominator,
        100.0,
    )
    assert (ind.tier, ind.breakdowns, ind.unit_label) == (tier, (), "%")


def test_catalogue_holds_exactly_the_contract_codes() -> None:
    assert {ind.code for ind in CATALOGUE.stored()} == {row[0] for row in STORED}
    assert {ind.code for ind in CATALOGUE.ratios()} == {row[0] for row in RATIOS}


def test_breakdowns_and_their_categories() -> None:
    assert CATALOGUE.breakdown("age_enfant").category_codes == (
        *("0_2", "3_5", "6_10", "11_14", "15_17", "18_24"),
    )
    assert CATALOGUE.breakdown("age_jeune_enfant").category_codes == ("0_2", "3_5")
    assert CATALOGUE.breakdown("situation_familiale").categories[0].label == "Personne isolée"
    assert CATALOGUE.breakdown("mode_accueil").category_codes == ("collectif", "familial")


@pytest.mark.parametrize(
    ("code", "rules", "zero_unsafe"),
    [
        ("ALLOC", ("FREQ(5,10)",), False),
        ("RSA", ("FREQ(5,10)",), True),
        ("AAH_MONTANT", ("FREQ(5,10)", "NK(1,85)", "P(10,1)"), True),
        ("PLACES_EAJE", ("FREQ(3,10)", "NK(1,85)"), False),
        ("TAUX_COUV_EAJE", (), False),
    ],
)
def test_secrecy_parameters(code: str, rules: tuple[str, ...], zero_unsafe: bool) -> None:
    secrecy = CATALOGUE.get(code).secrecy
    written = tuple(str(rule) for rule in secrecy.rules)
    assert (written, secrecy.zero_unsafe, secrecy.interval_percent) == (
        rules,
        zero_unsafe,
        10.0,
    )


def test_round_trip_through_plain_data() -> None:
    assert parse_catalogue(catalogue_to_data(CATALOGUE)) == CATALOGUE


# --- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"axis": Axis.OFFRE}, {"ASSMAT_ACTIVES", "PLACES_ASSMAT", "PLACES_EAJE"}),
        ({"axis": Axis.USAGE}, {"ENF_GARDES_ASSMAT", "CMG_MONTANT", "ENF_INSCRITS_EAJE"}),
        ({"tier": Tier.RESTREINT}, {"RSA_MONTANT"}),
        ({"tier": Tier.INTERNE}, {"INDUS_MONTANT"}),
        (
            {"source": Source.MSA},
            {"ENF_MOINS_6", "ENF_MOINS_3", "TAUX_COUV_EAJE", "TAUX_COUV_ASSMAT"},
        ),
        ({"source": Source.BCAS}, {"PLACES_EAJE", "ENF_INSCRITS_EAJE", "TAUX_COUV_EAJE"}),
        ({"source": Source.INSEE}, set()),
        (
            {"axis": Axis.ADEQUATION, "source": Source.ACOSS},
            {"ENF_GARDES_HORS_COMMUNE", "PART_ENF_GARDES_HORS_COMMUNE", "TAUX_COUV_ASSMAT"},
        ),
        ({"axis": Axis.OFFRE, "tier": Tier.SOCLE_COMMUN}, set()),
    ],
)
def test_filter(criteria: dict[str, Any], expected: set[str]) -> None:
    assert {ind.code for ind in CATALOGUE.filter(**criteria)} == expected


def test_filter_without_criteria_keeps_file_order() -> None:
    assert [ind.code for ind in CATALOGUE.filter()] == [item["code"] for item in DATA["indicators"]]


def test_stored_excludes_ratios() -> None:
    assert all(not ind.is_ratio for ind in CATALOGUE.stored())
    assert len(CATALOGUE.stored()) + len(CATALOGUE.ratios()) == len(CATALOGUE)


def test_get_unknown_code_is_not_found() -> None:
    with pytest.raises(NotFound, match="NOPE"):
        CATALOGUE.get("NOPE")
    assert "NOPE" not in CATALOGUE and "ALLOC" in CATALOGUE


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        CATALOGUE.indicators["X"] = CATALOGUE.get("ALLOC")  # type: ignore[index]


# --- validation: one row per way a catalogue can be wrong -----------------------------------


def _fiche(name: str) -> dict[str, str]:
    return {field: f"Texte de la rubrique {field} pour {name}." for field in FICHE_FIELDS}


def _indicator(code: str, **overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "code": code,
        "label": f"Libellé {code}",
        "axis": "public",
        "family": "Données de cadrage",
        "subfamily": "Allocataires",
        "kind": "count",
        "unit": "foyer_allocataire",
        "unit_label": "foyers",
        "breakdowns": [],
        "sources": ["cnaf"],
        "tier": "socle_commun",
        "secrecy": {"rules": ["FREQ(5,10)"], "zero_unsafe": False, "interval_percent": 10},
        "citation": "Source : Cnaf.",
        "fiche": _fiche(code),
    }
    raw.update(overrides)
    return raw


def _minimal() -> dict[str, Any]:
    amount_rules = {"rules": ["FREQ(5,10)", "NK(1,85)"]}
    return {
        "breakdowns": [
            {"code": "age", "label": "Âge", "categories": [{"code": "0_2", "label": "0-2 ans"}]}
        ],
        "indicators": [
            _indicator("ALLOC"),
            _indicator("ENF", breakdowns=["age"]),
            _indicator("MONTANT", kind="amount", unit_label="euros", secrecy=amount_rules),
            _indicator("RESTR", tier="restreint", restricted_to=["conseil_departemental"]),
            _indicator(
                "PART",
                kind="ratio",
                numerator="ENF",
                denominator="ALLOC",
                multiplier=100,
                unit_label="%",
                secrecy={"rules": []},
            ),
        ],
    }


def _ind(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(item for item in data["indicators"] if item["code"] == code)


def _set(code: str, path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Return a mutation setting `path` (dotted) of indicator `code` to `value`."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = _ind(data, code)
        for key in parents:
            target = target[key]
        target[leaf] = value

    return mutate


def _drop(code: str, path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = _ind(data, code)
        for key in parents:
            target = target[key]
        del target[leaf]

    return mutate


def _append(item: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["indicators"].append(item)


def _set_categories(categories: list[Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["breakdowns"][0]["categories"] = categories

    return mutate


INVALID = [
    ("axe inconnu", _set("ALLOC", "axis", "cadrage"), "Indicateur ALLOC, champ « axis »"),
    ("type inconnu", _set("ALLOC", "kind", "mean"), "champ « kind » : valeur inconnue 'mean'"),
    ("unité inconnue", _set("ALLOC", "unit", "personne"), "Indicateur ALLOC, champ « unit »"),
    ("source inconnue", _set("ALLOC", "sources", ["caf"]), "champ « sources »"),
    ("sans source", _set("ALLOC", "sources", []), "champ « sources » : liste non vide"),
    ("palier inconnu", _set("ALLOC", "tier", "public"), "Indicateur ALLOC, champ « tier »"),
    ("demandeur inconnu", _set("RESTR", "restricted_to", ["maire"]), "champ « restricted_to »"),
    ("restreint sans liste", _drop("RESTR", "restricted_to"), "exige la liste des types"),
    (
        "liste hors restreint",
        _set("ALLOC", "restricted_to", ["service_etat"]),
        "Indicateur ALLOC, champ « restricted_to » : réservé au palier",
    ),
    ("fiche sans objectif", _drop("ALLOC", "fiche.objectif"), "champ « objectif » : champ manq"),
    ("objectif vide", _set("ENF", "fiche.objectif", "  "), "ENF, champ « fiche.objectif »"),
    ("définition vide", _set("ALLOC", "fiche.definition", ""), "champ « fiche.definition »"),
    ("actualisation nulle", _set("ALLOC", "fiche.actualisation", None), "fiche.actualisation"),
    ("construction vide", _set("ALLOC", "fiche.construction", ""), "« fiche.construction »"),
    ("source vide", _set("ALLOC", "fiche.source", ""), "champ « fiche.source » : texte vide"),
    ("limites vides", _set("ALLOC", "fiche.interpretation", ""), "« fiche.interpretation »"),
    ("rubrique en trop", _set("ALLOC", "fiche.resume", "x"), "champ « resume » : champ inconnu"),
    ("champ inconnu", _set("ALLOC", "tiers", "x"), "Indicateur ALLOC, champ « tiers »"),
    ("libellé manquant", _drop("ALLOC", "label"), "Indicateur ALLOC, champ « label »"),
    ("code minuscule", _set("ALLOC", "code", "alloc"), "champ « code » : code invalide"),
    ("code en double", _append(_indicator("ALLOC")), "Indicateur ALLOC, champ « code » : code en"),
    ("ventilation inconnue", _set("ALLOC", "breakdowns", ["sexe"]), "ventilation inconnue « sexe"),
    ("numérateur inconnu", _set("PART", "numerator", "NOPE"), "PART, champ « numerator » : ind"),
    ("dénominateur inconnu", _set("PART", "denominator", "X"), "champ « denominator » : indicat"),
    (
        "ratio de ratio",
        _append(
            _indicator(
                "R2",
                kind="ratio",
                numerator="PART",
                denominator="ALLOC",
                multiplier=1,
                secrecy={"rules": []},
            )
        ),
        "Indicateur R2, champ « numerator » : « PART » est lui-même un ratio",
    ),
    ("ratio sans dénominateur", _drop("PART", "denominator"), "PART, champ « denominator »"),
    ("multiplicateur nul", _set("PART", "multiplier", 0), "champ « multiplier »"),
    ("numérateur hors ratio", _set("ALLOC", "numerator", "ENF"), "ALLOC, champ « numerator » : r"),
    ("ventilation non partagée", _set("PART", "breakdowns", ["age"]), "PART, champ « breakdowns"),
    ("sources du ratio", _set("PART", "sources", ["msa"]), "PART, champ « sources »"),
    ("ratio moins protégé", _set("ENF", "tier", "convention"), "PART, champ « tier »"),
    ("unité du ratio", _set("PART", "unit", "equipement"), "PART, champ « unit »"),
    (
        "règle mal écrite",
        _set("ALLOC", "secrecy.rules", ["FREQ(5;10)"]),
        "ALLOC, champ « secrecy.rules[0] » : règle mal écrite",
    ),
    ("règle inconnue", _set("ALLOC", "secrecy.rules", ["ZERO(5)"]), "règle mal écrite 'ZERO(5)'"),
    ("règle minuscule", _set("ALLOC", "secrecy.rules", ["nk(1,85)"]), "secrecy.rules[0]"),
    ("règle non texte", _set("ALLOC", "secrecy.rules", [5]), "règle mal écrite 5"),
    ("k hors bornes", _set("ALLOC", "secrecy.rules", ["NK(1,150)"]), "paramètres hors bornes"),
    ("seuil nul", _set("ALLOC", "secrecy.rules", ["FREQ(0,10)"]), "paramètres hors bornes"),
    # The catalogue reads rules with the engine's parser: what the engine refuses, it refuses;
    # and the store keeps two largest contributions: a rule reading more is refused too.
    ("NK à trois unités", _set("ALLOC", "secrecy.rules", ["NK(3,80)"]), "paramètres hors bornes"),
    ("P à coalition", _set("ALLOC", "secrecy.rules", ["P(10,2)"]), "paramètres hors bornes"),
    ("effectif fractionnaire", _set("ALLOC", "secrecy.rules", ["FREQ(2.5,10)"]), "mal écrite"),
    ("paramètre omis", _set("ALLOC", "secrecy.rules", ["FREQ(5)"]), "(écrire FREQ(5,0))"),
    ("aucune règle", _set("ALLOC", "secrecy.rules", []), "au moins une règle"),
    ("montant sans dominance", _set("MONTANT", "secrecy.rules", ["FREQ(5,10)"]), "règle NK ou P"),
    ("zéro non booléen", _set("ALLOC", "secrecy.zero_unsafe", "oui"), "secrecy.zero_unsafe"),
    ("intervalle nul", _set("ALLOC", "secrecy.interval_percent", 0), "secrecy.interval_percent"),
    ("code de catégorie lu comme nombre", _set_categories([{"code": 2, "label": "0-2"}]), "guill"),
    (
        "catégorie en double",
        _set_categories([{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]),
        "Ventilation age, champ « categories[1] » : catégorie « a » en double",
    ),
    ("ventilation vide", _set_categories([]), "Ventilation age, champ « categories »"),
]


@pytest.mark.parametrize(
    ("mutate", "fragment"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_invalid_catalogue_names_indicator_and_field(
    mutate: Callable[[dict[str, Any]], None], fragment: str
) -> None:
    data = _minimal()
    parse_catalogue(copy.deepcopy(data))  # the base is valid: only the mutation breaks it
    mutate(data)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"indicators": []}, "Catalogue, champ « breakdowns » : champ manquant"),
        ({"breakdowns": [], "indicators": [], "extra": 1}, "champ « extra » : champ inconnu"),
        ({"breakdowns": {}, "indicators": []}, "Catalogue, champ « breakdowns » : liste"),
        ({"breakdowns": [], "indicators": ["ALLOC"]}, "Indicateur n°1, champ « * »"),
    ],
)
def test_invalid_catalogue_shape(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(CatalogueError, match=fragment.replace("*", r"\*")):
        parse_catalogue(data)


def test_error_exposes_where_and_field() -> None:
    data = _minimal()
    _set("RESTR", "tier", "secret")(data)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data)
    assert (caught.value.where, caught.value.field) == ("Indicateur RESTR", "tier")
    assert caught.value.code == "catalogue_invalide"


def test_restricted_requesters_are_parsed() -> None:
    catalogue = parse_catalogue(_minimal())
    assert catalogue.get("RESTR").restricted_to == (RequesterType.CONSEIL_DEPARTEMENTAL,)


def test_rules_are_written_back_as_the_file_writes_them() -> None:
    written = {
        ind["code"]: ind["secrecy"]["rules"] for ind in catalogue_to_data(CATALOGUE)["indicators"]
    }
    assert written == {
        ind["code"]: ["".join(rule.split()) for rule in ind["secrecy"]["rules"]]
        for ind in DATA["indicators"]
    }


def test_secrecy_rules_are_normalised() -> None:
    data = _minimal()
    _set("MONTANT", "secrecy.rules", [" NK( 1 , 85 ) ", "P(10,1)"])(data)
    rules = parse_catalogue(data).get("MONTANT").secrecy.rules
    assert rules == (DominanceRule(1, 85.0), PPercentRule(10.0, 1))
    assert tuple(str(rule) for rule in rules) == ("NK(1,85)", "P(10,1)")
