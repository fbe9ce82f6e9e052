"""The history screen: the API's own service call, secret years as `s`, its fiche, its files."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from werkzeug.test import TestResponse

from gateway.services.extracts.screens import HISTORY_YEARS
from tests.web.account.conftest import Browser
from tests.web.imaje.conftest import PIED_DE_BORNE, charts_of, table_of, text_of

Api = Callable[..., TestResponse]
FORM = {
    "indicators": "ENF_MOINS_3",
    "level": "commune",
    "code": PIED_DE_BORNE,
    "last_period": "2024",
    "use": "usage_final",
}


def _history(browser: Browser, **changes: Any) -> TestResponse:
    return browser.submit("/imaje/historique", {**FORM, **changes})


def test_a_visitor_is_sent_to_sign_in_first(signed_in: Callable[[str], Browser]) -> None:
    browser = signed_in("service_etat")
    browser.client.post("/compte/deconnexion", data={"csrf_token": browser.token("/compte")})
    response = browser.get("/imaje/historique")
    assert response.status_code == 303
    assert "/compte/connexion?suivant=/imaje/historique" in response.headers["Location"]


def test_the_screens_are_in_the_navigation(signed_in: Callable[[str], Browser]) -> None:
    response = signed_in("service_etat").get("/imaje")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<a class="navigation__lien" href="/imaje" aria-current="page">Écrans IMAJE</a>' in body
    assert 'href="/imaje/historique"' in body and 'href="/imaje/comparaison"' in body


def test_the_form_starts_on_the_requesters_own_territory(
    signed_in: Callable[[str], Browser],
) -> None:
    body = signed_in("commune").get("/imaje/historique").get_data(as_text=True)
    assert re.search(r'id="level" name="level" value="commune" checked', body)
    assert 'name="code" type="text" value="13005"' in body
    assert re.search(r'value="ENF_MOINS_3" checked', body)
    assert 'name="csrf_token"' in body


def test_the_page_shows_what_the_api_answers(signed_in: Callable[[str], Browser], api: Api) -> None:
    response = _history(signed_in("service_etat"))
    assert response.status_code == 200, text_of(response)[:800]
    shown = table_of(response)
    body = {"indicator": "ENF_MOINS_3", "level": "commune", "code": PIED_DE_BORNE}
    answer = api("/api/v1/imaje/history", {**body, "use": "usage_final"}, "service_etat")
    (line,) = answer.json["series"]
    assert len(line["points"]) == len(shown) == HISTORY_YEARS
    for point in line["points"]:
        text = shown[(PIED_DE_BORNE, str(point["periode"]))]
        if point["statut"] == "s":
            assert text == "s"
        else:
            assert text.replace("\u202f", "").replace("\xa0", "") == str(point["valeur"])
    assert any(p["statut"] == "s" for p in line["points"])  # the test store protects some


def test_a_secret_year_is_s_with_its_meaning_never_zero_nor_a_gap(
    signed_in: Callable[[str], Browser],
) -> None:
    response = _history(signed_in("service_etat"))
    body = response.get_data(as_text=True)
    secret = [year for (_, year), text in table_of(response).items() if text == "s"]
    assert secret and '<abbr title="secret statistique">s</abbr>' in body
    assert "<dt>s</dt>" in body and "secret statistique : la valeur est masquée" in body
    assert "couvertes par le secret statistique" in text_of(response)
    (chart,) = charts_of(response)
    assert chart["type"] == "lignes" and chart["annees"] == [str(y) for y in range(2019, 2025)]
    (serie,) = chart["series"]
    for year, value, symbol in zip(
        chart["annees"], serie["valeurs"], serie["symboles"], strict=True
    ):
        assert (symbol == "s") == (year in secret)
        assert (value is None) == (symbol == "s")  # never 0: no value, and drawn as "s"
    assert "en pointillés" in text_of(response)


def test_the_interpretation_and_the_fiche_are_always_shown(
    signed_in: Callable[[str], Browser],
) -> None:
    page = text_of(_history(signed_in("service_etat")))
    assert "Interprétation et limites" in page
    assert "Comme dénominateur des taux de couverture" in page  # ENF_MOINS_3's fiche
    body = _history(signed_in("service_etat")).get_data(as_text=True)
    assert 'href="/catalogue/ENF_MOINS_3"' in body


def test_several_indicators_of_one_axis_one_chart_per_unit(
    signed_in: Callable[[str], Browser],
) -> None:
    offre = ["ASSMAT_ACTIVES", "PLACES_ASSMAT", "PLACES_EAJE"]
    response = _history(signed_in("service_etat"), indicators=offre, level="departement", code="48")
    assert response.status_code == 200, text_of(response)[:800]
    assert {code for code, _ in table_of(response)} == {"48"}
    rows = re.findall(
        r'<th scope="row">(.*?) <span class="code">(\w+)</span>', response.get_data(as_text=True)
    )
    assert [code for _, code in rows] == offre
    charts = charts_of(response)
    assert [c["unite"] for c in charts] == ["assistantes maternelles", "places"]
    assert [s["nom"] for s in charts[1]["series"]] == [
        "Places d’accueil auprès des assistantes maternelles",
        "Places en établissement d’accueil du jeune enfant",
    ]
    assert text_of(response).count("Interprétation et limites") >= len(offre)


def test_indicators_of_two_axes_are_refused_beside_the_field(
    signed_in: Callable[[str], Browser],
) -> None:
    response = _history(signed_in("service_etat"), indicators=["ENF_MOINS_3", "PLACES_EAJE"])
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert '<a href="#indicators">Choisissez un indicateur, ou plusieurs d' in body
    assert 'id="indicators-erreur"' in body


def test_each_wrong_field_is_said_beside_it(signed_in: Callable[[str], Browser]) -> None:
    browser = signed_in("service_etat")
    response = _history(browser, indicators=[], code="99999", last_period="1900", use="x")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for field in ("indicators", "code", "last_period", "use"):
        assert f'<a href="#{field}">' in body, field
    assert "ne porte le code « 99999 »" in text_of(response)
    assert 'id="code-erreur"' in body and 'aria-invalid="true"' in body


def test_a_custom_zone_is_a_territory(signed_in: Callable[[str], Browser], api: Api) -> None:
    zone = {"name": "Vallée de l'Huveaune", "communes": ["13005", "13070", "13007"]}
    created = api("/api/v1/zones", zone, "epci")
    assert created.status_code == 201, created.json
    browser = signed_in("epci")
    form = browser.get("/imaje/historique").get_data(as_text=True)
    assert f'<option value="{created.json["id"]}">Vallée de l&#39;Huveaune</option>' in form
    response = _history(browser, level="zone", zone=str(created.json["id"]), use="etudes")
    # The EPCI's convention prices each extract: the zone's screen is quoted, never refused.
    assert response.status_code == 402, text_of(response)[:800]
    assert "devis n°" in text_of(response)


def test_the_table_downloads_as_csv_and_xlsx(signed_in: Callable[[str], Browser]) -> None:
    browser = signed_in("service_etat")
    response = _history(browser)
    shown = table_of(response)
    links = dict(
        re.findall(
            r'<a href="(/imaje/extraits/[^"]+)" data-format="([\w-]+)"',
            response.get_data(as_text=True),
        )
    )
    by_format = {fmt: url for url, fmt in links.items()}
    assert set(by_format) == {"csv", "csv-fr", "xlsx"}
    csv_file = browser.get(by_format["csv"])
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert "attachment" in csv_file.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_file.get_data(as_text=True))))
    assert {(r["code_territoire"], r["periode"]) for r in rows} == set(shown)
    for row in rows:  # the file says what the page shows
        assert (shown[(row["code_territoire"], row["periode"])] == "s") == (row["statut"] == "s")
        if row["statut"] == "s":
            assert row["valeur"] == ""
    xlsx = browser.get(by_format["xlsx"])
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert browser.get(by_format["csv"].replace("/csv", "/pdf")).status_code == 404
    # Another organisation cannot read this screen's table.
    assert signed_in("conseil_departemental").get(by_format["csv"]).status_code == 404


def test_the_data_twin_is_the_api_call_of_the_same_screen(
    signed_in: Callable[[str], Browser], api: Api
) -> None:
    response = _history(signed_in("service_etat"))
    page = text_of(response)
    assert "curl -sS -X POST" in page and "/api/v1/imaje/history" in page
    body = re.search(r"-d '(\{.*?\})'", page)
    assert body is not None

    sent = json.loads(body.group(1))
    assert sent == {
        "indicator": "ENF_MOINS_3",
        "level": "commune",
        "code": PIED_DE_BORNE,
        "last_period": 2024,
        "use": "usage_final",
    }
    again = api("/api/v1/imaje/history", sent, "service_etat")
    assert again.status_code == 200
    extract = re.search(r"Extrait n° (\w+)", page)
    assert extract is not None and extract.group(1) in page
    assert f"/api/v1/extracts/{extract.group(1)}/download?format=csv" in page


def test_the_page_prints_its_charts_as_images(signed_in: Callable[[str], Browser]) -> None:
    body = _history(signed_in("service_etat")).get_data(as_text=True)
    assert '<script src="/assets/imaje.js" defer></script>' in body
    assert 'class="graphique__image"' in body and 'data-graphique-imaje="graphique-imaje-1"' in body
    assert 'role="img"' in body
