"""Every organisation and access-request page on a Caf 13 object: Caf 33 refused, nothing
changed; the national administrator let through. As on the admin API, by URL."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.organisation_support import access_request, invited, key, state

ORG = "/administration/organisations/{requester}"
PERSON = ORG + "/personnes/{person}"
KEY = ORG + "/cles/{prefix}/revocation"
REQUEST = "/administration/demandes-acces/{request}"

GETS = [
    ORG,
    ORG + "/desactivation",
    PERSON + "/desactivation",
    KEY,
    REQUEST,
]
POSTS = [
    (ORG, {"name": "Autre nom", "contact_name": "", "contact_email": ""}),
    (ORG + "/desactivation", {}),
    (ORG + "/reactivation", {}),
    (ORG + "/personnes", {"email": "intrus@exemple.fr", "name": "Intrus", "role": "lecteur"}),
    (PERSON + "/invitation", {}),
    (PERSON + "/desactivation", {}),
    (PERSON + "/reactivation", {}),
    (ORG + "/cles", {"label": "", "expires_on": ""}),
    (KEY, {}),
    (REQUEST + "/accepter", {}),
    (REQUEST + "/refuser", {"reason": "Motif suffisamment long."}),
]
#: A page of the browser's own that carries the CSRF token.
OWN_FORM = "/administration/organisations/nouvelle"


@pytest.fixture
def caf13_objects(sqlite_app: Flask, console_world: World) -> dict[str, object]:
    """A requester of Caf 13 with a person and a key, and a Caf 13 access request."""
    requester = console_world.id("commune_13")
    return {
        "requester": requester,
        "person": invited(sqlite_app, requester, "sam@aubagne.fr"),
        "prefix": key(sqlite_app, requester),
        "request": access_request(sqlite_app),
    }


@pytest.mark.parametrize("path", GETS)
def test_another_caf_cannot_read(
    caf13_objects: dict[str, object], caf33: Browser, path: str
) -> None:
    refused = caf33.get(path.format(**caf13_objects))

    assert refused.status_code == 403
    shown = text_of(refused)
    assert "Accès refusé" in shown and "Caf" in shown and "Commune d'Aubagne" not in shown


@pytest.mark.parametrize(("path", "form"), POSTS)
def test_another_caf_cannot_change(
    sqlite_app: Flask,
    caf13_objects: dict[str, object],
    caf33: Browser,
    path: str,
    form: dict[str, str],
) -> None:
    before = state(sqlite_app)

    refused = caf33.submit(path.format(**caf13_objects), form, form_at=OWN_FORM)

    assert refused.status_code == 403
    assert "Accès refusé" in text_of(refused)
    assert state(sqlite_app) == before


def test_the_national_administrator_reads_and_changes_every_caf(
    sqlite_app: Flask, caf13_objects: dict[str, object], cnaf: Browser
) -> None:
    """The same URLs, in an order where each change is still possible (accept last)."""
    for path in GETS:
        assert cnaf.get(path.format(**caf13_objects)).status_code == 200, path
    for path, form in [*POSTS[:-2], POSTS[-1]]:
        done = cnaf.submit(path.format(**caf13_objects), form, form_at=OWN_FORM)
        assert done.status_code in (201, 303), path
    other = {**caf13_objects, "request": access_request(sqlite_app, commune="13005")}
    accepted = cnaf.submit(POSTS[-2][0].format(**other), {}, form_at=OWN_FORM)
    assert accepted.status_code == 303


def test_an_unknown_organisation_is_refused_to_a_caf_and_not_found_by_the_cnaf(
    caf13: Browser, cnaf: Browser
) -> None:
    assert caf13.get("/administration/organisations/99999").status_code == 403
    assert cnaf.get("/administration/organisations/99999").status_code == 404
    assert cnaf.get("/administration/demandes-acces/99999").status_code == 404


@pytest.mark.parametrize(
    "path", ["/administration/organisations", "/administration/demandes-acces", OWN_FORM]
)
def test_a_requester_person_is_refused_every_page(commune13: Browser, path: str) -> None:
    page = commune13.get(path)

    assert page.status_code == 403
    assert "non permise au type" in text_of(page)
