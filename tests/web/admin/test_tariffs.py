"""The console's tariff pages: the schedule in force, a new version previewed then published."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.services.pricing.queries import version_records
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of

NEW = "/administration/tarifs/13/nouvelle-version"
#: A sample whose analyst time goes past the forfait's hour: 0,5 h + 20 × 0,1 h = 2,5 h.
SAMPLE = {"exemple_indicateurs": "20", "exemple_type": "cabinet_prive"}


def filled_form(page_html: str) -> dict[str, list[str]]:
    """Return the values a browser would post from the page's first form (checked boxes only)."""
    form = page_html.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = [chosen.group(1) if chosen else ""]
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = [text]
    return {
        k: [v.replace("&#39;", "'").replace("&amp;", "&") for v in vs] for k, vs in data.items()
    }


def post(browser: Browser, path: str, data: dict[str, list[str]], form_at: str) -> object:
    token = browser.token(form_at)
    return browser.client.post(path, data={**data, "csrf_token": token})


def new_version(browser: Browser, caf: str = "13", **changes: str) -> dict[str, list[str]]:
    """The new-version form as shown, with some fields changed."""
    path = f"/administration/tarifs/{caf}/nouvelle-version"
    data = filled_form(browser.get(path).get_data(as_text=True))
    return {**data, **{k: [v] for k, v in changes.items()}}


def published(app: Flask, caf: str = "13") -> list[str]:
    with app.app_context(), get_database().transaction() as session:
        return [r.version for r in version_records(session, caf)]


def test_a_caf_administrator_reads_the_schedule_in_force_line_by_line(caf13: Browser) -> None:
    landing = caf13.get("/administration/tarifs")
    assert landing.status_code == 303 and landing.headers["Location"].endswith("/tarifs/13")

    page = caf13.get("/administration/tarifs/13")

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    shown = text_of(page)
    assert "Barème en vigueur : version 2026.1 (barème par défaut)" in shown
    assert "Traitement de la demande 40,00 €" in shown and "Minimum de perception 60,00 €" in shown
    assert "Taux de TVA 20 %" in shown and "Rediffusion 1,5" in shown
    assert "En vigueur du 01/01/2026" in shown
    assert "Aucune version propre" in shown
    assert '<th scope="row">Traitement de la demande</th>' in page.get_data(as_text=True)
    assert "/api/v1/admin/tariffs/13/versions" in shown  # the data twin


def test_a_national_administrator_chooses_the_caf(cnaf: Browser) -> None:
    chooser = cnaf.get("/administration/tarifs")
    assert chooser.status_code == 200 and "Caf des Bouches-du-Rhône (13)" in text_of(chooser)
    chosen = cnaf.get("/administration/tarifs?caf=33")
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/tarifs/33")
    unknown = cnaf.get("/administration/tarifs?caf=ZZ")
    assert unknown.status_code == 422 and "Choisissez une Caf" in text_of(unknown)


def test_the_new_version_form_is_prefilled_with_labelled_number_fields(caf13: Browser) -> None:
    page = caf13.get(NEW)
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert '<label class="champ__libelle" for="taux_horaire__analyste">' in html
    form = filled_form(html)
    assert form["taux_horaire__analyste"] == ["60,00"] and form["production__prix_par_bloc"] == [
        "0,30"
    ]
    assert "tva_applicable" in form and "socle_commun" in form["exonerations"]
    assert "<textarea" not in html.split("Demande d’exemple")[0]  # no YAML to edit


def _quote(sqlite_app: Flask, world: World) -> int:
    body = {
        "indicators": ["AL"],
        "territories": {"level": "departement", "codes": ["13"]},
        "periods": [2022],
        "use": "usage_final",
    }
    response = sqlite_app.test_client().post(
        "/api/v1/quotes", json=body, headers=world.headers("commune_13")
    )
    assert response.status_code == 201, response.json
    quote_id: int = response.json["id"]
    return quote_id


