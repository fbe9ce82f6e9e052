"""Bad input: every malformed request gets a French problem document, the gate before parsing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import class_registry

from gateway.api.auth import gate
from gateway.api.schemas import Schema
from policies.access import Action
from tests.gateway.pipeline.conftest import demo_headers

PROBLEM = "application/problem+json"
AUBAGNE = {
    "indicators": ["PLACES_EAJE"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2024],
    "use": "usage_final",
}
# marshmallow's and webargs' English wording, which no requester should read.
ENGLISH = re.compile(
    r"Not a valid|Missing data|Length must|Longer than|Shorter than|Must be one of|"
    r"Must be (greater|less)|Invalid (JSON|value|input|type)|Unknown field|may not be null|"
    r"cannot be formatted|does not match"
)


@pytest.fixture
def keys(sqlite_app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    return demo_headers(sqlite_app, tmp_path)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    assert response.mimetype == PROBLEM
    payload: dict[str, Any] = response.json
    assert payload["status"] == status
    assert not ENGLISH.search(response.get_data(as_text=True)), payload
    return payload


def test_json_nested_5000_levels_is_a_400(sqlite_client: FlaskClient, keys: dict) -> None:
    body = "[" * 5000 + "]" * 5000
    response = sqlite_client.post(
        "/api/v1/extracts", data=body, content_type="application/json", headers=keys["commune"]
    )
    assert "imbriqué" in _problem(response, 400)["detail"]


def test_json_nested_deeper_than_any_request_is_a_400(
    sqlite_client: FlaskClient, keys: dict
) -> None:
    nested: Any = 1
    for _ in range(100):  # parseable, but deeper than any request the API describes
        nested = {"a": nested}
    response = sqlite_client.post(
        "/api/v1/extracts", json={**AUBAGNE, "x": nested}, headers=keys["commune"]
    )
    assert _problem(response, 400)["code"] == "json_invalide"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"indicators": ["PLACES_EAJE"]}', "text/plain"),
        ("indicators=PLACES_EAJE", "application/x-www-form-urlencoded"),
        ('{"indicators": ["PLACES_EAJE"]}', None),
    ],
)
def test_a_body_that_is_not_json_is_a_415(
    sqlite_client: FlaskClient, keys: dict, data: str, content_type: str | None
) -> None:
    response = sqlite_client.post(
        "/api/v1/extracts", data=data, content_type=content_type, headers=keys["commune"]
    )
    payload = _problem(response, 415)
    assert payload["title"] == "Type de contenu non pris en charge"
    assert "JSON" in payload["detail"]


def test_a_form_post_is_a_415(sqlite_client: FlaskClient, keys: dict) -> None:
    response = sqlite_client.post(
        "/api/v1/zones", data={"name": "x", "communes": "13005"}, headers=keys["commune"]
    )
    _problem(response, 415)


def test_malformed_json_is_a_french_400(sqlite_client: FlaskClient, keys: dict) -> None:
    response = sqlite_client.post(
        "/api/v1/extracts",
        data='{"indicators": ',
        content_type="application/json",
        headers=keys["commune"],
    )
    payload = _problem(response, 400)
    assert payload["detail"].startswith("Le corps de la requête n'est pas du JSON valide")


def test_json_not_in_utf8_is_a_french_400(sqlite_client: FlaskClient, keys: dict) -> None:
    response = sqlite_client.post(
        "/api/v1/extracts",
        data='{"indicators": ["PLACES_EAJE"]}'.encode("utf-16"),
        content_type="application/json",
        headers=keys["commune"],
    )
    assert _problem(response, 400)["detail"] == "Le corps de la requête n'est pas encodé en UTF-8."


def test_long_strings_are_refused_in_french(sqlite_client: FlaskClient, keys: dict) -> None:
    response = sqlite_client.post(
        "/api/v1/zones", json={"name": "x" * 5000, "communes": ["13005"]}, headers=keys["commune"]
    )
    assert _problem(response, 422)["errors"]["name"] == ["Entre 1 et 200 caractères."]


def test_a_query_list_of_integers_is_refused_in_french(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/api/v1/socle/ALLOC?level=departement&codes=13&periods=abc")
    assert _problem(response, 422)["errors"]["periods"] == {"0": ["Nombre entier attendu."]}


def test_a_bad_email_is_refused_in_french(sqlite_client: FlaskClient, keys: dict) -> None:
    response = sqlite_client.post(
        "/api/v1/admin/requesters",
        json={"name": "Mairie", "type": "commune", "contact_email": "pas-une-adresse"},
        headers=keys["admin_caf"],
    )
    assert _problem(response, 422)["errors"]["contact_email"] == ["Adresse électronique invalide."]


def test_a_url_too_long_is_a_414_problem(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/api/v1/territories?q=" + "x" * 20_000)
    assert _problem(response, 414)["code"] == "adresse_trop_longue"


# --- The gate runs before parsing, on every route --------------------------------------------


def _operations(client: FlaskClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.get("/api/v1/openapi.json").json
    return [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _concrete(path: str) -> str:
    """Fill the path's parameters with values that exist nowhere (the gate answers first)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_answers_anonymous_invalid_bodies_with_401(sqlite_client: FlaskClient) -> None:
    """Anonymous, with a body and a query no schema accepts: 401 on every keyed route."""
    wrong = []
    for method, path, operation in _operations(sqlite_client):
        response = sqlite_client.open(
            _concrete(path) + "?page=zero&level=nulle-part",
            method=method,
            json={"champ_inconnu": ["x"] * 3, "indicators": 12},
        )
        keyed = operation.get("security", []) != []
        if keyed and response.status_code != 401:
            wrong.append((method, path, response.status_code))
        if not keyed and (response.status_code == 401 or response.status_code >= 500):
            wrong.append((method, path, response.status_code))
        if response.status_code >= 400:
            assert response.mimetype == PROBLEM, (method, path)
    assert wrong == []


