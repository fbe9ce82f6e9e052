"""The two IMAJE screens in a real browser: a signed-in person, their charts, `s` on them.

The préfecture's demonstration person (a national convention, free) asks a history of a
small Lozère commune with protected years, then the comparison of a protected commune with
its département. Each page passes axe and is saved; with `UPDATE_SCREENSHOTS=1` the two
screens also refresh the README's images (`docs/images/imaje-*.png`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from gateway.config import REPO_ROOT
from tests.browser.accessibility import check_page, screenshot
from tests.support.served import Served

PERSON = "service_etat"
PIED_DE_BORNE, ALBARET = "48015", "48001"
DOCS_IMAGES = REPO_ROOT / "docs" / "images"
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"


def _sign_in(tab: Any, portal: Served) -> None:
    accounts = json.loads((portal.instance_dir / "demo-accounts.json").read_text("utf-8"))
    tab.goto("/compte/connexion")
    tab.get_by_label("Adresse électronique").fill(accounts[PERSON]["email"])
    tab.get_by_label("Mot de passe").fill(accounts[PERSON]["password"])
    tab.get_by_role("button", name="Se connecter").click()
    tab.wait_for_url(re.compile(r"/compte$"))


def _table(tab: Any) -> dict[tuple[str, str], str]:
    years = tab.locator("#tableau-imaje thead th.nombre").all_inner_texts()
    cells = {}
    for row in tab.locator("#tableau-imaje tbody tr").all():
        code = row.get_attribute("data-code")
        texts = row.locator("td.nombre").all_inner_texts()
        for year, text in zip(years, texts, strict=True):
            cells[(code, year)] = text.strip()
    return cells


def _readme_image(tab: Any, name: str) -> None:
    """Save the screen's results as the README shows them (only when asked to)."""
    if not UPDATE:
        return
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    tab.locator(".imaje-resultats").screenshot(path=str(DOCS_IMAGES / name))


def test_the_history_screen_with_its_chart(tab: Any, portal: Served, vendored: bool) -> None:
    _sign_in(tab, portal)
    tab.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Écrans IMAJE"
    ).click()
    check_page(tab, "imaje-01-accueil")
    tab.get_by_role("link", name="Afficher un historique").click()
    check_page(tab, "imaje-02-historique-formulaire")

    tab.get_by_label("Commune", exact=True).check()
    tab.get_by_label("Code Insee du territoire").fill(PIED_DE_BORNE)
    tab.get_by_role("button", name="Afficher l’historique").click()
    tab.wait_for_selector("#resultats-titre")
    table = _table(tab)
    secret = [year for (_, year), text in table.items() if text == "s"]
    assert len(table) == 6 and secret  # six years, some protected: `s`, never 0
    assert tab.locator(".legende dt", has_text=re.compile(r"^s$")).is_visible()
    assert tab.get_by_role("heading", name="Interprétation et limites").is_visible()
    if vendored:  # the line chart beside the table, each secret year labelled "s" on it
        figure = tab.locator(".graphique:not([hidden])")
        assert figure.locator("svg").count() == 1
        labels = figure.locator("svg text").all_text_contents()
        assert labels.count("s") == len(secret), labels
        assert figure.locator("svg path[stroke-dasharray]").count() >= 1  # dashed around it
    check_page(tab, "imaje-03-historique")
    _readme_image(tab, "imaje-historique.png")

    if vendored:
        with tab.expect_download() as png:
            tab.get_by_role("button", name="Télécharger le graphique (PNG)").click()
        assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with tab.expect_download() as svg:
            tab.get_by_role("button", name="Télécharger le graphique (SVG)").click()
        text = Path(svg.value.path()).read_text(encoding="utf-8")
        assert len(re.findall(r">s</text>", text)) == len(secret)
    with tab.expect_download() as csv_file:
        tab.get_by_role("link", name=re.compile(r"^Télécharger le tableau en CSV \(sép")).click()
    rows = Path(csv_file.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(table)  # a header, then one row per cell of the table

    tab.emulate_media(media="print")  # the A4 page: the chart as an image, no form
    assert tab.locator(".imaje-demande").is_hidden()
    if vendored:
        image = tab.locator(".graphique__image").first
        assert image.is_visible()
        assert (image.get_attribute("src") or "").startswith("data:image/svg+xml")
    screenshot(tab, "imaje-04-historique-impression")
    tab.emulate_media(media="screen")


def test_the_comparison_screen_with_its_chart(tab: Any, portal: Served, vendored: bool) -> None:
    _sign_in(tab, portal)
    tab.goto("/imaje/comparaison")
    check_page(tab, "imaje-05-comparaison-formulaire")
    tab.get_by_label("Indicateur", exact=True).select_option("ENF_MOINS_3")
    study = tab.get_by_role("group", name="Zone d’étude")
    study.get_by_label("Commune", exact=True).check()
    study.get_by_label("Code Insee du territoire").fill(ALBARET)
    reference = tab.get_by_role("group", name="Zone de référence")
    reference.get_by_label("Département", exact=True).check()
    reference.get_by_label("Code Insee du territoire").fill("48")
    tab.get_by_role("button", name="Comparer les deux zones").click()
    tab.wait_for_selector("#resultats-titre")
    table = _table(tab)
    assert table[(ALBARET, "2024")] == "s" and table[("48", "2024")] not in ("s", "0")
    if vendored:  # the bar chart: the protected commune is an "s" without a bar
        figure = tab.locator(".graphique:not([hidden])")
        assert figure.locator("svg").count() == 1
        assert figure.locator("svg text").all_text_contents().count("s") == 1
    check_page(tab, "imaje-06-comparaison")
    _readme_image(tab, "imaje-comparaison.png")


def test_the_history_form_says_its_errors_beside_the_fields(tab: Any, portal: Served) -> None:
    _sign_in(tab, portal)
    tab.goto("/imaje/historique")
    tab.get_by_label("Commune", exact=True).check()
    tab.get_by_label("Code Insee du territoire").fill("99999")
    tab.get_by_role("button", name="Afficher l’historique").click()
    summary = tab.locator(".resume-erreurs")
    assert "99999" in summary.inner_text()
    # The summary is in the page before portail.js focuses it (after the swap or the load):
    # wait for the focus rather than read it at once (a race that failed once in CI).
    tab.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('resume-erreurs')"
    )
    summary.get_by_role("link").first.click()
    tab.wait_for_function("document.activeElement && document.activeElement.id === 'code'")
    check_page(tab, "imaje-07-historique-erreur")


@pytest.mark.skipif(not UPDATE, reason="UPDATE_SCREENSHOTS=1 régénère les images du README")
def test_the_readme_images_were_saved() -> None:
    for name in ("imaje-historique.png", "imaje-comparaison.png"):
        assert (DOCS_IMAGES / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
