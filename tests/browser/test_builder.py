"""The request builder in a real browser: live count and price, refusal, quote, extract.

The commune of Aubagne's demonstration gestionnaire builds a request for its commune and
watches the preview count the cells and price them as it ticks; chooses its département and
meets the refusal with its remedy; gets the quote, reads its PDF, accepts it and gets the
extract. The conseil départemental's gestionnaire then asks every commune of the
département: the extract runs in the background and its progress bar, polled by htmx,
reaches 100 % without a reload. The gateway is served on its own instance whose extracts
above 1,000 cells run in the background (`arriere_plan_au_dela_de`). Every page passes axe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import check_page, screenshot
from tests.browser.conftest import MISSING
from tests.support.demo_world import low_background_threshold
from tests.support.served import Served, fresh_instance, new_database, serve

BACKGROUND_ABOVE = 1000
CSV_LABEL = "Télécharger en CSV (séparateur « , », point décimal)"


@pytest.fixture(scope="module")
def builder_portal(
    tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path
) -> Iterator[Served]:
    """A fresh demonstration instance, its large extracts in the background, served."""
    if MISSING:
        pytest.skip(MISSING)
    instance_dir = tmp_path_factory.mktemp("demande-servie")
    data = low_background_threshold(instance_dir, BACKGROUND_ABOVE)
    database_url = new_database(instance_dir, None)
    keys = fresh_instance(instance_dir, database_url, demo_store_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GATEWAY_DATA_DIR", str(data))  # read by the served workers only
        with serve(instance_dir, database_url, demo_store_dir, workers=2) as base:
            yield Served(base, instance_dir, database_url, keys)


@pytest.fixture
def page(browser: Any, builder_portal: Served) -> Iterator[Any]:
    context = browser.new_context(
        base_url=builder_portal.base, locale="fr-FR", accept_downloads=True
    )
    yield context.new_page()
    context.close()


def _sign_in(tab: Any, portal: Served, slug: str) -> None:
    account = json.loads((portal.instance_dir / "demo-accounts.json").read_text("utf-8"))[slug]
    tab.goto("/compte/connexion")
    tab.get_by_label("Adresse électronique").fill(account["email"])
    tab.get_by_label("Mot de passe").fill(account["password"])
    tab.get_by_role("button", name="Se connecter").click()
    tab.wait_for_url(re.compile(r"/compte$"))
    tab.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Nouvelle demande"
    ).click()
    assert tab.locator("h1").inner_text() == "Nouvelle demande d’extrait"


def _status_says(tab: Any, text: str) -> str:
    """Wait for the preview's announced summary to say `text` (htmx updates it as one ticks)."""
    tab.wait_for_function(
        "t => document.querySelector('#apercu-statut').innerText.includes(t)",
        arg=text,
        timeout=15_000,
    )
    found: str = tab.locator("#apercu-statut").inner_text()
    return found


def _indicator(tab: Any, code: str) -> Any:
    return tab.get_by_role("checkbox", name=re.compile(rf"{code}$"))


