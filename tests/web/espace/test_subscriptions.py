"""My subscriptions: the list, a subscription's history with its extracts, pause, resume and
end (after a confirmation), each a form with its CSRF token; another organisation sees none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from gateway.notify.notice import EXTRACT_PAGE, SUBSCRIPTION_PAGE
from gateway.services.subscriptions.runner import deliver_one
from gateway.services.subscriptions.values import Cadence, current_due
from gateway.state import app_state
from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import Headers, paid_delivery

#: A small monthly pull of the conseil départemental: one commune of its département.
REQUEST: dict[str, Any] = {
    "indicators": ["ENF_MOINS_6"],
    "use": "usage_final",
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2024],
    "format": "csv-fr",
}


def _subscribe(api: FlaskClient, headers: Headers) -> int:
    body = {"demande": REQUEST, "rythme": "mensuel", "nom": "Petite enfance à Aubagne"}
    created = api.post("/api/v1/abonnements", json=body, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)[:400]
    return int(created.json["id"])


def _deliver(app: Flask, subscription_id: int) -> str:
    """Deliver the current month through the subscriptions' runner; return the extract."""
    now = datetime.now(UTC)
    with app.app_context():
        state = app_state(app)
        due = current_due(Cadence.MONTHLY, now, state.store.version())
        delivery = deliver_one(state, subscription_id, due.key, now=now, notify=lambda *_: None)
    assert delivery is not None and delivery.extract_id is not None
    return delivery.extract_id


def test_a_subscription_is_listed_with_its_history_then_paused_resumed_and_ended(
    sqlite_app: Flask, api: FlaskClient, keys: dict[str, Headers], departement: Browser
) -> None:
    assert "Aucun abonnement pour le moment" in text_of(departement.get("/espace/abonnements"))
    subscription_id = _subscribe(api, keys["conseil_departemental"])
    extract_id = _deliver(sqlite_app, subscription_id)
    path = f"/espace/abonnements/{subscription_id}"

    listed = text_of(departement.get("/espace/abonnements"))
    for expected in ("Petite enfance à Aubagne", "chaque mois", "actif", ": livré", "Par l’API"):
        assert expected in listed
    shown = departement.get(path)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    assert f'href="/espace/extraits/{extract_id}"' in page
    text = text_of(shown)
    assert "Historique des livraisons" in text and "Mettre en pause" in text
    assert "Reprendre l’abonnement" not in text and "ENF_MOINS_6" in text

    paused = departement.submit(f"{path}/pause", {}, form_at=path)
    assert paused.status_code == 303 and paused.headers["Location"] == path
    text = text_of(departement.get(path))
    assert "Abonnement mis en pause" in text and "en pause depuis le" in text
    assert "Reprendre l’abonnement" in text and "Mettre en pause" not in text
    headers = keys["conseil_departemental"]
    assert api.get(f"/api/v1/abonnements/{subscription_id}", headers=headers).json["statut"] == (
        "en_pause"
    )
    again = departement.submit(f"{path}/pause", {}, form_at=path)  # a second tab, say
    assert again.status_code == 303
    assert "Impossible de mettre en pause" in text_of(departement.get(path))

    resumed = departement.submit(f"{path}/reprise", {}, form_at=path)
    assert resumed.status_code == 303 and "Abonnement repris" in text_of(departement.get(path))

    confirm = departement.get(f"{path}/fin")
    assert confirm.status_code == 200
    assert "ne peut pas être repris" in text_of(confirm) and "préférez la pause" in text_of(confirm)
    ended = departement.submit(f"{path}/fin", {}, form_at=f"{path}/fin")
    assert ended.status_code == 303
    text = text_of(departement.get(path))
    assert "Abonnement terminé" in text and "Modifier l’abonnement" not in text
    assert f"/espace/extraits/{extract_id}" in departement.get(path).get_data(as_text=True)
    assert api.get(f"/api/v1/abonnements/{subscription_id}", headers=headers).json["statut"] == (
        "termine"
    )


