"""An organisation's people and API keys in the console: invited, disabled, issued, revoked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.support.accounts import Outbox, reading_outbox
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.organisation_support import changes, invited, key, state


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    with reading_outbox() as found:
        yield found


@pytest.fixture
def aubagne(console_world: World) -> str:
    """The organisation page of the Commune d'Aubagne (Caf 13)."""
    return f"/administration/organisations/{console_world.id('commune_13')}"


def test_inviting_a_person_sends_the_link_and_is_logged(
    sqlite_app: Flask, aubagne: str, caf13: Browser, outbox: Outbox
) -> None:
    done = caf13.submit(
        f"{aubagne}/personnes",
        {"email": "Sam@Aubagne.fr", "name": "Sam Durand", "role": "gestionnaire"},
        form_at=aubagne,
    )

    assert done.status_code == 303
    shown = text_of(caf13.get(done.headers["Location"]))
    assert "Invitation envoyée à Sam Durand (sam@aubagne.fr)" in shown
    assert "Sam Durand sam@aubagne.fr Gestionnaire" in shown and "Invitée" in shown
    assert "/compte/invitation/" in outbox.last_link("sam@aubagne.fr")
    logged = changes(sqlite_app, "person")[-1]
    assert logged["action"] == "person_invite" and logged["before"] is None
    assert logged["after"]["email"] == "sam@aubagne.fr" and logged["caf_code"] == "13"


def test_a_bad_invitation_is_shown_beside_its_fields(
    sqlite_app: Flask, aubagne: str, caf13: Browser
) -> None:
    before = state(sqlite_app)

    page = caf13.submit(
        f"{aubagne}/personnes", {"email": "sam", "name": "", "role": "lecteur"}, form_at=aubagne
    )

    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="invite-email-erreur"' in html and 'href="#invite-email"' in html
    assert 'id="invite-name-erreur"' in html
    assert "Saisissez une adresse électronique valide" in text_of(page)
    assert "Saisissez le prénom et le nom de la personne." in text_of(page)
    assert state(sqlite_app) == before


def test_an_address_already_taken_is_refused_beside_the_field(
    sqlite_app: Flask, console_world: World, aubagne: str, caf13: Browser
) -> None:
    invited(sqlite_app, console_world.id("cd_13"), "sam@aubagne.fr")
    before = state(sqlite_app)

    page = caf13.submit(
        f"{aubagne}/personnes",
        {"email": "sam@aubagne.fr", "name": "Sam Durand", "role": "lecteur"},
        form_at=aubagne,
    )

    assert page.status_code == 409
    assert 'id="invite-email-erreur"' in page.get_data(as_text=True)
    assert "Un compte existe déjà pour l'adresse sam@aubagne.fr." in text_of(page)
    assert state(sqlite_app) == before


def test_an_invitation_is_sent_again(
    sqlite_app: Flask, console_world: World, aubagne: str, caf13: Browser, outbox: Outbox
) -> None:
    person = invited(sqlite_app, console_world.id("commune_13"), "sam@aubagne.fr")

    done = caf13.submit(f"{aubagne}/personnes/{person}/invitation", {}, form_at=aubagne)

    assert done.status_code == 303
    assert len(outbox.links("sam@aubagne.fr")) == 1
    assert "Invitation envoyée à Sam Durand" in text_of(caf13.get(aubagne))
    assert changes(sqlite_app, "person")[-1]["before"]["status"] == "invite"


def test_disabling_a_person_asks_first_then_is_logged_and_can_be_undone(
    sqlite_app: Flask, console_world: World, aubagne: str, caf13: Browser
) -> None:
    person = invited(sqlite_app, console_world.id("commune_13"), "sam@aubagne.fr")
    path = f"{aubagne}/personnes/{person}"

    question = caf13.get(f"{path}/desactivation")
    done = caf13.submit(f"{path}/desactivation", {})

    assert "Désactiver le compte de Sam Durand ?" in text_of(question)
    assert done.status_code == 303
    assert "Désactivée" in text_of(caf13.get(aubagne))
    logged = changes(sqlite_app, "person")[-1]
    assert logged["action"] == "person_update"
    assert (logged["before"]["status"], logged["after"]["status"]) == ("invite", "desactive")
    assert caf13.submit(f"{path}/reactivation", {}, form_at=aubagne).status_code == 303
    assert changes(sqlite_app, "person")[-1]["after"]["status"] == "invite"


def test_a_new_key_is_shown_once_never_cached_and_logged(
    sqlite_app: Flask, aubagne: str, caf13: Browser
) -> None:
    page = caf13.submit(
        f"{aubagne}/cles", {"label": "Entrepôt", "expires_on": "2099-06-30"}, form_at=aubagne
    )

    assert page.status_code == 201
    assert page.headers["Cache-Control"] == "no-store"
    shown = text_of(page)
    assert "elle ne sera plus jamais affichée" in shown and "valable jusqu’au 30/06/2099" in shown
    plaintext = shown.split("cgw_", 1)[1].split()[0]
    listing = text_of(caf13.get(aubagne))
    assert "Entrepôt" in listing and plaintext not in listing
    logged = changes(sqlite_app, "api_key")[-1]
    assert logged["action"] == "api_key_create" and logged["after"]["label"] == "Entrepôt"
    me = sqlite_app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer cgw_{plaintext}"}
    )
    assert me.status_code == 200


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ("2001-01-01", "Date d'expiration déjà passée."),
        ("31/02/2030", "Saisissez une date valide"),
    ],
)
def test_a_bad_expiry_date_is_shown_beside_its_field(
    sqlite_app: Flask, aubagne: str, caf13: Browser, expires_on: str, message: str
) -> None:
    before = state(sqlite_app)

    page = caf13.submit(f"{aubagne}/cles", {"label": "", "expires_on": expires_on}, form_at=aubagne)

    assert page.status_code == 422
    assert 'id="expires_on-erreur"' in page.get_data(as_text=True)
    assert message in text_of(page)
    assert state(sqlite_app) == before


def test_revoking_a_key_asks_first_then_is_logged(
    sqlite_app: Flask, console_world: World, aubagne: str, caf13: Browser
) -> None:
    prefix = key(sqlite_app, console_world.id("commune_13"))
    path = f"{aubagne}/cles/{prefix}/revocation"

    question = caf13.get(path)
    done = caf13.submit(path, {})

    assert f"Révoquer la clé {prefix} de Commune d'Aubagne ?" in text_of(question)
    assert done.status_code == 303
    assert f"{prefix} Tableau de bord" in text_of(caf13.get(aubagne))
    assert "Révoquée" in text_of(caf13.get(aubagne))
    logged = changes(sqlite_app, "api_key")[-1]
    assert logged["action"] == "api_key_revoke"
    assert logged["before"]["revoked_at"] is None and logged["after"]["revoked_at"]
