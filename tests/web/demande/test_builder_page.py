"""The request builder's form: what it offers, its errors beside the fields, its check page."""

from __future__ import annotations

from flask import Flask

from tests.web.demande.conftest import Person, text_of

AUBAGNE = "commune:13005"
REQUEST = [
    ("indicators", "ENF_MOINS_3"),
    ("indicators", "PLACES_EAJE"),
    ("territory", AUBAGNE),
    ("periods", "2023"),
    ("periods", "2024"),
    ("use", "usage_final"),
]


def test_a_visitor_is_sent_to_sign_in(demo_app: Flask) -> None:
    response = demo_app.test_client().get("/demande")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/compte/connexion?suivant=/demande")


def test_the_form_preselects_the_organisations_territory(commune: Person) -> None:
    page = commune.get("/demande")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'value="{AUBAGNE}" checked' in body
    text = text_of(page)
    assert "Commune : Aubagne (13005) — votre territoire" in text
    assert "Département : Bouches-du-Rhône (13)" in text  # the territories containing it
    assert 'href="/catalogue/ENF_MOINS_3"' in body  # every indicator's fiche a click away
    assert "Public : enfants, familles et allocataires" in text  # grouped by axis
    assert "INDUS_MONTANT" not in body  # internal indicators are never offered
    assert 'hx-get="/demande/apercu"' in body and 'value="apercu"' in body  # live, or by button


def test_the_search_adds_the_territories_found(commune: Person) -> None:
    page = commune.get("/demande", query_string={"q": "Marseille", "action": "rechercher"})
    text = text_of(page)
    assert page.status_code == 200
    assert "Commune : Marseille (13055)" in text
    assert "ajoutés à la liste des territoires" in text
    assert "Votre demande n’a pas pu être traitée" not in text  # a search is not a mistake


def test_errors_are_beside_their_fields_and_in_the_summary(commune: Person) -> None:
    page = commune.get("/demande/verifier", query_string=[("territory", AUBAGNE), ("use", "x")])
    body, text = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 422
    assert '<a href="#indicators">Choisissez au moins un indicateur.</a>' in body
    assert 'id="indicators-erreur"' in body and 'id="use-erreur"' in body
    assert 'id="periods-erreur"' in body
    assert "Choisissez l’usage des données." in text
    assert "{" not in text.replace("{%", "")  # never a JSON document


def test_the_apis_field_errors_go_beside_the_form_fields(commune: Person) -> None:
    unknown = [*REQUEST, ("breakdowns", "age_enfant")]  # offered by none of the indicators
    page = commune.get("/demande/verifier", query_string=unknown)
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="breakdowns-erreur"' in body
    assert "Ventilation « age_enfant » non disponible pour les indicateurs demandés." in body


def test_the_breakdowns_offered_are_those_of_the_chosen_indicators(commune: Person) -> None:
    chosen = [("indicators", "ENF_COUVERTS"), ("territory", AUBAGNE), ("periods", "2024")]
    chosen.append(("use", "usage_final"))
    text = text_of(commune.get("/demande", query_string=chosen))
    assert "Âge de l’enfant (années révolues au 31 décembre) (pour ENF_COUVERTS)" in text
    assert "Mode d’accueil en établissement" not in text


def test_the_check_page_sums_up_the_request_with_links_back(commune: Person) -> None:
    page = commune.get("/demande/verifier", query_string=REQUEST)
    body, text = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200, text[:800]
    assert "Vérifier votre demande" in text
    assert "Commune : Aubagne (13005)" in text and "2023, 2024" in text
    assert "/demande?indicators=ENF_MOINS_3&amp;indicators=PLACES_EAJE" in body
    assert "#territory" in body  # "Modifier" goes back to the field
    assert 'name="csrf_token"' in body and "Obtenir le devis" in text
    assert "/api/v1/extracts/preview" in text  # the data twin: the same request by the API


def test_the_organisations_custom_zones_are_territories_to_choose(
    demo_app: Flask, commune: Person
) -> None:
    from tests.support.demo_world import keys_of

    created = demo_app.test_client().post(
        "/api/v1/zones",
        json={"name": "Centre d’Aubagne", "communes": ["13005"]},
        headers=keys_of(demo_app, "commune"),
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    zone = f"zone:{created.json['id']}"
    page = text_of(commune.get("/demande"))
    assert "Zone personnalisée « Centre d’Aubagne » (1 commune)" in page
    chosen = [("indicators", "ENF_MOINS_3"), ("territory", zone), ("periods", "2024")]
    preview = text_of(
        commune.get("/demande/apercu", query_string=[*chosen, ("use", "usage_final")])
    )
    assert "1 cellule — autorisée" in preview
    detailed = commune.get("/demande/verifier", query_string=[*chosen, ("level", "commune")])
    assert "Une zone personnalisée se demande entière" in text_of(detailed)
