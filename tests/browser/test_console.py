"""The administration console in a real browser: a Caf's diffusion officer at work.

On the served demonstration instance, the Caf des Bouches-du-Rhône's administrator (a person
of the demonstration, signed in) approves a new commune's access request, invites a second
person of it, creates its convention from the commune template, fills it, uploads the signed
PDF, activates it; the invited person then gets an extract under it in the request builder.
The administrator suspends the convention and the person's next request is refused, naming
the suspension. Then a new tariff version is previewed and published; an audit entry altered
in the database is named by "Vérifier la chaîne" (and the chain is whole again once it is put
back); and another Caf's organisation, asked by its URL, is refused with the reason. Every
page passes axe and is saved; with `UPDATE_SCREENSHOTS=1` the README's images are saved too.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from gateway.config import REPO_ROOT
from tests.browser.accessibility import check_page
from tests.support.served import Served

TIMEOUT = 60
PASSWORD = "Les calanques au petit matin"
DOCS_IMAGES = REPO_ROOT / "docs" / "images"
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"
#: A SIRET whose Luhn key holds (the access request form checks it).
SIRET = "73282932000074"
#: The signed convention, as the administrator scanned it.
SIGNED_PDF = b"%PDF-1.4\n% convention signee par les deux parties\n%%EOF\n"
CASSIS = "13022"


def _readme_image(tab: Any, name: str) -> None:
    if UPDATE:
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(DOCS_IMAGES / name), full_page=False)


def _main(tab: Any) -> str:
    text: str = tab.locator("main").inner_text()
    return text


@pytest.fixture
def admin_tab(browser: Any, portal: Served) -> Iterator[Any]:
    """The Caf des Bouches-du-Rhône's demonstration administrator, signed in."""
    account = json.loads((portal.instance_dir / "demo-accounts.json").read_text("utf-8"))
    context = browser.new_context(base_url=portal.base, locale="fr-FR", accept_downloads=True)
    tab = context.new_page()
    tab.goto("/compte/connexion")
    tab.get_by_label("Adresse électronique").fill(account["admin_caf"]["email"])
    tab.get_by_label("Mot de passe").fill(account["admin_caf"]["password"])
    tab.get_by_role("button", name="Se connecter").click()
    assert tab.locator("h1").inner_text() == "Mon compte"
    yield tab
    context.close()


def _ask_access(tab: Any, organisation: str, contact: str) -> None:
    """A new commune asks for access on the public form."""
    tab.goto("/compte/demande-acces")
    tab.get_by_label("Nom de l’organisation").fill(organisation)
    tab.get_by_label("Numéro SIREN ou SIRET").fill(SIRET)
    tab.get_by_label("Type d’organisation").select_option("commune")
    tab.get_by_label("Caf de votre territoire").select_option("13")
    tab.get_by_label("Niveau du territoire").select_option("commune")
    tab.get_by_label("Code du territoire").fill(CASSIS)
    tab.get_by_label("Usage prévu des données").fill(
        "Diagnostic petite enfance de la commune pour son schéma d’accueil."
    )
    tab.get_by_label("Prénom et nom").fill("Inès Garnier")
    tab.get_by_label("Adresse électronique professionnelle").fill(contact)
    tab.get_by_role("button", name="Envoyer la demande").click()
    assert "demande" in tab.locator("h1").inner_text().lower()


def _approve(tab: Any, organisation: str) -> str:
    """From the worklist, accept the request; return the new organisation's page path."""
    tab.goto("/administration")
    assert tab.locator("h1").inner_text().startswith("À traiter")
    check_page(tab, "console-01-a-traiter")
    _readme_image(tab, "console-a-traiter.png")
    row = tab.get_by_role("row").filter(has_text=organisation)
    row.get_by_role("link", name="Examiner, puis accepter ou refuser").click()
    assert organisation in tab.locator("h1").inner_text()
    check_page(tab, "console-02-demande-acces")
    tab.get_by_role("button", name="Accepter la demande").click()
    assert "Ce que l’acceptation a créé" in _main(tab)
    tab.get_by_role("main").get_by_role("link", name=organisation).first.click()
    assert tab.locator("h1").inner_text() == organisation
    path: str = re.sub(r"^https?://[^/]+", "", tab.url)
    return path


