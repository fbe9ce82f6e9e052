"""The mandatory clauses: read by every administrator, edited by a national one (a retired
clause after a confirmation), each change in the log with the list before and after."""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.services.conventions.clauses import mandatory_clauses
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.test_tariffs import filled_form, post

PAGE = "/administration/regles/clauses"


def codes(app: Flask) -> list[str]:
    with app.app_context(), get_database().transaction() as session:
        return [c.code for c in mandatory_clauses(session)]


def test_a_caf_administrator_reads_the_list(caf13: Browser) -> None:
    page = caf13.get(PAGE)
    assert page.status_code == 200 and "<textarea" not in page.get_data(as_text=True)
    assert "Engagements au titre du secret statistique secret_statistique" in text_of(page)


def test_a_national_administrator_adds_a_clause_logged(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    before = codes(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))
    data |= {
        "code_nouveau": ["reutilisation"],
        "libelle_nouveau": ["Réutilisation des données"],
        "description_nouveau": ["Conditions de réutilisation par des tiers."],
    }

    saved = post(cnaf, PAGE, data, PAGE)

    assert saved.status_code == 303
    assert codes(sqlite_app) == [*before, "reutilisation"]
    assert "Réutilisation des données" in text_of(cnaf.get(PAGE))
    changes = sqlite_app.test_client().get(
        "/api/v1/admin/changes?entity=mandatory_clauses",
        headers=console_world.headers("admin_national"),
    )
    (change,) = changes.json["items"]
    assert change["action"] == "clause_update"
    assert [c["code"] for c in change["before"]["clauses"]] == before
    assert change["after"]["clauses"][-1]["libelle"] == "Réutilisation des données"


def test_retiring_a_clause_asks_for_confirmation_first(sqlite_app: Flask, cnaf: Browser) -> None:
    before = codes(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))
    index = before.index("citation_source")
    data[f"retirer_{index}"] = ["oui"]

    question = post(cnaf, PAGE, data, PAGE)

    assert question.status_code == 200
    assert "Retirer 1 clause obligatoire ?" in text_of(question)
    assert "Citation de la source" in text_of(question)
    assert codes(sqlite_app) == before  # nothing yet
    confirmed = post(
        cnaf, PAGE, {**filled_form(question.get_data(as_text=True)), "etape": ["confirmer"]}, PAGE
    )
    assert confirmed.status_code == 303
    assert codes(sqlite_app) == [c for c in before if c != "citation_source"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"code_nouveau": ["Mauvais code"], "libelle_nouveau": ["X"]},
            "code_nouveau",
            "minuscules",
        ),
        ({"code_nouveau": ["parties"], "libelle_nouveau": ["X"]}, "code_nouveau", "deux fois"),
        ({"code_nouveau": ["neuve"]}, "libelle_nouveau", "Libellé obligatoire"),
        ({"libelle_0": [""]}, "libelle_0", "Libellé obligatoire"),
    ],
)
def test_an_invalid_list_is_refused_beside_the_field(
    sqlite_app: Flask, cnaf: Browser, changes: dict[str, list[str]], field: str, message: str
) -> None:
    before = codes(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))

    refused = post(cnaf, PAGE, {**data, **changes}, PAGE)

    assert refused.status_code == 422
    assert f'id="{field}-erreur"' in refused.get_data(as_text=True)
    assert message in text_of(refused)
    assert codes(sqlite_app) == before


@pytest.mark.parametrize("who", ["caf13", "caf33"])
def test_a_caf_administrator_cannot_edit_the_clauses(
    request: pytest.FixtureRequest, sqlite_app: Flask, cnaf: Browser, who: str
) -> None:
    browser: Browser = request.getfixturevalue(who)
    before = codes(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True)) | {"retirer_0": ["oui"]}
    for step in ("", "confirmer"):
        refused = post(browser, PAGE, {**data, "etape": [step]}, "/administration/regles")
        assert refused.status_code == 403
        assert "réservé aux administrateurs nationaux" in text_of(refused)
    assert codes(sqlite_app) == before
