"""The builder's live preview: cells, decision and price as the API's preview gives them."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from tariffs.money import format_eur
from tests.web.demande.conftest import Person, text_of

AUBAGNE = "commune:13005"


def request_of(territory: str = AUBAGNE, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("indicators", "ENF_MOINS_3"),
        ("indicators", "PLACES_EAJE"),
        ("territory", territory),
        ("periods", "2022"),
        ("periods", "2023"),
        ("periods", "2024"),
        ("use", "usage_final"),
        *extra,
    ]


def test_the_fragment_counts_the_cells_and_prices_them(commune: Person) -> None:
    fragment = commune.get("/demande/apercu", query_string=request_of())
    body, text = fragment.get_data(as_text=True), text_of(fragment)
    assert fragment.status_code == 200
    assert "<html" not in body  # a fragment, swapped into the page
    assert 'data-apercu="cellules">6<' in body  # 2 indicators x 3 years x 1 commune
    assert "Autorisée par la convention CONV-13-" in text
    assert "€ TTC : un devis vous sera proposé" in text
    assert "Chiffrage, ligne par ligne" in text and "Total TTC" in text
    assert 'id="apercu-statut" hx-swap-oob="innerHTML"' in body  # the announced summary
    assert "6 cellules — autorisée" in text


def test_the_fragment_matches_the_api_preview(demo_app: Flask, commune: Person) -> None:
    from tests.support.demo_world import keys_of

    fragment = text_of(commune.get("/demande/apercu", query_string=request_of()))
    body = {
        "indicators": ["ENF_MOINS_3", "PLACES_EAJE"],
        "territories": {"level": "commune", "codes": ["13005"]},
        "periods": [2022, 2023, 2024],
        "use": "usage_final",
    }
    api = demo_app.test_client().post(
        "/api/v1/extracts/preview", json=body, headers=keys_of(demo_app, "commune")
    )
    assert api.status_code == 200, api.get_data(as_text=True)
    price = api.json["prix"]

    def euros(amount: str) -> str:  # as the page shows it, its spaces read as spaces
        return format_eur(Decimal(amount)).replace("\u00a0", " ")

    assert f"{euros(price['total_ttc'])} TTC" in fragment
    for line in [*price["lignes"], *price["ajustements"]]:
        shown = f"{line['libelle']} {line['explication']} {euros(line['montant'])}"
        assert " ".join(shown.split()) in fragment


def test_another_territory_shows_the_refusal_and_its_remedy(commune: Person) -> None:
    fragment = commune.get("/demande/apercu", query_string=request_of("departement:13"))
    body, text = fragment.get_data(as_text=True), text_of(fragment)
    assert fragment.status_code == 200
    assert "Refusée" in text and "demande refusée" in text
    assert "Convention requise" in text
    assert "Pour obtenir ces données :" in text  # the remedy, in plain French
    assert "Règle appliquée : convention." in text
    assert "data-resume-erreurs" not in body  # a live preview never takes the focus


def test_an_incomplete_form_says_what_is_missing(commune: Person) -> None:
    fragment = commune.get(
        "/demande/apercu", query_string=[("indicators", "ENF_MOINS_3"), ("use", "usage_final")]
    )
    text = text_of(fragment)
    assert "Pour voir l’aperçu, corrigez d’abord" in text
    assert "Choisissez au moins une année." in text and "Choisissez un territoire." in text
    assert "point" in text and "à corriger" in text


def test_the_breakdowns_are_swapped_when_the_indicators_change(commune: Person) -> None:
    changed = commune.get(
        "/demande/apercu",
        query_string=[*request_of(), ("indicators", "ENF_COUVERTS"), ("offertes", "")],
    )
    body = changed.get_data(as_text=True)
    assert '<div id="ventilations" hx-swap-oob="true">' in body
    assert 'value="age_enfant"' in body
    same = commune.get(
        "/demande/apercu",
        query_string=[*request_of(), ("indicators", "ENF_COUVERTS"), ("offertes", "age_enfant")],
    )
    assert 'id="ventilations"' not in same.get_data(as_text=True)  # unchanged: left alone


def test_without_javascript_the_button_shows_the_same_preview(commune: Person) -> None:
    page = commune.get("/demande", query_string=[*request_of(), ("action", "apercu")])
    text = text_of(page)
    assert page.status_code == 200
    assert "6 cellules — autorisée" in text and "Total TTC" in text