def test_a_commune_builds_its_request_is_refused_elsewhere_then_pays(
    page: Any, builder_portal: Served, vendored: bool
) -> None:
    if not vendored:
        pytest.skip("htmx absent (make assets) : l'aperçu en direct n'est pas testable")
    tab = page
    _sign_in(tab, builder_portal, "commune")
    own = tab.get_by_role("radio", name=re.compile(r"Aubagne \(13005\) — votre territoire"))
    assert own.is_checked()  # the organisation's own territory, chosen beforehand
    check_page(tab, "demande-01-formulaire")

    marker = tab.evaluate("() => (window.sansRechargement = 'oui')")  # no reload from here
    _indicator(tab, "ENF_MOINS_3").check()
    first = _status_says(tab, "1 cellule — autorisée")
    assert "TTC sur devis" in first
    _indicator(tab, "ENF_MOINS_6").check()  # it offers a breakdown: the list appears
    tab.get_by_role("group", name="Années").get_by_role("checkbox", name="2023").check()
    _status_says(tab, "4 cellules — autorisée")
    assert tab.get_by_role("group", name=re.compile("Ventilations")).is_visible()
    preview = tab.locator("#apercu-contenu").inner_text()
    assert "Autorisée par la convention CONV-13-" in preview
    assert "Chiffrage, ligne par ligne" in preview and "Total TTC" in preview
    assert tab.evaluate("() => window.sansRechargement") == marker
    check_page(tab, "demande-02-apercu-prix")

    tab.get_by_role("radio", name="Département : Bouches-du-Rhône (13)").check()
    _status_says(tab, "demande refusée")
    refusal = tab.locator("#apercu-contenu .refus").inner_text()
    assert "Convention requise" in refusal and "Pour obtenir ces données" in refusal
    assert "Règle appliquée" in refusal
    check_page(tab, "demande-03-refus-autre-territoire")

    own.check()
    _status_says(tab, "4 cellules — autorisée")
    tab.get_by_role("button", name="Vérifier ma demande").click()
    assert tab.locator("h1").inner_text() == "Vérifier votre demande"
    assert "Commune : Aubagne (13005)" in tab.locator(".verification").inner_text()
    check_page(tab, "demande-04-verification")

    tab.get_by_role("button", name="Obtenir le devis").click()
    reference = tab.locator("h1").inner_text().removeprefix("Devis ")
    assert re.fullmatch(r"DEV-13-\d{6}", reference)
    assert "Proposé, à accepter" in tab.locator("main").inner_text()
    pdf = tab.request.get(
        tab.get_by_role("link", name=re.compile("Le devis en PDF")).get_attribute("href")
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    check_page(tab, "demande-05-devis")

    tab.get_by_role("button", name="Accepter le devis").click()
    assert "Devis accepté : vous pouvez obtenir l’extrait." in tab.locator("main").inner_text()
    check_page(tab, "demande-06-devis-accepte")

    tab.get_by_role("button", name="Obtenir l’extrait").click()
    assert tab.locator("h1").inner_text() == "Votre extrait"
    status = tab.locator("#statut-extrait")
    assert status.get_attribute("data-statut") == "livre"
    assert "Extrait prêt : 100 %" in status.inner_text()
    assert "Facture : n° 13-" in status.inner_text()
    check_page(tab, "demande-07-extrait")
    with tab.expect_download() as info:
        tab.get_by_role("link", name=CSV_LABEL).click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert {r["periode"] for r in rows} == {"2023", "2024"}
    assert {r["indicateur"] for r in rows} == {"ENF_MOINS_3", "ENF_MOINS_6"}


def test_a_large_extract_runs_in_the_background_with_its_progress_bar(
    page: Any, builder_portal: Served, vendored: bool
) -> None:
    if not vendored:
        pytest.skip("htmx absent (make assets) : la barre ne se met pas à jour d'elle-même")
    tab = page
    _sign_in(tab, builder_portal, "conseil_departemental")
    for code in ("ENF_MOINS_6", "ALLOC_SITFAM", "ENF_COUVERTS"):
        _indicator(tab, code).check()
    tab.get_by_label("Détail").select_option("commune")
    years = tab.get_by_role("group", name="Années")
    for box in years.get_by_role("checkbox").all():
        box.check()
    _status_says(tab, "gratuite")
    for box in (
        tab.get_by_role("group", name=re.compile("Ventilations")).get_by_role("checkbox").all()
    ):
        box.check()
    _status_says(tab, "gratuite")
    assert "En arrière-plan" in tab.locator("#apercu-contenu").inner_text()
    tab.get_by_role("button", name="Vérifier ma demande").click()
    check_page(tab, "demande-08-verification-arriere-plan")

    tab.get_by_role("button", name="Envoyer la demande").click()
    assert tab.locator("h1").inner_text() == "Votre extrait"
    marker = tab.evaluate("() => (window.sansRechargement = 'oui')")
    status = tab.locator("#statut-extrait")
    assert status.get_attribute("data-statut") in ("en_attente", "en_cours")
    assert tab.locator("progress#progression-barre").is_visible()
    assert tab.locator(".suivi").get_attribute("aria-live") == "polite"
    check_page(tab, "demande-09-extrait-en-cours")
    tab.wait_for_function(
        "() => ['livre', 'echec'].includes("
        "document.querySelector('#statut-extrait').dataset.statut)",
        timeout=120_000,
    )
    assert status.get_attribute("data-statut") == "livre", status.inner_text()
    assert tab.locator("progress#progression-barre").get_attribute("value") == "100"
    assert "Extrait prêt : 100 %" in status.inner_text()
    assert tab.evaluate("() => window.sansRechargement") == marker  # updated in place
    assert tab.get_by_role("link", name=CSV_LABEL).is_visible()
    check_page(tab, "demande-10-extrait-arriere-plan-livre")


def test_without_javascript_the_preview_comes_with_its_button(
    browser: Any, builder_portal: Served
) -> None:
    context = browser.new_context(
        base_url=builder_portal.base, locale="fr-FR", java_script_enabled=False
    )
    tab = context.new_page()
    try:
        _sign_in(tab, builder_portal, "commune")
        _indicator(tab, "ENF_MOINS_3").check()
        tab.get_by_role("button", name="Mettre à jour l’aperçu").click()
        assert "1 cellule — autorisée" in tab.locator("#apercu-statut").inner_text()
        assert "Total TTC" in tab.locator("#apercu-contenu").inner_text()
        screenshot(tab, "demande-11-apercu-sans-javascript")
    finally:
        context.close()
