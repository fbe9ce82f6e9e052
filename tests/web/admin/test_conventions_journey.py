"""A Caf administrator's journey through the console, and what it changes for the requester.

A draft is created from the commune's template, filled, its signed PDF deposited, activated:
the commune's key then gets data under it through the API; suspended, the same call is
refused, naming the suspension.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.gateway.admin.conftest import PDF, World
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.test_conventions import (
    BASE,
    created_id,
    filled,
    form_of,
    post,
    stored,
    upload,
)

EXTRACT = {
    "indicators": ["ENF_MOINS_6"],
    "use": "usage_final",
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023],
    "format": "json",
}


def _extract(app: Flask, world: World) -> Any:
    return app.test_client().post(
        "/api/v1/extracts", json=EXTRACT, headers=world.headers("commune_13")
    )


def test_a_convention_made_in_the_console_serves_the_commune_until_suspended(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    before = _extract(sqlite_app, console_world)
    assert before.status_code == 403, before.json
    assert before.json["reasons"][0]["regle"].startswith("convention.")

    cid = created_id(
        post(
            caf13,
            f"{BASE}/nouvelle",
            {"requester_id": str(console_world.id("commune_13"))},
            f"{BASE}/nouvelle",
        )
    )
    # Filled as the administrator would: dates, both signatories, an annual flat fee.
    form = filled(form_of(caf13, cid), pricing="forfait_annuel")
    assert post(caf13, f"{BASE}/{cid}", form, f"{BASE}/{cid}").status_code == 303
    assert upload(caf13, cid, PDF).status_code == 303
    activated = post(caf13, f"{BASE}/{cid}/activer", {}, f"{BASE}/{cid}")
    assert activated.status_code == 303
    assert "activée" in text_of(caf13.get(f"{BASE}/{cid}"))
    assert stored(sqlite_app, cid)["status"] == "active"

    served = _extract(sqlite_app, console_world)
    assert served.status_code == 200, served.json
    assert served.json["extrait"]["convention"] == f"{stored(sqlite_app, cid)['reference']} v1"
    assert served.json["cellules"][0]["code_territoire"] == "13005"

    suspended = post(
        caf13, f"{BASE}/{cid}/suspendre", {"reason": "Impayé"}, f"{BASE}/{cid}/suspendre"
    )
    assert suspended.status_code == 303
    refused = _extract(sqlite_app, console_world)
    assert refused.status_code == 403, refused.json
    messages = [r["message"] for r in refused.json["reasons"]]
    assert any("au statut « suspendue »" in m for m in messages), messages
