"""Every public page answers in French HTML, with the portal's landmarks, and never a trace."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

PAGES = [
    ("/", "Les statistiques des Caf, diffusées sous secret statistique"),
    ("/catalogue", "Catalogue des indicateurs"),
    ("/catalogue?axis=offre", "Offre d’accueil"),
    ("/catalogue/ALLOC", "Nombre d’allocataires"),
    ("/catalogue/TAUX_COUV_EAJE", "Interprétation et limites"),
    ("/socle", "Socle commun"),
    ("/socle?indicator=ALLOC&level=region&parent=france:FR", "Nombre d’allocataires"),
    ("/socle?q=loz", "Lozère"),
]


def html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_every_page_is_french_html_with_its_landmarks(
    page: FlaskClient, path: str, heading: str
) -> None:
    response = page.get(path)
    assert response.status_code == 200, path
    body = html(response)
    assert '<html lang="fr">' in body
    assert 'href="#contenu">Aller au contenu</a>' in body
    assert '<main id="contenu"' in body
    assert 'aria-label="Navigation principale"' in body
    assert "<footer" in body
    assert heading in body
    assert "Traceback" not in body
    assert re.search(r"<title>[^<]+ — Passerelle de diffusion des données des Caf</title>", body)


def test_the_current_area_is_marked_in_the_navigation(page: FlaskClient) -> None:
    body = html(page.get("/catalogue"))
    assert re.search(r'href="/catalogue" aria-current="page">Catalogue des indicateurs', body)
    assert 'aria-current="page">Accueil' not in body


def test_home_says_what_is_offered_and_to_whom(page: FlaskClient) -> None:
    body = html(page.get("/"))
    for words in (
        "socle commun, libre et gratuit",
        "conseils départementaux",
        "communes et intercommunalités (EPCI)",
        "services de l’État",
        "observatoires",
        "cabinets privés",
        'href="/api/v1/docs"',
    ):
        assert words in body


def test_catalogue_groups_by_axis_family_and_subfamily(page: FlaskClient) -> None:
    body = html(page.get("/catalogue"))
    assert body.index("Public : enfants, familles et allocataires") < body.index("Offre d’accueil")
    assert "<h3>Données de cadrage</h3>" in body
    assert '<h4 class="sous-famille">Allocataires</h4>' in body
    assert 'href="/catalogue/ALLOC"' in body
    assert 'href="/api/v1/indicators"' in body  # its data twin


def test_catalogue_filters_are_the_apis(page: FlaskClient) -> None:
    body = html(page.get("/catalogue?axis=offre&tier=socle_commun"))
    api = page.get("/api/v1/indicators?axis=offre&tier=socle_commun").json
    assert f"{api['total']} indicateur" in body
    assert 'href="/api/v1/indicators?axis=offre&amp;tier=socle_commun"' in body


def test_a_wrong_filter_is_said_beside_the_field_and_at_the_top(page: FlaskClient) -> None:
    response = page.get("/catalogue?axis=nulle-part")
    assert response.status_code == 422
    body = html(response)
    assert '<a href="#axis">Valeur inconnue' in body
    assert 'id="axis-erreur"' in body
    assert 'aria-describedby="axis-erreur" aria-invalid="true"' in body
    assert "<title>Erreur : " in body


def test_the_fiche_explains_definition_source_tier_and_secrecy(page: FlaskClient) -> None:
    body = html(page.get("/catalogue/AAH_MONTANT"))
    for words in (
        "Interprétation et limites",
        "Définition",
        "Source",
        "Diffusion : Socle commun",
        "Diffusé librement et gratuitement à tous",
        "Secret statistique",
        "règle de dominance",
        'href="/api/v1/indicators/AAH_MONTANT"',
        'href="/socle?indicator=AAH_MONTANT"',
    ):
        assert words in body, words


def test_an_internal_indicator_says_it_is_never_diffused(page: FlaskClient) -> None:
    body = html(page.get("/catalogue/INDUS_MONTANT"))
    assert "Jamais diffusé en dehors de la branche Famille." in body
    assert "/socle?indicator=INDUS_MONTANT" not in body


def test_the_portals_assets_are_served_by_the_gateway(page: FlaskClient) -> None:
    with page.get("/assets/portail.css") as css:
        assert css.status_code == 200
        assert css.mimetype == "text/css"
        assert "@media print" in css.get_data(as_text=True)
    with page.get("/assets/portail.js") as script:
        assert script.status_code == 200
    body = html(page.get("/"))
    assert 'src="/assets/portail.js"' in body
    assert "cdn" not in body.lower()


def test_every_page_names_its_icon_and_the_icon_is_served(page: FlaskClient) -> None:
    """A regression: without an icon, every page made the browser ask /favicon.ico, a 404
    in its console."""
    home = html(page.get("/"))
    found = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', home)
    assert found is not None
    icon = page.get(found.group(1))
    icon.close()  # a static file is streamed from its open file
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