def _invite(tab: Any, email: str) -> None:
    tab.locator("#invite-email").fill(email)
    tab.locator("#invite-name").fill("Hugo Lemaire")
    tab.get_by_role("button", name="Envoyer l’invitation", exact=True).click()
    assert f"Invitation envoyée à Hugo Lemaire ({email})" in _main(tab)
    check_page(tab, "console-03-organisation")


def _convention(tab: Any, organisation: str) -> str:
    """Create the commune's convention from its template, fill, sign, activate it."""
    tab.goto("/administration/conventions/nouvelle")
    check_page(tab, "console-04-nouvelle-convention")
    option = tab.locator("#requester_id option", has_text=organisation)
    tab.get_by_label("Demandeur", exact=True).select_option(option.get_attribute("value"))
    tab.get_by_role("button", name="Créer le brouillon").click()
    assert "brouillon" in tab.locator("h1").inner_text()
    label = tab.locator("h1").inner_text().removeprefix("Convention ").split(" :")[0]
    # Filled as the signed paper says: dates, both signatories, an annual flat fee.
    tab.locator("#start").fill("2024-01-01")
    tab.locator("#end").fill("2099-12-31")
    tab.locator("#sig0_name").fill("Anne Roux")
    tab.locator("#sig0_signed_on").fill("2024-01-10")
    tab.locator("#sig1_name").fill("Paul Vidal")
    tab.locator("#sig1_signed_on").fill("2024-01-12")
    tab.get_by_role("radio", name=re.compile("forfait annuel")).check()
    tab.get_by_role("button", name="Enregistrer le brouillon").click()
    tab.locator("#document").set_input_files(
        {"name": "convention-signee.pdf", "mimeType": "application/pdf", "buffer": SIGNED_PDF}
    )
    tab.get_by_role("button", name="Déposer le PDF").click()
    assert re.search(r"SHA-256 : [0-9a-f]{64}", _main(tab))
    check_page(tab, "console-05-convention-brouillon")
    _readme_image(tab, "console-convention.png")
    tab.get_by_role("button", name="Activer la convention").click()
    assert tab.locator("h1").inner_text().endswith(": active"), _main(tab)[:800]
    check_page(tab, "console-06-convention-active")
    return label


def _person_signs_in(browser: Any, portal: Served, email: str) -> Any:
    """The invited person opens the link, chooses a password: signed in."""
    context = browser.new_context(base_url=portal.base, locale="fr-FR")
    tab = context.new_page()
    tab.goto(portal.link_sent_to(email))
    tab.get_by_label("Nouveau mot de passe").fill(PASSWORD)
    tab.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    tab.get_by_role("button", name="Ouvrir mon compte").click()
    assert tab.locator("h1").inner_text() == "Mon compte"
    return tab


def _preview(tab: Any, text: str) -> str:
    """The builder's preview once it says `text` (htmx swaps it; else the page's button)."""
    try:
        tab.wait_for_function(
            "t => document.querySelector('#apercu-contenu').innerText.includes(t)",
            arg=text,
            timeout=10_000,
        )
    except Exception:
        tab.get_by_role("button", name="Mettre à jour l’aperçu").click()
    found: str = tab.locator("#apercu-contenu").inner_text()
    assert text in found, found
    return found


def _build(tab: Any) -> None:
    tab.goto("/demande")
    tab.get_by_role("checkbox", name=re.compile(r"ENF_MOINS_3$")).check()
    own = tab.get_by_role("radio", name=re.compile(rf"\({CASSIS}\) — votre territoire"))
    assert own.is_checked()


def _gets_data(tab: Any, convention: str) -> None:
    _build(tab)
    assert f"convention {convention}" in _preview(tab, "Autorisée")
    tab.get_by_role("button", name="Vérifier ma demande").click()
    tab.get_by_role("button", name="Envoyer la demande").click()
    assert tab.locator("h1").inner_text() == "Votre extrait"
    tab.wait_for_function("!document.querySelector('[hx-trigger^=\"every\"]')", timeout=30_000)
    assert "Extrait prêt : 100 %" in _main(tab), _main(tab)[:800]
    check_page(tab, "console-07-personne-extrait")


def _suspend(tab: Any, convention_path: str) -> None:
    tab.goto(f"{convention_path}/suspendre")
    tab.get_by_label("Motif de la suspension").fill("Pièce justificative à renouveler")
    check_page(tab, "console-08-suspendre")
    tab.get_by_role("button", name="Oui, suspendre la convention").click()
    assert "suspendue" in tab.locator("h1").inner_text()


