"""Cross-Caf isolation: a Caf-13 administrator never acts on Caf 33; a national one does.

Rule applied everywhere: an existing resource of another Caf answers 403 with the refusal
reasons (never 404), and listings silently keep to the administrator's own Caf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from gateway.api.admin.convention_schemas import ConventionCreateSchema
from gateway.services.conventions import documents as convention_documents
from gateway.services.conventions import drafts as conventions
from gateway.services.conventions import lifecycle as convention_lifecycle
from tests.gateway.admin.conftest import PDF, World, convention_body
from tests.support.state import get_database


@dataclass
class Caf33:
    requester: int
    key_prefix: str
    draft: int
    active: int


@pytest.fixture
def caf33(sqlite_app, sqlite_world: World) -> Caf33:
    requester = sqlite_world.id("commune_33")
    prefix = sqlite_world.keys["commune_33"].split("_")[1]
    with sqlite_app.app_context(), get_database().transaction() as session:
        ids = []
        for _ in range(2):
            record = conventions.create_convention(
                session, None, ConventionCreateSchema().load(convention_body(requester, "33"))
            )
            convention_documents.upload_document(
                session,
                None,
                record.id,
                filename="c.pdf",
                content_type="application/pdf",
                content=PDF,
            )
            ids.append(record.id)
        convention_lifecycle.activate_convention(session, None, ids[1])
    return Caf33(requester, prefix, ids[0], ids[1])


def _pdf() -> dict[str, Any]:
    import io

    return {"data": {"document": (io.BytesIO(PDF), "c.pdf", "application/pdf")}}


A = "/api/v1/admin"
# (method, path, request kwargs, national's success status); {r} {k} {d} {a}: Caf-33 ids.
TARGETED = [
    (
        "POST",
        A + "/requesters",
        lambda c: {"json": {"name": "X", "type": "epci", "caf_code": "33"}},
        201,
    ),
    ("GET", A + "/requesters/{r}", None, 200),
    ("PATCH", A + "/requesters/{r}", lambda c: {"json": {"contact_name": "Y"}}, 200),
    ("GET", A + "/requesters/{r}/keys", None, 200),
    ("POST", A + "/requesters/{r}/keys", lambda c: {"json": {"label": "x"}}, 201),
    ("POST", A + "/requesters/{r}/keys/{k}/revoke", None, 200),
    (
        "POST",
        A + "/conventions",
        lambda c: {"json": convention_body(c.requester, caf_code="33")},
        201,
    ),
    ("GET", A + "/conventions/{d}", None, 200),
    ("PATCH", A + "/conventions/{d}", lambda c: {"json": {"notes": "z"}}, 200),
    ("PUT", A + "/conventions/{d}/document", lambda c: _pdf(), 200),
    ("GET", A + "/conventions/{d}/document", None, 200),
    ("POST", A + "/conventions/{d}/activate", None, 200),
    ("POST", A + "/conventions/{a}/suspend", lambda c: {"json": {}}, 200),
    ("POST", A + "/conventions/{a}/terminate", lambda c: {"json": {}}, 200),
    (
        "POST",
        A + "/conventions/{a}/renew",
        lambda c: {"json": {"start": "2100-01-01", "end": "2101-01-01"}},
        201,
    ),
    ("GET", A + "/audit?caf_code=33", None, 200),
    ("GET", A + "/audit.csv?caf_code=33", None, 200),
    ("PUT", A + "/policy-matrix", lambda c: {"json": _matrix()}, 200),
]


def _matrix() -> dict[str, Any]:
    from gateway.reference.seeds import read_policy_matrix_document

    document = read_policy_matrix_document()
    document.pop("version", None)
    return document


def _call(
    client: FlaskClient, world: World, who: str, caf33: Caf33, method: str, path: str, kwargs: Any
):
    url = path.format(r=caf33.requester, k=caf33.key_prefix, d=caf33.draft, a=caf33.active)
    extra = kwargs(caf33) if kwargs else {}
    return client.open(url, method=method, headers=world.headers(who), **extra)


@pytest.mark.parametrize(("method", "path", "kwargs", "success"), TARGETED)
def test_caf_admin_is_refused_national_admin_succeeds(
    sqlite_client: FlaskClient,
    sqlite_world: World,
    caf33: Caf33,
    method: str,
    path: str,
    kwargs: Any,
    success: int,
) -> None:
    refused = _call(sqlite_client, sqlite_world, "admin_13", caf33, method, path, kwargs)
    assert refused.status_code == 403, refused.json
    assert refused.json["code"] == "acces_refuse"
    assert refused.json["reasons"][0]["regle"].startswith("autorisation.")
    allowed = _call(sqlite_client, sqlite_world, "admin_national", caf33, method, path, kwargs)
    assert allowed.status_code == success, allowed.get_data(as_text=True)[:500]


# Listings: (path, how to find Caf-33 rows in the JSON items)
LISTINGS = [
    (A + "/requesters", lambda item: item["caf_code"] == "33"),
    (A + "/conventions", lambda item: item["caf_code"] == "33"),
    (A + "/changes", lambda item: item["caf_code"] == "33"),
]


@pytest.mark.parametrize(("path", "is_33"), LISTINGS)
def test_listings_keep_to_the_admins_caf(
    sqlite_client: FlaskClient, sqlite_world: World, caf33: Caf33, path: str, is_33: Any
) -> None:
    own = sqlite_client.get(path, headers=sqlite_world.headers("admin_13"))
    assert own.status_code == 200
    assert not [i for i in own.json["items"] if is_33(i)]
    everything = sqlite_client.get(path, headers=sqlite_world.headers("admin_national"))
    assert [i for i in everything.json["items"] if is_33(i)]


@pytest.mark.parametrize(
    "path", [A + "/requesters", A + "/conventions", A + "/audit", A + "/policy-matrix"]
)
@pytest.mark.parametrize("who", ["commune_13", "cd_13"])
def test_requesters_are_not_administrators(
    sqlite_client: FlaskClient, sqlite_world: World, path: str, who: str
) -> None:
    response = sqlite_client.get(path, headers=sqlite_world.headers(who))
    assert response.status_code == 403
    assert response.json["reasons"][0]["regle"] == "autorisation.role"


def test_unknown_ids_are_403_for_caf_admins_404_for_national(
    sqlite_client: FlaskClient, sqlite_world: World
) -> None:
    path = A + "/conventions/999999"
    assert sqlite_client.get(path, headers=sqlite_world.headers("admin_13")).status_code == 403
    assert (
        sqlite_client.get(path, headers=sqlite_world.headers("admin_national")).status_code == 404
    )
