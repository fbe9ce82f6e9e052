"""A visitor, without an account, in a real browser: home, catalogue, fiche, socle, download."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import check_page, screenshot

OCCITANIE = "Occitanie (76)"
CSV_LINK = "Télécharger en CSV (séparateur « , », point décimal)"


def test_home_then_catalogue_then_a_fiche(tab: Any) -> None:
    tab.goto("/")
    assert tab.locator("h1").inner_text().startswith("Les statistiques des Caf")
    assert tab.locator("html").get_attribute("lang") == "fr"
    check_page(tab, "01-accueil")

    tab.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Catalogue des indicateurs"
    ).click()
    assert tab.locator("h1").inner_text() == "Catalogue des indicateurs"
    check_page(tab, "02-catalogue")

    tab.get_by_role("link", name="Nombre d’allocataires", exact=True).click()
    assert tab.url.endswith("/catalogue/ALLOC")
    assert tab.get_by_role("heading", name="Interprétation et limites").is_visible()
    check_page(tab, "03-fiche-ALLOC")


def _choose_occitanie(tab: Any, check: bool = True) -> None:
    tab.goto("/socle")
    if check:
        check_page(tab, "04-socle-formulaire")
    tab.get_by_label("Indicateur", exact=True).select_option("AAH_MONTANT")
    tab.get_by_label("Départements").check()
    tab.get_by_label("Compris dans le territoire").select_option(label=OCCITANIE)
    tab.get_by_label("2023").check()
    tab.get_by_role("button", name="Afficher les données").click()
    tab.wait_for_selector("#resultats-titre")


def _table(tab: Any) -> dict[tuple[str, str], str]:
    years = tab.locator("#tableau-socle thead th.nombre").all_inner_texts()
    cells = {}
    for row in tab.locator("#tableau-socle tbody tr").all():
        code = row.locator("th .code").inner_text()
        for year, text in zip(years, row.locator("td").all_inner_texts(), strict=True):
            cells[(code, year)] = text.strip()
    return cells


def test_a_regions_departements_with_a_secret_cell_and_the_csv(tab: Any, vendored: bool) -> None:
    _choose_occitanie(tab)
    assert "indicator=AAH_MONTANT" in tab.url  # the address says the request (htmx or not)
    table = _table(tab)
    assert table[("48", "2024")] == "s"  # Lozère: protected, shown as s, never 0
    assert tab.locator(".legende dt", has_text=re.compile(r"^s$")).is_visible()
    assert "secret statistique" in tab.locator(".legende").inner_text()
    if vendored:  # the chart beside the table (ECharts, SVG renderer)
        assert tab.locator(".graphique:not([hidden]) svg").count() == 1
    check_page(tab, "05-socle-occitanie")

    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=CSV_LINK).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {(r["code_territoire"], r["periode"]) for r in rows} == set(table)
    lozere = next(r for r in rows if (r["code_territoire"], r["periode"]) == ("48", "2024"))
    assert (lozere["statut"], lozere["valeur"]) == ("s", "")
    for row in rows:  # the file says what the page shows
        assert (table[(row["code_territoire"], row["periode"])] == "s") == (row["statut"] == "s")

    command = tab.locator("#commande-api").inner_text()
    assert command.startswith("curl -sS '") and "/api/v1/socle/AAH_MONTANT?" in command


def test_the_chart_exports_as_png_and_svg(tab: Any, vendored: bool) -> None:
    if not vendored:
        pytest.skip("make assets n'a pas copié ECharts : pas de graphique à exporter")
    _choose_occitanie(tab)
    with tab.expect_download() as png:
        tab.get_by_role("button", name="Télécharger le graphique (PNG)").click()
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with tab.expect_download() as svg:
        tab.get_by_role("button", name="Télécharger le graphique (SVG)").click()
    text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert "<svg" in text
    secret = len(tab.locator("#tableau-socle td.secret").all())
    assert len(re.findall(r">s</text>", text)) == secret  # each secret cell drawn as "s"


def test_the_socle_works_without_javascript(tab_without_javascript: Any) -> None:
    tab = tab_without_javascript
    _choose_occitanie(tab, check=False)  # axe itself needs JavaScript: checked above with it
    assert _table(tab)[("48", "2024")] == "s"
    assert tab.locator(".graphique").is_hidden()  # no chart: the table says it all
    assert tab.get_by_role("link", name=CSV_LINK).is_visible()
    screenshot(tab, "06-socle-sans-javascript")


def test_a_departements_communes_are_refused_with_the_remedy(tab: Any) -> None:
    tab.goto("/socle?indicator=ALLOC&level=commune&parent=departement:13")
    refusal = tab.locator(".refus")
    assert "Accès refusé" in refusal.inner_text()
    assert "Pour obtenir ces données" in refusal.inner_text()
    assert tab.evaluate("document.activeElement.classList.contains('refus')")
    check_page(tab, "07-socle-communes-refus")


def test_the_error_summary_leads_to_the_field(tab: Any) -> None:
    tab.goto("/socle?indicator=ALLOC&level=departement&codes=%21%21")
    summary = tab.locator(".resume-erreurs")
    assert tab.evaluate("document.activeElement.classList.contains('resume-erreurs')")
    summary.get_by_role("link").first.click()
    assert tab.evaluate("document.activeElement.id") == "codes"
    check_page(tab, "08-socle-erreur")


def test_an_unknown_page(tab: Any) -> None:
    response = tab.goto("/nulle-part")
    assert response.status == 404
    assert tab.locator("h1").inner_text() == "Page introuvable"
    check_page(tab, "09-page-introuvable")


def test_with_javascript_the_results_come_in_place(tab: Any, vendored: bool) -> None:
    """htmx enhances the plain GET form: no reload, the address updated, focus on the results."""
    if not vendored:
        pytest.skip("make assets n'a pas copié htmx : le formulaire reste un formulaire simple")
    tab.goto("/socle")
    tab.evaluate("window.pageMarker = 'avant'")
    tab.get_by_label("Indicateur", exact=True).select_option("ALLOC")
    tab.get_by_label("Régions").check()
    tab.get_by_role("button", name="Afficher les données").click()
    tab.wait_for_selector("#resultats-titre")
    assert tab.evaluate("window.pageMarker") == "avant"  # the same page: swapped, not reloaded
    assert "indicator=ALLOC" in tab.url and "level=region" in tab.url
    tab.wait_for_function(
        "document.activeElement && document.activeElement.id === 'resultats-titre'"
    )
    check_page(tab, "10-socle-htmx")
