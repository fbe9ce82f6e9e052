"""Access requests in the console: the Caf's listed, one read, accepted or refused (logged)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.support.accounts import Outbox, reading_outbox
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.organisation_support import access_request, changes, state


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    with reading_outbox() as found:
        yield found


def test_the_listing_shows_the_caf_requests_by_status(sqlite_app: Flask, caf13: Browser) -> None:
    access_request(sqlite_app, "13", "Commune de Cassis", "13022")
    access_request(sqlite_app, "33", "Commune de Pessac", "33318")

    waiting = caf13.get("/administration/demandes-acces")
    refused = text_of(caf13.get("/administration/demandes-acces?statut=rejetee"))

    assert waiting.status_code == 200
    shown = text_of(waiting)
    assert "Demandes en attente (1)" in shown and "Commune de Cassis Commune Léa Roux" in shown
    assert "Pessac" not in shown
    assert "Demandes refusées (0)" in refused and "Aucune demande." in refused


def test_a_wrong_status_is_shown_beside_the_filter(caf13: Browser) -> None:
    page = caf13.get("/administration/demandes-acces?statut=perdue")

    assert page.status_code == 422
    assert 'id="statut-erreur"' in page.get_data(as_text=True)


def test_a_national_administrator_lists_every_caf(sqlite_app: Flask, cnaf: Browser) -> None:
    access_request(sqlite_app, "13", "Commune de Cassis", "13022")
    access_request(sqlite_app, "33", "Commune de Pessac", "33318")

    shown = text_of(cnaf.get("/administration/demandes-acces"))

    assert "Cassis" in shown and "Pessac" in shown


def test_a_request_shows_what_the_organisation_asked(sqlite_app: Flask, caf13: Browser) -> None:
    found = access_request(sqlite_app)

    page = caf13.get(f"/administration/demandes-acces/{found}")

    shown = text_of(page)
    assert "Demande d’accès de Commune de Cassis" in shown and "Statut : En attente" in shown
    assert "SIREN ou SIRET 73282932000074" in shown and "Type Commune" in shown
    assert "Territoire Cassis (commune 13022)" in shown
    assert "Diagnostic petite enfance de la commune pour le schéma" in shown
    assert "Léa Roux (lea.roux@13022.exemple.fr)" in shown
    assert "Accepter la demande" in shown and "Refuser la demande" in shown


def test_the_worklist_links_to_the_request(sqlite_app: Flask, caf13: Browser) -> None:
    found = access_request(sqlite_app)

    html = caf13.get("/administration").get_data(as_text=True)

    assert f'href="/administration/demandes-acces/{found}"' in html


def test_accepting_creates_the_organisation_and_invites_the_contact(
    sqlite_app: Flask, caf13: Browser, outbox: Outbox
) -> None:
    path = f"/administration/demandes-acces/{access_request(sqlite_app)}"

    done = caf13.submit(f"{path}/accepter", {}, form_at=path)

    assert done.status_code == 303
    page = caf13.get(done.headers["Location"])
    shown = text_of(page)
    assert "Demande acceptée : l’organisation « Commune de Cassis » a son compte" in shown
    assert "Statut : Acceptée" in shown
    assert "Le compte de Léa Roux (lea.roux@13022.exemple.fr), invité comme gestionnaire" in shown
    created = changes(sqlite_app, "requester")[-1]
    assert created["action"] == "requester_create"
    assert f'href="/administration/organisations/{created["entity_id"]}"' in page.get_data(
        as_text=True
    )
    assert outbox.last_link("lea.roux@13022.exemple.fr")
    decided = changes(sqlite_app, "access_request")[-1]
    assert decided["action"] == "access_request_approve"
    assert (decided["before"]["status"], decided["after"]["status"]) == ("en_attente", "approuvee")
    assert changes(sqlite_app, "person")[-1]["action"] == "person_invite"


def test_accepting_may_join_an_existing_organisation(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = console_world.id("commune_13")
    path = f"/administration/demandes-acces/{access_request(sqlite_app)}"
    assert "Commune d'Aubagne" in text_of(caf13.get(path))

    done = caf13.submit(f"{path}/accepter", {"requester_id": str(aubagne)}, form_at=path)

    assert done.status_code == 303
    decided = changes(sqlite_app, "access_request")[-1]
    assert decided["after"]["requester_id"] == aubagne
    assert "lea.roux@13022.exemple.fr" in text_of(
        caf13.get(f"/administration/organisations/{aubagne}")
    )


def test_refusing_requires_a_reason_beside_its_field(sqlite_app: Flask, caf13: Browser) -> None:
    path = f"/administration/demandes-acces/{access_request(sqlite_app)}"
    before = state(sqlite_app)

    page = caf13.submit(f"{path}/refuser", {"reason": "  "}, form_at=path)

    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="reason-erreur"' in html and 'href="#reason"' in html
    assert "Donnez le motif du refus" in text_of(page)
    assert state(sqlite_app) == before


def test_refusing_tells_the_contact_and_is_logged(
    sqlite_app: Flask, caf13: Browser, outbox: Outbox
) -> None:
    path = f"/administration/demandes-acces/{access_request(sqlite_app)}"

    done = caf13.submit(
        f"{path}/refuser", {"reason": "Territoire couvert par la métropole."}, form_at=path
    )

    assert done.status_code == 303
    shown = text_of(caf13.get(path))
    assert "Statut : Refusée" in shown and "Territoire couvert par la métropole." in shown
    assert "Accepter la demande" not in shown
    assert any("lea.roux@13022.exemple.fr" == getattr(r, "to", None) for r in outbox.records)
    decided = changes(sqlite_app, "access_request")[-1]
    assert decided["action"] == "access_request_reject"
    assert decided["after"]["rejection_reason"] == "Territoire couvert par la métropole."


def test_a_request_decided_already_cannot_be_decided_again(
    sqlite_app: Flask, caf13: Browser
) -> None:
    path = f"/administration/demandes-acces/{access_request(sqlite_app)}"
    caf13.submit(f"{path}/refuser", {"reason": "Hors du champ de la Caf."}, form_at=path)
    before = state(sqlite_app)

    page = caf13.submit(f"{path}/accepter", {}, form_at="/administration/organisations/nouvelle")

    assert page.status_code == 409
    assert "a déjà été traitée" in text_of(page)
    assert state(sqlite_app) == before
