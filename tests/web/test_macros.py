"""The form macros: each kind of field renders its label, hint, error and ARIA wiring."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from gateway.web.twin import DataTwin, TwinLink

FIELDS = {
    "text": 'text("nom", "Nom", value="Aubagne", hint="Le nom", error="Trop court.")',
    "select": 'select("niveau", "Niveau", options=[("a", "A"), ("b", "B")], value="b", '
    'hint="Le niveau", error="Inconnu.")',
    "date": 'date("debut", "Début", value="2024-01-31", hint="jj/mm/aaaa", error="Date invalide.")',
    "file": 'file("piece", "Pièce", hint="Un PDF", error="Fichier manquant.", accept=".pdf")',
}


def render(app: Flask, source: str) -> str:
    template = app.jinja_env.from_string(
        '{% from "macros/forms.html" import text, select, radios, checkboxes, date, file, '
        "error_summary %}" + source
    )
    with app.test_request_context():
        return template.render()


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_a_field_has_its_label_hint_and_error_wired(portal_app: Flask, kind: str) -> None:
    html = render(portal_app, "{{ " + FIELDS[kind] + " }}")
    name = re.search(r'name="([^"]+)"', html).group(1)
    assert f'<label class="champ__libelle" for="{name}">' in html
    assert f'id="{name}-aide"' in html
    assert f'<p class="champ__erreur" id="{name}-erreur">' in html
    assert f'id="{name}" name="{name}"' in html
    assert f'aria-describedby="{name}-aide {name}-erreur" aria-invalid="true"' in html
    assert "champ--erreur" in html


def test_a_field_without_error_is_not_invalid(portal_app: Flask) -> None:
    html = render(portal_app, '{{ text("nom", "Nom") }}')
    assert "aria-invalid" not in html
    assert "aria-describedby" not in html
    assert 'value=""' in html


@pytest.mark.parametrize(("macro", "kind"), [("radios", "radio"), ("checkboxes", "checkbox")])
def test_choices_are_a_fieldset_whose_first_option_carries_the_fields_id(
    portal_app: Flask, macro: str, kind: str
) -> None:
    chosen = 'value="b"' if macro == "radios" else 'values=["b", "c"]'
    html = render(
        portal_app,
        "{{ "
        + macro
        + '("choix", "Votre choix", [("a", "A"), ("b", "B"), ("c", "C")], '
        + chosen
        + ', hint="Un seul", error="Choisissez.") }}',
    )
    assert '<fieldset class="groupe" aria-describedby="choix-aide choix-erreur">' in html
    assert '<legend class="groupe__legende">Votre choix' in html
    assert f'type="{kind}" id="choix" name="choix" value="a">' in html
    assert f'type="{kind}" id="choix-2" name="choix" value="b" checked>' in html
    assert '<label class="choix__libelle" for="choix-3">C</label>' in html
    assert ('value="c" checked' in html) == (macro == "checkboxes")


def test_the_select_marks_the_chosen_option_in_groups_too(portal_app: Flask) -> None:
    html = render(
        portal_app,
        '{{ select("p", "Parent", groups=[("Régions", [("region:76", "Occitanie")])], '
        'value="region:76") }}',
    )
    assert '<optgroup label="Régions">' in html
    assert '<option value="region:76" selected>Occitanie</option>' in html


def test_the_error_summary_links_each_field_and_says_the_rest(portal_app: Flask) -> None:
    html = render(
        portal_app,
        '{{ error_summary({"nom": "Trop court.", "": "Demande incomplète."}) }}',
    )
    assert 'class="resume-erreurs" data-resume-erreurs tabindex="-1"' in html
    assert '<div role="alert">' in html
    assert '<li><a href="#nom">Trop court.</a></li>' in html
    assert "<li>Demande incomplète.</li>" in html
    assert render(portal_app, "{{ error_summary({}) }}").strip() == ""


def test_the_data_twin_shows_every_link_and_the_command(portal_app: Flask) -> None:
    twin = DataTwin(
        links=(
            TwinLink("csv", "CSV", "/api/v1/socle/ALLOC?format=csv"),
            TwinLink("json", "JSON", "/api/v1/socle/ALLOC?format=json"),
        ),
        api_url="http://localhost/api/v1/socle/ALLOC?format=csv",
        curl="curl -sS 'http://localhost/api/v1/socle/ALLOC?format=csv'",
    )
    template = portal_app.jinja_env.from_string(
        '{% from "macros/data_twin.html" import data_twin %}{{ data_twin(twin) }}'
    )
    with portal_app.test_request_context():
        html = template.render(twin=twin)
    assert 'href="/api/v1/socle/ALLOC?format=csv" data-format="csv" download' in html
    assert 'href="/api/v1/socle/ALLOC?format=json" data-format="json">' in html
    assert "curl -sS &#39;http://localhost/api/v1/socle/ALLOC?format=csv&#39;" in html
    assert 'data-copier="commande-api" hidden' in html  # shown by JavaScript only