def _refused(tab: Any) -> None:
    _build(tab)
    refusal = _preview(tab, "Refusée")
    assert "suspendue" in refusal, refusal
    check_page(tab, "console-09-personne-refus")


def _publish_tariff(tab: Any) -> None:
    tab.goto("/administration/tarifs")
    assert tab.locator("h1").inner_text().startswith("Tarif : ")
    check_page(tab, "console-10-tarif")
    tab.get_by_role("link", name="Préparer une nouvelle version").click()
    first = tab.locator("form input[inputmode='decimal']").first
    first.fill(str(first.input_value()).replace(",", ".").rstrip("0") + "5")
    tab.get_by_role("button", name="Voir l’effet de cette version").click()
    assert tab.locator("h1").inner_text().startswith("Vérifier la version")
    check_page(tab, "console-11-tarif-apercu")
    tab.get_by_role("button", name="Publier").click()
    assert "publiée" in _main(tab), _main(tab)[:800]


def _database(portal: Served) -> sqlite3.Connection:
    return sqlite3.connect(portal.database_url.removeprefix("sqlite:///"))


def _verify_after_alteration(tab: Any, portal: Served) -> None:
    with _database(portal) as db:
        (entry_id, decision) = db.execute(
            "SELECT id, decision FROM audit_entry WHERE caf_code = '13' ORDER BY id LIMIT 1"
        ).fetchone()
        db.execute("UPDATE audit_entry SET decision = 'refuse' WHERE id = ?", (entry_id,))
    try:
        tab.goto("/administration/registre")
        tab.get_by_role("button", name="Vérifier la chaîne").click()
        found = _main(tab)
        assert f"première entrée altérée n° {entry_id}" in found, found[:1200]
        check_page(tab, "console-12-chaine-alteree")
    finally:
        with _database(portal) as db:
            db.execute("UPDATE audit_entry SET decision = ? WHERE id = ?", (decision, entry_id))
    tab.goto("/administration/registre")
    tab.get_by_role("button", name="Vérifier la chaîne").click()
    assert "Chaîne intègre" in _main(tab)


def _other_caf_by_url(tab: Any, portal: Served) -> None:
    """A Caf 33 organisation, made by the national administrator, asked by its URL."""
    made = requests.post(
        portal.url("/api/v1/admin/requesters"),
        json={
            "name": f"Commune de Mérignac {uuid.uuid4().hex[:4]}",
            "type": "commune",
            "caf_code": "33",
            "territory_level": "commune",
            "territory_code": "33281",
        },
        headers=portal.headers("admin_national"),
        timeout=TIMEOUT,
    )
    assert made.status_code == 201, made.text
    answer = tab.goto(f"/administration/organisations/{made.json()['id']}")
    assert answer is not None and answer.status == 403
    assert "Caf de la Gironde" in _main(tab) or "Gironde" in _main(tab), _main(tab)[:800]
    check_page(tab, "console-13-autre-caf")


def test_a_caf_administrator_runs_the_diffusion_from_the_console(
    browser: Any, tab: Any, admin_tab: Any, portal: Served
) -> None:
    suffix = uuid.uuid4().hex[:6]
    organisation = "Commune de Cassis"  # one run per served instance (the README's images)
    contact, invited = f"ines.{suffix}@cassis.fr", f"hugo.{suffix}@cassis.fr"

    _ask_access(tab, organisation, contact)
    organisation_path = _approve(admin_tab, organisation)
    _invite(admin_tab, invited)
    convention = _convention(admin_tab, organisation)
    convention_path = re.sub(r"^https?://[^/]+", "", admin_tab.url)

    person = _person_signs_in(browser, portal, invited)
    _gets_data(person, convention)
    _suspend(admin_tab, convention_path)
    _refused(person)
    person.context.close()

    _publish_tariff(admin_tab)
    _verify_after_alteration(admin_tab, portal)
    _other_caf_by_url(admin_tab, portal)
    assert organisation_path.startswith("/administration/organisations/")


@pytest.mark.skipif(not UPDATE, reason="UPDATE_SCREENSHOTS=1 régénère les images du README")
def test_the_console_images_were_saved() -> None:
    for name in ("console-a-traiter.png", "console-convention.png"):
        assert (DOCS_IMAGES / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
