"""The console's convention pages: list, new from a template, the draft's form, the steps."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from gateway.api.admin.convention_schemas import ConventionCreateSchema
from gateway.services.conventions.drafts import create_convention
from gateway.services.conventions.queries import get_record
from gateway.services.conventions.values import snapshot
from tests.gateway.admin.conftest import CLAUSES, PDF, World, convention_body
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of

BASE = "/administration/conventions"


def post(browser: Browser, path: str, data: dict[str, Any], form_at: str) -> TestResponse:
    """Post a form as shown at `form_at` (lists for repeated fields, files for uploads)."""
    return browser.client.post(path, data={**data, "csrf_token": browser.token(form_at)})


def stored(app: Flask, convention_id: int) -> dict[str, Any]:
    with app.app_context(), get_database().sessions() as session:
        return snapshot(get_record(session, convention_id))


def draft(app: Flask, world: World, name: str = "commune_13", caf: str = "13", **terms: Any) -> int:
    """A draft made through the service (as the API would), terms as `convention_body`'s."""
    body = ConventionCreateSchema().load(convention_body(world.id(name), caf, **terms))
    with app.app_context(), get_database().transaction() as session:
        return create_convention(session, None, body).id


def created_id(response: TestResponse) -> int:
    assert response.status_code == 303, text_of(response)
    found = re.search(r"/conventions/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def form_of(browser: Browser, convention_id: int) -> dict[str, Any]:
    """The draft's form as the page fills it (checked boxes, selected options, texts)."""
    page = browser.get(f"{BASE}/{convention_id}").get_data(as_text=True)
    start = page.index(f'action="{BASE}/{convention_id}"')
    form = page[start : page.index("</form>", start)]
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if " checked" not in tag:
                continue
            data.setdefault(name.group(1), []).append(value.group(1) if value else "")
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = body
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def changes(client: Any, world: World, convention_id: int) -> list[str]:
    """The change log's actions about a convention, oldest first, read through the API."""
    found = client.get(
        "/api/v1/admin/changes?entity=convention&per_page=200",
        headers=world.headers("admin_13"),
    ).json["items"]
    return [c["action"] for c in reversed(found) if c["entity_id"] == str(convention_id)]


def filled(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The draft's form completed as an administrator would: dates, signatories."""
    return {
        **form,
        "start": "2024-01-01",
        "end": "2099-12-31",
        "sig0_name": "Anne Caf",
        "sig0_signed_on": "2023-12-15",
        "sig1_name": "Paul Maire",
        "sig1_signed_on": "2023-12-18",
        **changes,
    }


def test_the_list_shows_the_cafs_conventions_with_filters(
    sqlite_app: Flask, console_world: World, caf13: Browser, cnaf: Browser
) -> None:
    mine = draft(sqlite_app, console_world)
    cd = draft(sqlite_app, console_world, "cd_13")
    draft(sqlite_app, console_world, "commune_33", "33")

    shown = text_of(caf13.get(BASE))
    assert "2 conventions" in shown and "Commune d'Aubagne" in shown
    assert "Conseil départemental 13" in shown and "Mérignac" not in shown
    assert "Brouillon" in shown and "Nouvelle convention" in shown
    by_requester = caf13.get(f"{BASE}?requester_id={console_world.id('cd_13')}")
    assert "1 convention" in text_of(by_requester)
    assert f'href="{BASE}/{mine}"' not in by_requester.get_data(as_text=True)
    assert f'href="{BASE}/{cd}"' in caf13.get(f"{BASE}?status=brouillon").get_data(as_text=True)
    assert "Aucune convention pour ces filtres" in text_of(caf13.get(f"{BASE}?status=active"))
    wrong = caf13.get(f"{BASE}?status=perdue")
    assert wrong.status_code == 422 and "Choisissez un statut de la liste." in text_of(wrong)
    everything = text_of(cnaf.get(BASE))
    assert "3 conventions" in everything and "Mérignac" in everything
    assert "1 convention" in text_of(cnaf.get(f"{BASE}?caf_code=33"))
    assert f'href="{BASE}/{mine}"' in caf13.get(BASE).get_data(as_text=True)


def test_a_new_convention_starts_from_its_requesters_type(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    console_world.id("commune_13"), console_world.id("commune_33")
    new = caf13.get(f"{BASE}/nouvelle")
    assert new.status_code == 200
    shown = text_of(new)
    assert "Commune d'Aubagne (commune)" in shown and "Mérignac" not in shown
    assert "Gratuites (exonération)" in shown  # the conseil départemental's model
    response = post(
        caf13, f"{BASE}/nouvelle", {"requester_id": console_world.id("cd_13")}, f"{BASE}/nouvelle"
    )
    cid = created_id(response)
    record = stored(sqlite_app, cid)
    assert record["pricing"] == "gratuit_exoneration"
    assert record["scope"]["tiers"] == ["convention", "restreint"]
    assert record["scope"]["own_territory"] is True
    assert record["scope"]["finest_level"] == "commune"
    assert record["clauses"] == sorted(CLAUSES) and record["status"] == "brouillon"
    page = text_of(caf13.get(f"{BASE}/{cid}"))
    assert "Convention avec un conseil départemental" in page  # the message after creation
    assert "date de début manquante" in page and "clause obligatoire" not in page
    assert changes(sqlite_app.test_client(), console_world, cid) == ["convention_create"]


def test_a_new_convention_needs_a_requester_of_the_list(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    for requester_id in ("", "999999", str(console_world.id("admin_13"))):
        refused = post(
            caf13, f"{BASE}/nouvelle", {"requester_id": requester_id}, f"{BASE}/nouvelle"
        )
        assert refused.status_code == 422
        assert "Choisissez le demandeur dans la liste." in text_of(refused)
    assert "Aucune convention" in text_of(caf13.get(BASE))


def test_a_draft_is_filled_from_lists_and_logged(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = created_id(
        post(
            caf13,
            f"{BASE}/nouvelle",
            {"requester_id": console_world.id("commune_13")},
            f"{BASE}/nouvelle",
        )
    )
    form = filled(
        form_of(caf13, cid),
        indicators=["ENF_MOINS_6", "PLACES_EAJE"],
        breakdowns=["age_enfant"],
        territory_added="commune:13022",
        extracts_per_month="",
        notes="Dossier suivi par le service études.",
    )
    saved = post(caf13, f"{BASE}/{cid}", form, f"{BASE}/{cid}")
    assert saved.status_code == 303, text_of(saved)
    record = stored(sqlite_app, cid)
    assert record["scope"]["indicators"] == ["ENF_MOINS_6", "PLACES_EAJE"]
    assert record["scope"]["territories"] == [{"level": "commune", "code": "13022"}]
    assert record["extracts_per_month"] is None and record["cells_per_month"] == 50000
    assert [s["name"] for s in record["signatories"]] == ["Anne Caf", "Paul Maire"]
    assert record["signatories"][1]["role"] == "Maire"
    page = text_of(caf13.get(f"{BASE}/{cid}"))
    assert "Termes du brouillon enregistrés." in page
    assert "Commune Cassis (13022)" in page and "extraits sans limite" in page
    assert "Modification des termes" in page  # the change log, on the page
    assert changes(sqlite_app.test_client(), console_world, cid) == [
        "convention_create",
        "convention_update",
    ]


def test_a_wrong_draft_is_refused_beside_its_fields_and_nothing_changes(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    before = stored(sqlite_app, cid)
    form = filled(
        form_of(caf13, cid),
        cells_per_month="beaucoup",
        start="2025-01-01",
        end="2024-01-01",
        sig2_signed_on="2024-01-01",
        indicators=["INCONNU"],
    )
    refused = post(caf13, f"{BASE}/{cid}", form, f"{BASE}/{cid}")
    assert refused.status_code == 422
    shown = text_of(refused)
    assert "Nombre entier positif ou nul attendu" in shown
    assert "Signataire 3 : indiquez son nom." in shown
    assert "Choix qui ne figure pas dans la liste proposée : INCONNU." in shown
    assert 'href="#cells_per_month"' in refused.get_data(as_text=True)  # the summary links
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    # The service's own check (the end before the start) once the form reads well.
    form = filled(form_of(caf13, cid), start="2025-01-01", end="2024-01-01")
    refused = post(caf13, f"{BASE}/{cid}", form, f"{BASE}/{cid}")
    assert refused.status_code == 422
    assert "Date de fin antérieure à la date de début." in text_of(refused)
    assert stored(sqlite_app, cid) == before
    assert changes(sqlite_app.test_client(), console_world, cid) == ["convention_create"]


def upload(
    browser: Browser, cid: int, content: bytes, mime: str = "application/pdf"
) -> TestResponse:
    return browser.client.post(
        f"{BASE}/{cid}/document-signe",
        data={
            "csrf_token": browser.token(f"{BASE}/{cid}"),
            "document": (BytesIO(content), "signee.pdf", mime),
        },
        content_type="multipart/form-data",
    )


def test_the_signed_pdf_is_checked_kept_and_sent_back(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    for content, mime, message in (
        (b"GIF89a", "application/pdf", "signature %PDF- absente"),
        (PDF, "image/png", "PDF attendu"),
    ):
        refused = upload(caf13, cid, content, mime)
        assert refused.status_code == 422 and message in text_of(refused)
    assert stored(sqlite_app, cid)["document_sha256"] is None
    accepted = upload(caf13, cid, PDF)
    assert accepted.status_code == 303
    sha = stored(sqlite_app, cid)["document_sha256"]
    assert f"Empreinte SHA-256 : {sha}" in text_of(caf13.get(f"{BASE}/{cid}"))
    sent = caf13.get(f"{BASE}/{cid}/document-signe")
    assert sent.data == PDF and sent.mimetype == "application/pdf"
    assert sent.headers["X-Content-SHA256"] == sha
    assert "convention_document" in changes(sqlite_app.test_client(), console_world, cid)


def test_activation_lists_every_missing_piece_and_changes_nothing(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world, clauses=["parties"], signatories=[], start=None)
    refused = post(caf13, f"{BASE}/{cid}/activer", {}, f"{BASE}/{cid}")
    assert refused.status_code == 409
    shown = text_of(refused)
    assert "Rien n’a changé" in shown
    for piece in (
        "clause obligatoire non cochée : secret_statistique",
        "signataire manquant pour la partie « caf »",
        "date de début manquante",
        "document signé manquant (empreinte SHA-256)",
    ):
        assert piece in shown
    assert stored(sqlite_app, cid)["status"] == "brouillon"


def test_the_lifecycle_asks_before_suspending_and_terminating(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    assert upload(caf13, cid, PDF).status_code == 303
    assert post(caf13, f"{BASE}/{cid}/activer", {}, f"{BASE}/{cid}").status_code == 303
    page = text_of(caf13.get(f"{BASE}/{cid}"))
    assert "activée" in page and "Suspendre la convention" in page

    question = caf13.get(f"{BASE}/{cid}/suspendre")
    assert question.status_code == 200 and "Suspendre la convention" in text_of(question)
    assert stored(sqlite_app, cid)["status"] == "active"  # asking changes nothing
    no_reason = post(caf13, f"{BASE}/{cid}/suspendre", {"reason": ""}, f"{BASE}/{cid}/suspendre")
    assert no_reason.status_code == 422 and "Indiquez le motif" in text_of(no_reason)
    suspended = post(
        caf13, f"{BASE}/{cid}/suspendre", {"reason": "Facture impayée"}, f"{BASE}/{cid}/suspendre"
    )
    assert suspended.status_code == 303
    page = text_of(caf13.get(f"{BASE}/{cid}"))
    assert "Facture impayée" in page and "Reprendre la convention" in page
    assert post(caf13, f"{BASE}/{cid}/reprendre", {}, f"{BASE}/{cid}").status_code == 303
    assert stored(sqlite_app, cid)["status"] == "active"

    asked = text_of(caf13.get(f"{BASE}/{cid}/resilier"))
    assert "Résilier définitivement la convention" in asked
    ended = post(caf13, f"{BASE}/{cid}/resilier", {"reason": ""}, f"{BASE}/{cid}/resilier")
    assert ended.status_code == 303
    record = stored(sqlite_app, cid)
    assert record["status"] == "resiliee"
    assert [(h["from"], h["to"]) for h in record["history"]] == [
        ("brouillon", "active"),
        ("active", "suspendue"),
        ("suspendue", "active"),
        ("active", "resiliee"),
    ]
    again = post(caf13, f"{BASE}/{cid}/reprendre", {}, f"{BASE}/{cid}")
    assert again.status_code == 409 and "Rien n’a changé" in text_of(again)
    assert changes(sqlite_app.test_client(), console_world, cid)[-4:] == [
        "convention_activate",
        "convention_suspend",
        "convention_resume",
        "convention_terminate",
    ]


def test_renewal_makes_the_next_version_a_draft(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    upload(caf13, cid, PDF)
    post(caf13, f"{BASE}/{cid}/activer", {}, f"{BASE}/{cid}")
    wrong = post(
        caf13,
        f"{BASE}/{cid}/renouveler",
        {"start": "2100-01-01", "end": "2099-01-01"},
        f"{BASE}/{cid}/renouveler",
    )
    assert wrong.status_code == 422 and "La date de fin précède la date de début." in text_of(wrong)
    renewed = post(
        caf13,
        f"{BASE}/{cid}/renouveler",
        {"start": "2100-01-01", "end": "2102-12-31"},
        f"{BASE}/{cid}/renouveler",
    )
    new = created_id(renewed)
    assert new != cid
    page = text_of(caf13.get(f"{BASE}/{new}"))
    assert "v2 : brouillon" in page and "Version précédente : CONV-13-" in page
    assert "clause obligatoire non cochée" in page  # to be ticked again
    assert f"{BASE}/{new}" in caf13.get(f"{BASE}/{cid}").get_data(as_text=True)  # next version
    assert stored(sqlite_app, cid)["status"] == "active"


def test_the_document_to_sign_says_it_all(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    shown = text_of(caf13.get(f"{BASE}/{cid}/document"))
    assert "Convention de mise à disposition de données statistiques" in shown
    assert "Commune d'Aubagne" in shown and "Caf des Bouches-du-Rhône" in shown
    assert "Diagnostic petite enfance de la commune" in shown  # the finalité
    assert "Engagements au titre du secret statistique" in shown  # a clause's label...
    assert "Aucune tentative de réidentification" in shown  # ... and its text
    assert "Au plus 10 extraits par mois ; au plus 50 000 cellules par mois." in shown
    assert "2022, 2023" in shown
    assert "Pour la Caf des Bouches-du-Rhône Directrice de la Caf, directrice" in shown
    assert "Fait à" in shown and "prend effet le 01/01/2024" in shown


def test_a_requesters_person_is_refused(
    sqlite_app: Flask, console_world: World, commune13: Browser
) -> None:
    cid = draft(sqlite_app, console_world)
    for path in (BASE, f"{BASE}/{cid}", f"{BASE}/{cid}/document"):
        refused = commune13.get(path)
        assert refused.status_code == 403 and "non permise au type" in text_of(refused)