def test_a_new_version_is_previewed_then_published_and_logged(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    quote_id = _quote(sqlite_app, console_world)
    data = new_version(caf13, taux_horaire__analyste="65,00", version="2027.1", **SAMPLE)

    preview = post(caf13, NEW, data, NEW)

    assert preview.status_code == 200
    shown = text_of(preview)
    assert "Taux horaire de chargé d’études 60,00 € 65,00 €" in shown  # what changes
    # The sample, line by line, under each schedule: 1,5 extra analyst hour at 60 then 65 €.
    assert "1,5 h × 60,00 € = 90,00 €" in shown and "1,5 h × 65,00 € = 97,50 €" in shown
    assert f"n° {quote_id}" in shown  # the Caf's last quotes, priced again
    assert "Publier la version 2027.1 ?" in shown
    assert published(sqlite_app) == []  # a preview publishes nothing

    confirmed = filled_form(preview.get_data(as_text=True))
    done = post(caf13, NEW, {**confirmed, "etape": ["publier"]}, NEW)

    assert done.status_code == 303 and done.headers["Location"].endswith("/tarifs/13")
    assert published(sqlite_app) == ["2027.1"]
    listing = text_of(caf13.get("/administration/tarifs/13"))
    assert "Version 2027.1 du barème publiée" in listing
    assert re.search(r"2027\.1 \d\d/\d\d/\d{4} la version suivante Caf 13 \(admin\)", listing)
    changes = sqlite_app.test_client().get(
        "/api/v1/admin/changes?entity=tariff_schedule", headers=console_world.headers("admin_13")
    )
    (change,) = changes.json["items"]
    assert change["action"] == "tariff_update" and change["before"] is None
    assert change["after"]["bareme"]["taux_horaire"]["analyste"] == "65.00"


def test_modifier_goes_back_to_the_form_with_the_values(caf13: Browser) -> None:
    data = new_version(caf13, taux_horaire__analyste="65,00", version="2027.1")
    back = post(caf13, NEW, {**data, "etape": ["modifier"]}, NEW)
    assert back.status_code == 200
    assert filled_form(back.get_data(as_text=True))["taux_horaire__analyste"] == ["65,00"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"taux_horaire__analyste": "soixante"}, "taux_horaire__analyste", "un nombre"),
        ({"coefficients_usage__etudes": "0"}, "coefficients_usage__etudes", "strictement positif"),
        ({"minimum_perception": "60,001"}, "minimum_perception", "au centime près"),
        ({"tva__taux": "20"}, "tva__taux", "taux entre 0 et 1"),
        ({"validite_devis_jours": "9,5"}, "validite_devis_jours", "nombre entier"),
        ({"facturation__delai_paiement_jours": "90"}, "facturation__delai_paiement_jours", "60"),
        ({"version": ""}, "version", "Saisissez le nom"),
        ({"en_vigueur_du": "2020-01-01"}, "en_vigueur_du", "rétroactif"),
        ({"en_vigueur_du": "demain"}, "en_vigueur_du", "date d’entrée en vigueur"),
        ({"exemple_indicateurs": "0"}, "exemple_indicateurs", "au moins 1"),
    ],
)
@pytest.mark.parametrize("step", ["apercu", "publier"])
def test_invalid_values_are_refused_beside_their_field_and_nothing_is_published(
    sqlite_app: Flask, caf13: Browser, changes: dict[str, str], field: str, message: str, step: str
) -> None:
    data = new_version(caf13, **changes)

    refused = post(caf13, NEW, {**data, "etape": [step]}, NEW)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    beside = re.search(rf'<p class="champ__erreur" id="{field}-erreur">(.*?)</p>', html, re.S)
    assert beside and message in beside.group(1), html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert published(sqlite_app) == []


def test_a_version_must_start_after_the_latest_one(sqlite_app: Flask, caf13: Browser) -> None:
    later = (date.today() + timedelta(days=60)).isoformat()
    first = new_version(caf13, version="2027.1", en_vigueur_du=later)
    assert post(caf13, NEW, {**first, "etape": ["publier"]}, NEW).status_code == 303

    earlier = new_version(caf13, version="2027.2", en_vigueur_du=date.today().isoformat())
    refused = post(caf13, NEW, earlier, NEW)

    assert refused.status_code == 409 and "doit entrer en vigueur après le" in text_of(refused)
    assert published(sqlite_app) == ["2027.1"]


def test_a_national_administrator_publishes_for_any_caf(sqlite_app: Flask, cnaf: Browser) -> None:
    path = "/administration/tarifs/33/nouvelle-version"
    data = new_version(cnaf, "33", version="2027.1")
    done = post(cnaf, path, {**data, "etape": ["publier"]}, path)
    assert done.status_code == 303 and published(sqlite_app, "33") == ["2027.1"]


GET_ROUTES = ["/administration/tarifs/13", NEW, "/administration/tarifs?caf=13"]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_another_cafs_administrator_is_refused_its_pages(caf33: Browser, path: str) -> None:
    refused = caf33.get(path)
    if path.endswith("caf=13"):  # a Caf administrator's landing is their own Caf
        assert refused.headers["Location"].endswith("/tarifs/33")
        return
    assert refused.status_code == 403
    assert "Caf" in text_of(refused) and "Accès refusé" in text_of(refused)


@pytest.mark.parametrize("step", ["apercu", "publier"])
def test_another_cafs_administrator_cannot_publish(
    sqlite_app: Flask, caf13: Browser, caf33: Browser, step: str
) -> None:
    data = new_version(caf13, version="2027.1")
    token = caf33.token("/administration/tarifs/33/nouvelle-version")
    refused = caf33.client.post(NEW, data={**data, "etape": [step], "csrf_token": token})
    assert refused.status_code == 403 and "Accès refusé" in text_of(refused)
    assert published(sqlite_app) == []


def test_a_requester_person_is_refused(commune13: Browser) -> None:
    page = commune13.get("/administration/tarifs/13")
    assert page.status_code == 403 and "non permise au type" in text_of(page)


def test_an_unknown_caf_is_not_found(cnaf: Browser) -> None:
    assert cnaf.get("/administration/tarifs/ZZ").status_code == 404


def test_the_api_twin_lists_what_the_page_published(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    data = new_version(caf13, version="2027.1")
    post(caf13, NEW, {**data, "etape": ["publier"]}, NEW)
    client: FlaskClient = sqlite_app.test_client()
    listed = client.get(
        "/api/v1/admin/tariffs/13/versions", headers=console_world.headers("admin_13")
    )
    assert [v["version"] for v in listed.json["versions"]] == ["2027.1"]
