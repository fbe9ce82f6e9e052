"""The comparison screen: a study zone and its reference zone, one request, `s` shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.test import TestResponse

from tests.web.account.conftest import Browser
from tests.web.imaje.conftest import ALBARET, charts_of, table_of, text_of

Api = Callable[..., TestResponse]
FORM = {
    "indicator": "ENF_MOINS_3",
    "study_level": "commune",
    "study_code": ALBARET,
    "reference_level": "departement",
    "reference_code": "48",
    "period": "2024",
    "use": "usage_final",
}


def _compare(browser: Browser, **changes: Any) -> TestResponse:
    return browser.submit("/imaje/comparaison", {**FORM, **changes})


def test_the_form_starts_on_the_requesters_commune_and_its_departement(
    signed_in: Callable[[str], Browser],
) -> None:
    body = signed_in("commune").get("/imaje/comparaison").get_data(as_text=True)
    assert 'name="study_code" type="text" value="13005"' in body
    assert 'name="reference_code" type="text" value="13"' in body


def test_a_protected_study_zone_is_s_beside_its_reference(
    signed_in: Callable[[str], Browser], api: Api
) -> None:
    response = _compare(signed_in("service_etat"))
    assert response.status_code == 200, text_of(response)[:800]
    shown = table_of(response)
    assert shown[(ALBARET, "2024")] == "s"
    assert shown[("48", "2024")] not in ("s", "", "0")
    page = text_of(response)
    assert "Zone d’étude Albaret-le-Comtal" in page and "Zone de référence Lozère" in page
    assert "<dt>s</dt>" in response.get_data(as_text=True)
    (chart,) = charts_of(response)
    assert chart["type"] == "barres"
    assert chart["territoires"][0].startswith("Zone d’étude : Albaret-le-Comtal")
    assert chart["series"][0]["symboles"] == ["s", ""]
    assert chart["series"][0]["valeurs"][0] is None  # drawn as "s", never as a zero bar
    body = {
        "indicator": "ENF_MOINS_3",
        "study": {"level": "commune", "codes": [ALBARET]},
        "reference": {"level": "departement", "codes": ["48"]},
        "period": 2024,
        "use": "usage_final",
    }
    answer = api("/api/v1/imaje/comparison", body, "service_etat").json
    by_code = {s["code"]: s["points"][0] for s in answer["series"]}
    assert by_code[ALBARET]["statut"] == "s"
    assert shown[("48", "2024")].replace("\u202f", "").replace("\xa0", "") == str(
        by_code["48"]["valeur"]
    )
    assert "Interprétation et limites" in page and "curl -sS -X POST" in page


def test_the_reference_may_be_france(signed_in: Callable[[str], Browser]) -> None:
    response = _compare(signed_in("service_etat"), reference_level="france", reference_code="")
    assert response.status_code == 200, text_of(response)[:800]
    assert ("FR", "2024") in table_of(response)


def test_a_study_zone_must_be_finer_than_a_region(signed_in: Callable[[str], Browser]) -> None:
    response = _compare(signed_in("service_etat"), study_level="region", study_code="93")
    assert response.status_code == 422
    assert '<a href="#study_level">' in response.get_data(as_text=True)


def test_a_refusal_names_its_rule_and_remedy(signed_in: Callable[[str], Browser]) -> None:
    response = _compare(signed_in("cabinet_prive"), use="etudes")
    assert response.status_code == 403
    page = text_of(response)
    assert "non diffusables au type « cabinet privé »" in page
    assert "Règle appliquée" in page


def test_a_custom_zone_against_its_departement(
    signed_in: Callable[[str], Browser], api: Api
) -> None:
    zone = {"name": "Bassin d'Aubagne", "communes": ["13005", "13070", "13007"]}
    created = api("/api/v1/zones", zone, "service_etat")
    assert created.status_code == 201, created.json
    zone_id = str(created.json["id"])
    browser = signed_in("service_etat")
    response = _compare(
        browser, study_level="zone", study_zone=zone_id, reference_code="13", study_code=""
    )
    assert response.status_code == 200, text_of(response)[:800]
    assert {code for code, _ in table_of(response)} == {zone_id, "13"}
    assert "Zone d’étude Bassin d'Aubagne" in text_of(response)
