"""My conventions: what they cover in French, their dates and status, this month's quotas."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import Headers, paid_delivery


def test_the_conventions_page_names_the_scope_and_counts_this_months_use(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    before = text_of(commune.get("/espace/conventions"))
    for expected in (
        "Les conventions de Commune d'Aubagne",
        "En vigueur",
        "du 01/01/2025 au 31/12/2027",
        "Diagnostic petite enfance de la commune (CTG)",
        "Usages permis usage final",
        "socle commun, sur convention",
        "le territoire de l’organisation (commune Aubagne (13005))",
        "Niveau géographique le plus fin commune",
        "Périodes 2019, 2020, 2021, 2022, 2023, 2024",
        "au tarif publié de la Caf",
        "Extraits 20 0 20",
        "/api/v1/me/conventions",
    ):
        assert expected in before, expected
    paid_delivery(api, keys["commune"])
    assert "Extraits 20 1 19" in text_of(commune.get("/espace/conventions"))


def test_an_organisation_without_convention_is_told_so(
    api: FlaskClient, keys: dict[str, Headers], sqlite_app: object
) -> None:
    from tests.web.espace.conftest import requester_id, signed_in

    admin = signed_in(sqlite_app, requester_id(api, keys["admin_caf"]), "admin@caf13.fr")  # type: ignore[arg-type]
    assert "n’a pas de convention" in text_of(admin.get("/espace/conventions"))
