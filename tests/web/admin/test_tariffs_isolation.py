"""Every route of the tariff and rule pages, by URL, for Caf 33's administrator: Caf 13's
tariff is refused (GET and POST), national edits are refused, with the French reason;
national rules are read by every administrator."""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.services.pricing.queries import version_records
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of

#: (method, path, status for caf33, what the refusal says)
ROUTES = [
    ("GET", "/administration/tarifs/13", 403, "Caf des Bouches-du-Rhône"),
    ("GET", "/administration/tarifs/13/nouvelle-version", 403, "Caf des Bouches-du-Rhône"),
    ("POST", "/administration/tarifs/13/nouvelle-version", 403, "Caf des Bouches-du-Rhône"),
    ("GET", "/administration/regles", 200, ""),
    ("POST", "/administration/regles/matrice", 403, "réservé aux administrateurs nationaux"),
    ("GET", "/administration/regles/indicateurs", 200, ""),
    ("GET", "/administration/regles/indicateurs/AL", 200, ""),
    ("POST", "/administration/regles/indicateurs/AL", 403, "réservé aux administrateurs nationaux"),
    ("GET", "/administration/regles/clauses", 200, ""),
    ("POST", "/administration/regles/clauses", 403, "réservé aux administrateurs nationaux"),
]


@pytest.mark.parametrize(("method", "path", "status", "reason"), ROUTES)
def test_caf33_on_caf13_and_national_objects(
    sqlite_app: Flask, caf33: Browser, method: str, path: str, status: int, reason: str
) -> None:
    if method == "GET":
        response = caf33.get(path)
    else:
        token = caf33.token("/administration/regles")
        data = {"csrf_token": token, "etape": "publier", "version": "2099.1"}
        response = caf33.client.post(path, data=data)

    assert response.status_code == status
    if status == 403:
        shown = text_of(response)
        assert "Accès refusé" in shown and reason in shown
    with sqlite_app.app_context(), get_database().transaction() as session:
        assert version_records(session, "13") == []
