"""The access request form: lists to choose from, each error beside its field, a confirmation."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from gateway.db.models import AccessRequestRecord
from gateway.state import app_state
from tests.web.account.conftest import Browser, text_of

PATH = "/compte/demande-acces"
GOOD = {
    "organisation": "Commune de La Ciotat",
    "siret": "732 829 320 00074",
    "requester_type": "commune",
    "caf_code": "13",
    "territory_level": "commune",
    "territory_code": "13028",
    "purpose": "Diagnostic territorial de la petite enfance pour le schéma communal.",
    "contact_name": "Dominique Roux",
    "contact_email": "d.roux@laciotat.fr",
}


def test_the_form_offers_types_cafs_and_levels(browser: Browser) -> None:
    body = browser.get(PATH).get_data(as_text=True)
    assert '<option value="commune">Commune</option>' in body
    assert '<option value="13">' in body and "Bouches-du-Rhône" in body
    assert '<option value="admin_caf">' not in body and '<option value="grand_public">' not in body
    assert '<textarea class="champ__saisie champ__saisie--texte" id="purpose"' in body


def test_a_request_is_recorded_then_confirmed(browser: Browser, sqlite_app: Flask) -> None:
    response = browser.submit(PATH, GOOD)
    assert response.status_code == 303 and response.headers["Location"] == f"{PATH}/envoyee"
    page = text_of(browser.get(f"{PATH}/envoyee"))
    assert "La demande de Commune de La Ciotat est transmise à la Caf" in page
    assert "d.roux@laciotat.fr" in page
    with sqlite_app.app_context(), app_state().database.sessions() as session:
        record = session.scalar(select(AccessRequestRecord))
        assert record is not None and record.siret == "73282932000074"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siret": "732 829 320 00075"}, "siret", "Ce numéro SIRET n'existe pas"),
        ({"siret": "1234"}, "siret", "Un numéro SIREN compte 9 chiffres"),
        ({"organisation": ""}, "organisation", "Saisissez le nom de l'organisation"),
        ({"requester_type": ""}, "requester_type", "Choisissez le type de votre organisation"),
        ({"caf_code": ""}, "caf_code", "Choisissez la Caf de votre territoire"),
        ({"territory_code": "00000"}, "territory_code", "Territoire inconnu"),
        ({"purpose": "court"}, "purpose", "Entre 20 et 4000 caractères"),
        ({"contact_email": "roux"}, "contact_email", "adresse électronique valide"),
    ],
)
def test_each_error_is_beside_its_field_and_in_the_summary(
    browser: Browser, changes: dict[str, str], field: str, message: str
) -> None:
    response = browser.submit(PATH, {**GOOD, **changes})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-erreur"' in body and f'href="#{field}"' in body
    assert message in body.replace("&#39;", "'")
    assert 'value="Dominique Roux"' in body  # what was typed stays


def test_the_confirmation_without_a_request_says_the_general_words(browser: Browser) -> None:
    page = text_of(browser.get(f"{PATH}/envoyee"))
    assert "Votre demande est transmise à votre Caf" in page
