"""The note explicative says what every indicator is, how it is protected and how to cite it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from gateway.delivery import SYMBOL_MEANINGS, SYNTHETIC_BANNER, Delivery, build_note
from gateway.delivery.note import explain_rule
from policies.catalogue import FICHE_FIELDS, FICHE_HEADINGS, Catalogue
from policies.domain import ContributingUnit
from policies.secrecy import FreqRule, MalformedRule, parse_rule


def note_text(delivery: Delivery) -> str:
    return "\n".join(text for _level, text in build_note(delivery).outline())


def test_every_fiche_heading_and_text_is_in_the_note(delivery: Delivery) -> None:
    text = note_text(delivery)
    for heading in FICHE_HEADINGS.values():
        assert text.count(f"\n{heading}\n") == len(delivery.indicators)
    for indicator in delivery.indicators:
        assert indicator.label in text
        for name in FICHE_FIELDS:
            assert getattr(indicator.fiche, name) in text


def test_the_note_identifies_the_extract(delivery: Delivery) -> None:
    text = note_text(delivery)
    for expected in (
        "EXT-2026-000123",
        "14/03/2026 à 09:30",
        "Commune d’Aix-en-Provence",
        "convention CONV-131-2026-007",
        "179,59\u00a0€ (devis DEV-131-2026-0042)",
        "Usage déclaré : études",
        "Cellules : 24, dont 4 masquées",
    ):
        assert expected in text


def test_every_symbol_is_explained(delivery: Delivery) -> None:
    text = note_text(delivery)
    for symbol, meaning in SYMBOL_MEANINGS.items():
        assert meaning in text
        if symbol:
            assert f"« {symbol} »" in text


def test_secrecy_rules_are_explained_per_indicator(delivery: Delivery) -> None:
    text = note_text(delivery)
    assert "FREQ(5,10) : une cellule comptant moins de 5 foyers contributeurs est masquée" in text
    assert "Secret secondaire" in text
    assert "au moins 10 % de sa valeur" in text


@pytest.mark.parametrize(
    ("rule", "unit", "expected"),
    [
        ("FREQ(3,10)", ContributingUnit.ASSISTANTE_MATERNELLE, "moins de 3 assistantes"),
        (
            "NK(1,85)",
            ContributingUnit.EQUIPEMENT,
            "son plus gros contributeur en représente plus de 85 %",
        ),
        (
            "NK(2,90)",
            ContributingUnit.FOYER,
            "ses 2 plus gros contributeurs en représentent plus de 90 %",
        ),
        ("P(10,1)", ContributingUnit.FOYER, "à moins de 10 % près"),
    ],
)
def test_rules_read_in_french(rule: str, unit: ContributingUnit, expected: str) -> None:
    assert expected in explain_rule(parse_rule(rule), unit)


def test_an_unknown_rule_never_reaches_the_note() -> None:
    # The note explains parsed rules only: an unknown writing is refused when it is read.
    with pytest.raises(MalformedRule, match="XYZ"):
        parse_rule("XYZ")


def test_every_rule_of_the_catalogue_is_explained(catalogue: Catalogue) -> None:
    for indicator in catalogue:
        for rule in indicator.secrecy.rules:
            text = explain_rule(rule, indicator.unit)
            assert text.startswith(f"{rule} : une cellule ")
            assert text.endswith(").")
            if isinstance(rule, FreqRule):  # names the indicator's units, not "contributeurs"
                assert text != rule.explain_fr()


def test_reliability_warnings_and_citations(delivery: Delivery) -> None:
    text = note_text(delivery)
    enf = next(ind for ind in delivery.indicators if ind.code == "ENF_MOINS_6")
    assert enf.reliability in text
    assert "Les données 2023 sont provisoires." in text
    for indicator in delivery.indicators:
        assert indicator.citation in text
    assert "Source : Cnaf, passerelle de diffusion, extrait EXT-2026-000123" in text


def test_socle_commun_without_price(build: Callable[..., Delivery]) -> None:
    text = note_text(build(convention_reference=None, price_total=None, quote_reference=None))
    assert "socle commun, diffusion libre" in text
    assert "Prix : sans facturation" in text
    assert "gratuit" in note_text(build(price_total=Decimal("0.00")))


@pytest.mark.parametrize("synthetic", [True, False])
def test_synthetic_banner_iff_synthetic(build: Callable[..., Delivery], synthetic: bool) -> None:
    note = build_note(build(synthetic=synthetic))
    assert (note.banner == SYNTHETIC_BANNER) is synthetic
    assert (SYNTHETIC_BANNER in note_text(build(synthetic=synthetic))) is synthetic
    assert (note.to_dict()["avertissement"] is not None) is synthetic