def test_forms_need_their_token_and_another_organisation_sees_nothing(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser, commune: Browser
) -> None:
    subscription_id = _subscribe(api, keys["conseil_departemental"])
    path = f"/espace/abonnements/{subscription_id}"
    forged = departement.client.post(f"{path}/pause")
    assert forged.status_code == 400 and "Formulaire expiré" in text_of(forged)
    headers = keys["conseil_departemental"]
    assert api.get(f"/api/v1/abonnements/{subscription_id}", headers=headers).json["statut"] == (
        "actif"
    )
    assert commune.get(path).status_code == 404
    assert commune.get(f"{path}/fin").status_code == 404
    refused = commune.submit(f"{path}/fin", {}, form_at="/espace/abonnements")
    assert refused.status_code == 404
    assert "Aucun abonnement pour le moment" in text_of(commune.get("/espace/abonnements"))
    assert departement.client.get("/espace/abonnements/999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(sqlite_app: Flask) -> None:
    found = sqlite_app.test_client().get("/espace/abonnements")
    assert found.status_code in (302, 303) and "/compte/connexion" in found.headers["Location"]


def test_the_e_mail_links_to_these_pages(sqlite_app: Flask) -> None:
    """The addresses a delivery's e-mail writes are the pages' own."""
    with sqlite_app.test_request_context():
        assert url_for("espace.subscription", subscription_id=12) == SUBSCRIPTION_PAGE.format(
            subscription_id=12
        )
        assert url_for("espace.extract", extract_id="x1") == EXTRACT_PAGE.format(extract_id="x1")


def test_subscribing_from_an_extract_with_a_webhook_shows_its_secret_once(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser, commune: Browser
) -> None:
    headers = keys["conseil_departemental"]
    asked = api.post("/api/v1/extracts", json=REQUEST, headers=headers)
    assert asked.status_code == 200
    extract_id = asked.headers["X-Extrait"]
    extract_page = departement.get(f"/espace/extraits/{extract_id}").get_data(as_text=True)
    form_path = f"/espace/abonnements/nouveau?extrait={extract_id}"
    assert form_path in extract_page.replace("&amp;", "&")
    form = text_of(departement.get(form_path))
    assert "S’abonner à cette demande" in form and "ENF_MOINS_6" in form

    fields = {"extrait": extract_id, "nom": "Aubagne", "format": "csv-fr", "webhook": ""}
    wrong = departement.submit("/espace/abonnements/nouveau", fields, form_at=form_path)
    assert wrong.status_code == 422
    assert "Choisissez quand livrer" in text_of(wrong)
    plain = {**fields, "rythme": "annuel", "webhook": "ftp://cd13.exemple.fr/x"}
    refused = departement.submit("/espace/abonnements/nouveau", plain, form_at=form_path)
    assert refused.status_code == 422 and "doit commencer par https://" in text_of(refused)

    hooked = {**plain, "webhook": "http://127.0.0.1:9/crochet"}  # development: http allowed
    created = departement.submit("/espace/abonnements/nouveau", hooked, form_at=form_path)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    listed = api.get("/api/v1/abonnements", headers=headers).json["items"]
    [subscription] = listed
    assert (subscription["nom"], subscription["rythme"]) == ("Aubagne", "annuel")
    assert subscription["demande"]["territories"] == REQUEST["territories"]
    secret = created.get_data(as_text=True).split("<code>")[-1].split("</code>")[0]
    assert secret.startswith("whsec_") and secret not in str(listed)
    shown = departement.get(f"/espace/abonnements/{subscription['id']}").get_data(as_text=True)
    assert secret not in shown and "http://127.0.0.1:9/crochet" in shown

    simple = {**fields, "rythme": "millesime"}
    done = departement.submit("/espace/abonnements/nouveau", simple, form_at=form_path)
    assert done.status_code == 303 and done.headers["Location"].startswith("/espace/abonnements/")
    assert "Abonnement créé" in text_of(departement.get(done.headers["Location"]))

    assert commune.get(form_path).status_code == 404  # another organisation's extract


def test_the_acceptance_of_paid_deliveries_is_kept(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    """A paid extract's request: its first delivery is covered by the order already paid (the
    same request on the same data is served again), so subscribing needs no acceptance; the
    box says whether the next ones may be invoiced."""
    _quote, extract_id, _invoice = paid_delivery(api, keys["commune"])
    form_path = f"/espace/abonnements/nouveau?extrait={extract_id}"
    assert "Livraisons payantes" in text_of(commune.get(form_path))
    fields = {"extrait": extract_id, "rythme": "mensuel", "format": "xlsx"}
    plain = commune.submit("/espace/abonnements/nouveau", fields, form_at=form_path)
    accepted = {**fields, "accepter_tarif": "oui", "nom": "Aubagne payant"}
    done = commune.submit("/espace/abonnements/nouveau", accepted, form_at=form_path)
    assert plain.status_code == done.status_code == 303
    found = api.get("/api/v1/abonnements", headers=keys["commune"]).json["items"]
    assert {(s["nom"], s["tarif_accepte"], s["demande"]["format"]) for s in found} == {
        ("", False, "xlsx"),
        ("Aubagne payant", True, "xlsx"),
    }


def test_a_request_for_a_custom_zone_is_subscribed_to_by_the_zones_number(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser
) -> None:
    """Regression: the stored request holds the zone described, not its number; subscribing
    sent it as the body and failed (500) instead of asking again by the zone's number."""
    headers = keys["conseil_departemental"]
    zone = api.post(
        "/api/v1/zones",
        json={"name": "Pays d’Aubagne", "communes": ["13005", "13042"]},
        headers=headers,
    )
    assert zone.status_code == 201, zone.get_data(as_text=True)[:300]
    zone_id = int(zone.json["id"])
    body = {**REQUEST, "zones": [zone_id]}
    del body["territories"]
    asked = api.post("/api/v1/extracts", json=body, headers=headers)
    assert asked.status_code == 200, asked.get_data(as_text=True)[:300]
    extract_id = asked.headers["X-Extrait"]
    form_path = f"/espace/abonnements/nouveau?extrait={extract_id}"
    fields = {"extrait": extract_id, "rythme": "trimestriel", "format": "csv-fr"}
    done = departement.submit("/espace/abonnements/nouveau", fields, form_at=form_path)
    assert done.status_code == 303, text_of(done)[:500]
    [subscription] = api.get("/api/v1/abonnements", headers=headers).json["items"]
    assert subscription["demande"]["zones"] == [zone_id]
    shown = departement.get(done.headers["Location"])
    assert shown.status_code == 200
    assert "zone personnalisée « Pays d’Aubagne » (2 communes)" in text_of(shown)
