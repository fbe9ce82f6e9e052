"""The console's organisations: the Caf's listing, creation within the Caf, details and changes."""

from __future__ import annotations

from flask import Flask

from gateway.services.requesters.overview import caf_territories
from gateway.services.requesters.registry import create_requester
from gateway.services.requesters.territory import home_departement
from policies.domain import GeoLevel
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.organisation_support import changes, invited, key, state

NEW = "/administration/organisations/nouvelle"


def _form(**fields: str) -> dict[str, str]:
    return {
        "name": "Commune de Cassis",
        "type": "commune",
        "territory_level": "commune",
        "territory_code": "13022",
        "contact_name": "Léa Roux",
        "contact_email": "lea.roux@cassis.fr",
        **fields,
    }


def test_the_listing_shows_the_caf_organisations_with_their_people_and_keys(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = console_world.id("commune_13")
    console_world.id("cd_13"), console_world.id("commune_33")
    invited(sqlite_app, aubagne, "sam@aubagne.fr")
    key(sqlite_app, aubagne)

    page = caf13.get("/administration/organisations")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    shown = text_of(page)
    # People: the one invited; live keys: the World's and the one added.
    assert "Commune d'Aubagne Commune Aubagne (13005) Active 1 2" in shown
    assert (
        "Conseil départemental 13 Conseil départemental Bouches-du-Rhône (13) Active 0 1" in shown
    )
    assert "Caf 13 (admin) Administrateur de Caf" in shown
    assert "Mérignac" not in shown
    assert "Nouvelle organisation" in shown
    assert "curl -sS 'http://localhost/api/v1/admin/requesters'" in shown


def test_the_listing_searches_by_name(console_world: World, caf13: Browser) -> None:
    console_world.id("commune_13"), console_world.id("cd_13")

    shown = text_of(caf13.get("/administration/organisations?q=aubagne"))

    assert "Commune d'Aubagne" in shown and "Conseil départemental 13" not in shown
    assert "Organisations (1) dont le nom contient « aubagne »" in shown


def test_a_national_administrator_sees_every_caf_and_filters_by_one(
    console_world: World, cnaf: Browser
) -> None:
    console_world.id("commune_13"), console_world.id("commune_33")

    every = text_of(cnaf.get("/administration/organisations"))
    one = text_of(cnaf.get("/administration/organisations?caf=33"))

    assert "Commune d'Aubagne" in every and "Commune de Mérignac" in every
    assert "Commune de Mérignac" in one and "Aubagne" not in one


def test_a_caf_administrator_creates_an_organisation_of_its_territory(
    sqlite_app: Flask, caf13: Browser
) -> None:
    done = caf13.submit(NEW, _form())

    assert done.status_code == 303
    page = caf13.get(done.headers["Location"])
    shown = text_of(page)
    assert "L’organisation « Commune de Cassis » est créée." in shown
    assert "Cassis (commune 13022)" in shown and "Caf des Bouches-du-Rhône" in shown
    created = changes(sqlite_app, "requester")[-1]
    assert created["action"] == "requester_create" and created["caf_code"] == "13"
    assert created["before"] is None
    assert created["after"]["name"] == "Commune de Cassis"
    assert created["after"]["contact_email"] == "lea.roux@cassis.fr"


def test_bad_input_is_shown_beside_each_field_and_nothing_is_written(
    sqlite_app: Flask, caf13: Browser
) -> None:
    before = state(sqlite_app)

    page = caf13.submit(
        NEW, _form(name="", type="", territory_code="", contact_email="pas-une-adresse")
    )

    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="name-erreur"' in html and 'href="#name"' in html
    shown = text_of(page)
    assert "Saisissez le nom de l’organisation." in shown
    assert "Choisissez le type de l’organisation." in shown
    assert "Saisissez le code du territoire" in shown
    assert "Saisissez une adresse électronique valide" in shown
    assert state(sqlite_app) == before


def test_an_unknown_territory_is_refused_beside_its_field(
    sqlite_app: Flask, caf13: Browser
) -> None:
    before = state(sqlite_app)

    page = caf13.submit(NEW, _form(territory_code="99999"))

    assert page.status_code == 422
    assert "Territoire commune 99999 inconnu." in text_of(page)
    assert state(sqlite_app) == before


def test_a_territory_of_another_caf_is_refused_with_whom_to_ask(
    sqlite_app: Flask, caf13: Browser
) -> None:
    before = state(sqlite_app)

    page = caf13.submit(NEW, _form(name="Commune de Pessac", territory_code="33318"))

    assert page.status_code == 403
    shown = text_of(page)
    assert "hors du territoire de la Caf des Bouches-du-Rhône" in shown
    assert "seul un administrateur national (Cnaf), ou la Caf de ce territoire" in shown
    assert 'id="territory_code-erreur"' in page.get_data(as_text=True)
    assert state(sqlite_app) == before


def test_a_national_administrator_creates_in_the_caf_it_chooses(
    sqlite_app: Flask, cnaf: Browser
) -> None:
    missing = cnaf.submit(NEW, _form(name="Commune de Pessac", territory_code="33318"))
    done = cnaf.submit(NEW, _form(name="Commune de Pessac", territory_code="33318", caf_code="33"))

    assert missing.status_code == 422
    assert "Choisissez la Caf de rattachement." in text_of(missing)
    assert done.status_code == 303
    assert changes(sqlite_app, "requester")[-1]["after"]["caf_code"] == "33"


def test_the_territory_search_offers_only_the_caf_territories(caf13: Browser) -> None:
    short = text_of(caf13.get(NEW))
    cassis = caf13.get(f"{NEW}?q=cassis")
    elsewhere = text_of(caf13.get(f"{NEW}?q=merignac"))

    assert "Bouches-du-Rhône Département 13" in short
    assert "Métropole d'Aix-Marseille-Provence" in short
    assert "Cassis Commune 13022" in text_of(cassis)
    assert "territory_level=commune&amp;territory_code=13022" in cassis.get_data(as_text=True)
    assert "Aucun territoire de votre Caf ne correspond à « merignac »." in elsewhere


def test_a_chosen_territory_fills_the_form(caf13: Browser) -> None:
    page = caf13.get(f"{NEW}?territory_level=commune&territory_code=13022")

    html = page.get_data(as_text=True)
    assert 'name="territory_code" type="text" value="13022"' in html
    assert '<option value="commune" selected>' in html


def test_the_organisation_page_shows_details_people_and_keys(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = console_world.id("commune_13")
    invited(sqlite_app, aubagne, "sam@aubagne.fr")
    prefix = key(sqlite_app, aubagne, "Tableau de bord")

    page = caf13.get(f"/administration/organisations/{aubagne}")

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    shown = text_of(page)
    assert "Commune d'Aubagne" in shown and "Aubagne (commune 13005)" in shown
    assert "Sam Durand sam@aubagne.fr Lecteur" in shown and "Invitée" in shown
    assert "Renvoyer l’invitation" in shown
    assert f"{prefix} Tableau de bord" in shown and "jamais" in shown
    assert "Créer une clé" in shown and "Inviter une personne" in shown


def test_editing_the_name_and_contact_is_logged_with_before_and_after(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = console_world.id("commune_13")
    path = f"/administration/organisations/{aubagne}"

    done = caf13.submit(
        path, {"name": "Ville d'Aubagne", "contact_name": "", "contact_email": "Mairie@Aubagne.fr"}
    )

    assert done.status_code == 303
    assert "Ville d'Aubagne" in text_of(caf13.get(path))
    changed = changes(sqlite_app, "requester")[-1]
    assert changed["action"] == "requester_update"
    assert changed["before"]["name"] == "Commune d'Aubagne"
    assert changed["after"]["name"] == "Ville d'Aubagne"
    assert changed["after"]["contact_email"] == "mairie@aubagne.fr"


def test_a_bad_edit_is_shown_beside_its_field(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    path = f"/administration/organisations/{console_world.id('commune_13')}"
    before = state(sqlite_app)

    page = caf13.submit(path, {"name": " ", "contact_name": "", "contact_email": ""})

    assert page.status_code == 422
    assert 'id="name-erreur"' in page.get_data(as_text=True)
    assert "Saisissez le nom de l’organisation." in text_of(page)
    assert state(sqlite_app) == before


def test_deactivating_asks_first_then_is_logged_and_can_be_undone(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    path = f"/administration/organisations/{console_world.id('commune_13')}"

    question = caf13.get(f"{path}/desactivation")
    done = caf13.submit(f"{path}/desactivation", {})

    assert "Désactiver l’organisation « Commune d'Aubagne » ?" in text_of(question)
    assert done.status_code == 303
    assert "Désactivée" in text_of(caf13.get(path))
    changed = changes(sqlite_app, "requester")[-1]
    assert changed["before"]["active"] is True and changed["after"]["active"] is False
    assert caf13.submit(f"{path}/reactivation", {}, form_at=path).status_code == 303
    assert changes(sqlite_app, "requester")[-1]["after"]["active"] is True


def test_an_epci_belongs_to_the_caf_where_most_of_its_people_live(sqlite_app: Flask) -> None:
    """The territory list's one query agrees with the confinement's rule (`home_departement`)."""
    straddling = "243301371"  # communes in Gironde (most people) and in Dordogne
    with sqlite_app.app_context(), get_database().transaction() as session:
        gironde = [t.code for t in caf_territories(session, "33") if t.level == "epci"]
        dordogne = [t.code for t in caf_territories(session, "24") if t.level == "epci"]
        rule = home_departement(session, GeoLevel.EPCI, straddling)
    assert rule == "33" and straddling in gironde and straddling not in dordogne


def test_the_listing_is_paginated(sqlite_app: Flask, caf13: Browser) -> None:
    with sqlite_app.app_context(), get_database().transaction() as session:
        for n in range(1, 22):
            fields = {"name": f"Bureau d'études {n:02d}", "type": "cabinet_prive", "caf_code": "13"}
            create_requester(session, None, fields)

    first = text_of(caf13.get("/administration/organisations?q=bureau"))
    second = text_of(caf13.get("/administration/organisations?q=bureau&page=2"))

    assert "Organisations (21)" in first and "Page 1 sur 2" in first
    assert "Bureau d'études 20" in first and "Bureau d'études 21" not in first
    assert "Bureau d'études 21" in second and "Page précédente" in second


def test_deactivating_ones_own_administration_warns_first(
    console_world: World, caf13: Browser
) -> None:
    own = console_world.id("admin_13")

    shown = text_of(caf13.get(f"/administration/organisations/{own}/desactivation"))

    assert "c’est votre propre organisation d’administration" in shown
    assert "Vous serez déconnecté" in shown
