"""A conseil départemental's subscription over the API: subscribe, delivered, downloaded,
paused, resumed, ended; others see nothing of it, its Caf's administrators read it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from gateway.services.subscriptions.runner import run_due
from gateway.state import app_state
from tests.gateway.subscriptions.conftest import CD_REQUEST, caller_of

BASE = "/api/v1/abonnements"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    document: dict[str, Any] = response.get_json()
    assert document["status"] == status and document["title"] and document["detail"]
    return document


def test_subscribe_deliver_download_pause_resume_end(
    world: tuple[Flask, dict[str, dict[str, str]]],
) -> None:
    app, keys = world
    client, cd = app.test_client(), keys["conseil_departemental"]
    state = app_state(app)
    body = {
        "demande": CD_REQUEST,
        "rythme": "mensuel",
        "nom": "Petite enfance VBA",
        "webhook": "https://cd13.exemple.fr/livraisons",
    }
    created = client.post(BASE, json=body, headers=cd)
    assert created.status_code == 201, created.get_data(as_text=True)
    subscription = created.get_json()
    assert created.headers["Location"].endswith(f"{BASE}/{subscription['id']}")
    assert subscription["statut"] == "actif" and subscription["rythme"] == "mensuel"
    assert subscription["secret_webhook"].startswith("whsec_")  # shown this once
    assert subscription["premiere_livraison"]["autorisee"] is True
    assert subscription["premiere_livraison"]["issue"] == "gratuit"
    assert "à la prochaine exécution" in subscription["prochaine_livraison"]
    detail_url = subscription["liens"]["abonnement"]
    assert "secret_webhook" not in client.get(detail_url, headers=cd).get_json()

    now = datetime.now(UTC)
    assert run_due(state, now).delivered == 1
    history = client.get(subscription["liens"]["livraisons"], headers=cd)
    assert history.status_code == 200
    page = history.get_json()
    (delivery,) = page["items"]
    assert page["total"] == 1 and delivery["statut"] == "livre" and delivery["extrait"]
    download = client.get(delivery["liens"]["telechargement"], headers=cd)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True)), delimiter=";"))
    assert len(rows) > 10  # communes x age bands, with the total
    shown = client.get(detail_url, headers=cd).get_json()
    assert shown["derniere_livraison"]["extrait"] == delivery["extrait"]

    paused = client.post(f"{detail_url}/pause", headers=cd)
    assert paused.status_code == 200 and paused.get_json()["statut"] == "en_pause"
    _problem(client.post(f"{detail_url}/pause", headers=cd), 409)
    next_month = now + timedelta(days=32)
    assert run_due(state, next_month).delivered == 0  # paused: nothing
    resumed = client.post(f"{detail_url}/reprise", headers=cd)
    assert resumed.status_code == 200 and resumed.get_json()["statut"] == "actif"
    assert run_due(state, now + timedelta(minutes=1)).delivered == 0  # this month: delivered
    ended = client.post(f"{detail_url}/fin", headers=cd)
    assert ended.status_code == 200 and ended.get_json()["statut"] == "termine"
    refused = _problem(client.post(f"{detail_url}/reprise", headers=cd), 409)
    assert "terminé" in refused["detail"]
    assert run_due(state, next_month).delivered == 0
    listed = client.get(BASE, headers=cd).get_json()["items"]
    assert [s["id"] for s in listed] == [subscription["id"]]

    # Another requester: unknown (404), nothing listed; the public: no key, 401.
    other = keys["commune"]
    _problem(client.get(detail_url, headers=other), 404)
    _problem(client.post(f"{detail_url}/fin", headers=other), 404)
    _problem(client.get(subscription["liens"]["livraisons"], headers=other), 404)
    assert client.get(BASE, headers=other).get_json()["items"] == []
    _problem(client.get(BASE), 401)
    # The Caf's administrators read it; they may not change it.
    requester_id = caller_of(state, "conseil_departemental").requester_id
    admin = keys["admin_caf"]
    theirs = client.get(f"/api/v1/admin/requesters/{requester_id}/abonnements", headers=admin)
    assert theirs.status_code == 200
    assert [s["id"] for s in theirs.get_json()["items"]] == [subscription["id"]]
    _problem(client.get(f"/api/v1/admin/requesters/{requester_id}/abonnements", headers=other), 403)


def test_a_refused_subscription_gets_the_extracts_problem_and_bad_input_a_422(
    world: tuple[Flask, dict[str, dict[str, str]]],
) -> None:
    app, keys = world
    client = app.test_client()
    outside = {**CD_REQUEST, "territories": {"level": "commune", "codes": ["48001"]}}
    refused = _problem(
        client.post(
            BASE,
            json={"demande": outside, "rythme": "millesime"},
            headers=keys["conseil_departemental"],
        ),
        403,
    )
    assert refused["code"] == "convention_requise" and refused["reasons"]
    paid = _problem(
        client.post(
            BASE,
            json={
                "demande": {**outside, "territories": {"level": "commune", "codes": ["13005"]}},
                "rythme": "annuel",
            },
            headers=keys["commune"],
        ),
        402,
    )
    assert "accepter_tarif" in paid["detail"]
    invalid = _problem(
        client.post(
            BASE,
            json={"demande": CD_REQUEST, "rythme": "hebdomadaire"},
            headers=keys["conseil_departemental"],
        ),
        422,
    )
    assert "rythme" in str(invalid["errors"])
    assert client.get(BASE, headers=keys["conseil_departemental"]).get_json()["items"] == []


def test_the_subscriptions_are_in_the_openapi_document(
    world: tuple[Flask, dict[str, dict[str, str]]],
) -> None:
    app, _keys = world
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/abonnements",
        "/abonnements/{subscription_id}/livraisons",
        "/abonnements/{subscription_id}/fin",
        "/admin/requesters/{requester_id}/abonnements",
    ):
        assert any(p.endswith(path) for p in paths), path
