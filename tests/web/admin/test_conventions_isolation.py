"""Conventions in the console are confined to their Caf: every route, every method.

The administrator of Caf 33 tries each convention route on a Caf 13 object (GET and POST, as
the route takes them, with a body that would succeed for Caf 13): each is refused with the
French 403 page, and nothing changes. A national administrator sees every Caf's.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from gateway.web.admin.convention_pages import ROUTES
from tests.gateway.admin.conftest import PDF, World
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.test_conventions import BASE, draft, form_of, stored

#: Every (rule, method) of the section, from the routes themselves.
CASES = sorted({(rule, method) for rule, _, _, methods in ROUTES for method in methods})
#: A body that the route would accept from Caf 13's administrator.
BODIES: dict[str, dict[str, Any]] = {
    "/nouvelle": {},  # filled with Caf 13's requester below
    "/document-signe": {"document": (BytesIO(PDF), "signee.pdf", "application/pdf")},
    "/suspendre": {"reason": "Essai d'une autre Caf"},
    "/resilier": {"reason": "Essai d'une autre Caf"},
    "/renouveler": {"start": "2100-01-01", "end": "2101-12-31"},
}


def _body(rule: str, caf13: Browser, convention_id: int, world: World) -> dict[str, Any]:
    if rule.endswith("/nouvelle"):
        return {"requester_id": str(world.id("commune_13"))}
    if rule == "/conventions/<int:convention_id>":
        return form_of(caf13, convention_id)
    return next((dict(b) for tail, b in BODIES.items() if rule.endswith(tail)), {})


def test_every_route_is_covered() -> None:
    rules = {rule for rule, _ in CASES}
    assert len(rules) == 10 and len(CASES) == 16


@pytest.mark.parametrize(("rule", "method"), [c for c in CASES if "<int:" in c[0]])
def test_another_caf_is_refused_on_a_caf13_convention(
    sqlite_app: Flask,
    console_world: World,
    caf13: Browser,
    caf33: Browser,
    rule: str,
    method: str,
) -> None:
    cid = draft(sqlite_app, console_world)
    before = stored(sqlite_app, cid)
    path = "/administration" + rule.replace("<int:convention_id>", str(cid))
    if method == "GET":
        refused = caf33.get(path)
    else:
        body = _body(rule, caf13, cid, console_world)
        token = caf33.token(BASE)  # a valid token of caf33's own session
        refused = caf33.client.post(
            path, data={**body, "csrf_token": token}, content_type="multipart/form-data"
        )
    assert refused.status_code == 403, (path, method, refused.status_code)
    shown = text_of(refused)
    assert "Accès refusé" in shown or "refus" in shown.lower()
    assert "Caf des Bouches-du-Rhône" in shown and "(33)" in shown
    assert stored(sqlite_app, cid) == before


def test_another_caf_cannot_create_for_a_caf13_requester(
    sqlite_app: Flask, console_world: World, caf13: Browser, caf33: Browser
) -> None:
    body = {"requester_id": str(console_world.id("commune_13")), "csrf_token": caf33.token(BASE)}
    refused = caf33.client.post(f"{BASE}/nouvelle", data=body)
    assert refused.status_code == 403
    assert "Aucune convention" in text_of(caf13.get(BASE))


def test_another_cafs_list_and_new_page_show_only_its_own(
    sqlite_app: Flask, console_world: World, caf33: Browser
) -> None:
    draft(sqlite_app, console_world)
    console_world.id("commune_13")
    assert "Aucune convention" in text_of(caf33.get(BASE))
    assert "Aubagne" not in text_of(caf33.get(f"{BASE}/nouvelle"))
    foreign = caf33.get(f"{BASE}?caf_code=13")  # a Caf administrator's scope is its own
    assert "Aucune convention" in text_of(foreign)


def test_a_national_administrator_sees_and_acts_on_every_caf(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    assert cnaf.get(f"{BASE}/{cid}").status_code == 200
    assert cnaf.get(f"{BASE}/{cid}/document").status_code == 200
    created = cnaf.client.post(
        f"{BASE}/nouvelle",
        data={
            "requester_id": str(console_world.id("commune_33")),
            "csrf_token": cnaf.token(f"{BASE}/nouvelle"),
        },
    )
    assert created.status_code == 303
    assert "CONV-33-" in text_of(cnaf.get(created.headers["Location"]))