def test_a_requester_on_an_admin_route_gets_403_before_its_body_is_read(
    sqlite_client: FlaskClient, keys: dict
) -> None:
    refused = []
    for method, path, _ in _operations(sqlite_client):
        if path.startswith("/api/v1/admin/") and method != "GET":
            response = sqlite_client.open(
                _concrete(path), method=method, json={"champ_inconnu": 1}, headers=keys["commune"]
            )
            refused.append((method, path, response.status_code))
    assert refused and all(status == 403 for _, _, status in refused), refused


def test_an_admin_of_another_caf_is_refused_once_the_body_is_parsed(
    sqlite_client: FlaskClient, keys: dict
) -> None:
    """The target Caf, named in the body, is checked after parsing, by the same gate."""
    response = sqlite_client.post(
        "/api/v1/admin/requesters",
        json={"name": "Mairie de Lille", "type": "commune", "caf_code": "59"},
        headers=keys["admin_caf"],
    )
    assert _problem(response, 403)["code"] == "acces_refuse"


def _gated_code() -> object:
    def probe() -> None:
        return None

    return gate(Action.ME_READ)(probe).__code__  # the gate's own wrapper


def test_gate_is_written_first_on_every_route(sqlite_app: Flask) -> None:
    """One decorator order: `@gate` first, above `arguments` and `response`.

    The caller and its role are checked before parsing (the intake, and the gate itself);
    the target Caf once the arguments are parsed, by the hook the blueprint puts below them.
    """
    gated_code, misplaced = _gated_code(), []
    for endpoint, view in sqlite_app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        for method in getattr(view_class, "methods", None) or ():
            function = getattr(view_class, method.lower())
            if not hasattr(function, "gate"):
                continue
            if function.__code__ is not gated_code:
                misplaced.append(f"{endpoint} {method}")
    assert misplaced == []


# --- Every schema of the API speaks French ---------------------------------------------------


def _gateway_schemas() -> list[type[ma.Schema]]:
    import gateway.api.blueprints  # noqa: F401 (registers every schema of the API)

    return sorted(
        {
            cls
            for classes in class_registry._registry.values()
            for cls in classes
            if cls.__module__.startswith("gateway.")
        },
        key=lambda cls: f"{cls.__module__}.{cls.__name__}",
    )


def _messages(field: ma.fields.Field[Any]) -> list[str]:
    """Every message the field (its validators, its inner fields) can answer with."""
    found = [str(m) for m in field.error_messages.values()]
    for validator in field.validators:
        if getattr(validator, "error", None):  # when set, the validator answers only with it
            found.append(str(validator.error))
            continue
        for name in ("message_min", "message_max", "message_all", "message_equal"):
            found.append(str(getattr(validator, name, "")))
    if isinstance(field, ma.fields.List):
        found += _messages(field.inner)
    if isinstance(field, ma.fields.Tuple):
        found += [m for inner in field.tuple_fields for m in _messages(inner)]
    if isinstance(field, ma.fields.Mapping):
        for inner in (field.key_field, field.value_field):
            found += _messages(inner) if inner is not None else []
    return found


def test_every_api_schema_speaks_french() -> None:
    schemas = _gateway_schemas()
    assert len(schemas) > 30
    assert [s.__name__ for s in schemas if not issubclass(s, Schema)] == []
    english = [
        (schema.__name__, name, message)
        for schema in schemas
        for name, field in schema().fields.items()
        for message in _messages(field)
        if ENGLISH.search(message) or message.startswith(("Must be", "Length", "Not a"))
    ]
    assert english == []
