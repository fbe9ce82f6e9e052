"""The socle page: the API's own service call, secret cells as `s`, its data twin, its errors."""

from __future__ import annotations

import csv
import html
import io
import json
import re

from flask.testing import FlaskClient

# Occitanie's départements: Lozère is in the test store, its amounts are protected (NK rule).
OCCITANIE = (
    "/socle?indicator=AAH_MONTANT&level=departement&parent=region:76&periods=2023&periods=2024"
)
API = (
    "/api/v1/socle/AAH_MONTANT?level=departement&parent_level=region&parent_code=76"
    "&periods=2023,2024"
)


def body_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


def table_cells(body: str) -> dict[tuple[str, str], str]:
    """Read the page's table: (territory code, year) -> the text shown."""
    years = re.findall(r'<th scope="col" class="nombre">(\d{4})</th>', body)
    cells = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, re.S):
        code = re.search(r'<span class="code">([^<]+)</span>', row).group(1)
        texts = re.findall(r'<td class="nombre[^"]*"[^>]*>(.*?)</td>', row, re.S)
        for year, text in zip(years, texts, strict=True):
            cells[(code, year)] = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    return cells


def test_the_page_shows_what_the_api_delivers(page: FlaskClient) -> None:
    response = page.get(OCCITANIE)
    assert response.status_code == 200
    shown = table_cells(body_of(response))
    delivered = page.get(API + "&format=json").json["cellules"]
    assert len(shown) == len(delivered) > 0
    for cell in delivered:
        text = shown[(cell["code_territoire"], str(cell["periode"]))]
        if cell["statut"] == "s":
            assert text == "s"
        elif cell["statut"] == "-":
            assert text == "-"
        else:
            assert (
                text.replace("\u202f", "").replace("\xa0", "").replace(",", ".")
                == str(cell["valeur"])
                or float(text.replace("\xa0", "").replace(",", ".")) == cell["valeur"]
            )


def test_a_secret_cell_is_s_with_its_meaning_never_zero(page: FlaskClient) -> None:
    body = body_of(page.get(OCCITANIE))
    shown = table_cells(body)
    assert shown[("48", "2024")] == "s"
    assert '<abbr title="secret statistique">s</abbr>' in body
    assert "<dt>s</dt>" in body
    assert "secret statistique : la valeur est masquée et n’est pas fournie" in body
    assert "couverte" in body and "par le secret statistique" in body


def test_the_chart_has_the_table_beside_it(page: FlaskClient) -> None:
    body = body_of(page.get(OCCITANIE))
    assert 'data-graphique="graphique-donnees"' in body
    assert '<script type="application/json" id="graphique-donnees">' in body
    assert '<table class="tableau" id="tableau-socle">' in body
    data = json.loads(re.search(r'id="graphique-donnees">(.*?)</script>', body, re.S).group(1))
    lozere = data["territoires"].index("Lozère (48)")
    latest = data["series"][-1]
    assert (latest["nom"], latest["symboles"][lozere], latest["valeurs"][lozere]) == (
        "2024",
        "s",
        None,
    )


def test_the_data_twin_links_every_format_and_the_call_to_copy(page: FlaskClient) -> None:
    body = body_of(page.get(OCCITANIE))
    for name in ("csv", "csv-fr", "xlsx", "pdf", "json", "jsonstat"):
        assert f'href="{html.escape(API)}&amp;format={name}"' in body, name
    assert f"curl -sS &#39;http://localhost{html.escape(API)}&amp;format=csv&#39;" in body


def test_the_csv_linked_is_the_table_shown(page: FlaskClient) -> None:
    body = body_of(page.get(OCCITANIE))
    link = html.unescape(re.search(r'href="([^"]+format=csv)"', body).group(1))
    response = page.get(link)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    shown = table_cells(body)
    assert {(r["code_territoire"], r["periode"]) for r in rows} == set(shown)
    lozere = next(r for r in rows if r["code_territoire"] == "48" and r["periode"] == "2024")
    assert lozere["statut"] == "s" and lozere["valeur"] == ""


def test_the_breakdown_is_shown_when_asked(page: FlaskClient) -> None:
    body = body_of(page.get("/socle?indicator=ALLOC_SITFAM&level=departement&codes=13&detail=1"))
    assert '<th scope="col">Situation familiale' in body
    assert "Ensemble" in body
    assert "breakdowns=situation_familiale" in body


def test_a_finer_level_is_refused_with_its_reason_and_remedy(page: FlaskClient) -> None:
    response = page.get("/socle?indicator=ALLOC&level=commune&parent=departement:13")
    assert response.status_code == 403
    body = body_of(response)
    assert "Accès refusé" in body
    assert "plus fin que le niveau autorisé" in body
    assert "Pour obtenir ces données :" in body
    assert "Règle appliquée" in body
    assert "Traceback" not in body


def test_wrong_fields_are_said_beside_each_field(page: FlaskClient) -> None:
    response = page.get("/socle?indicator=ALLOC&level=quartier&parent=nulle-part&periods=1850")
    assert response.status_code == 422
    body = body_of(response)
    for field in ("level", "parent", "periods"):
        assert f'<a href="#{field}">' in body, field
        assert f'id="{field}-erreur"' in body, field
    assert "<title>Erreur : " in body


def test_an_unknown_territory_is_said_beside_the_codes(page: FlaskClient) -> None:
    response = page.get("/socle?indicator=ALLOC&level=departement&codes=99")
    assert response.status_code == 422
    body = body_of(response)
    assert '<a href="#codes">' in body
    assert 'id="codes-erreur"' in body


def test_an_unknown_indicator_is_said_beside_the_indicator(page: FlaskClient) -> None:
    response = page.get("/socle?indicator=NULLE_PART&level=departement")
    assert response.status_code == 422
    assert '<a href="#indicator">' in body_of(response)


def test_the_territory_search_finds_names_and_codes(page: FlaskClient) -> None:
    body = body_of(page.get("/socle?q=48"))
    assert "Lozère" in body
    body = body_of(page.get("/socle?q=occitanie"))
    assert "afficher ses départements" in body
    assert "parent=region:76" in body
