"""The record's audit log: confined to the Caf, filtered, exported, its chain verified."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from gateway.db.models import AuditEntry, AuditHead
from gateway.services.audit import queries as audit_log
from policies.audit_chain import entry_hash
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of


def _append(app: Flask, requester_id: int, n: int = 1, **overrides: Any) -> list[int]:
    """Append `n` decisions of a requester through the audit service; return their ids."""
    ids = []
    for i in range(n):
        fields: dict[str, Any] = {
            "requester_id": requester_id,
            "key_prefix": "abcd1234",
            "action": "extract_create",
            "fingerprint": f"{i:064x}",
            "decision": audit_log.ALLOWED,
            "rules": ["convention.couverture"],
            "convention_ref": "CONV-13-2026-001 v1",
            "cells_delivered": 100 + i,
            "cells_suppressed": 3,
            "price": Decimal("12.30"),
            "details": {"requete": f"POST /api/v1/extracts n{i}"},
            **overrides,
        }
        with app.app_context(), get_database().transaction() as session:
            ids.append(audit_log.append_entry(session, **fields).id)
    return ids


def _alter(app: Flask, entry_id: int) -> None:
    """Edit an entry's row behind the chain's back (as an intruder with the database would)."""
    with app.app_context(), get_database().engine.begin() as connection:
        connection.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(cells_delivered=99)
        )


def test_the_log_shows_the_cafs_entries_newest_first(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    _append(sqlite_app, console_world.id("commune_13"), 2)
    _append(sqlite_app, console_world.id("commune_33"), 1, details={"requete": "GET /pessac"})

    page = caf13.get("/administration/registre")

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    shown = text_of(page)
    assert "Commune d'Aubagne" in shown and "/pessac" not in shown
    assert "Demander un extrait" in shown and "Autorisée" in shown
    assert "convention.couverture" in shown
    assert shown.index("POST /api/v1/extracts n1") < shown.index("POST /api/v1/extracts n0")


def test_filters_use_the_apis_rules_and_say_what_is_wrong(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = console_world.id("commune_13")
    _append(sqlite_app, aubagne, 1)
    _append(sqlite_app, aubagne, 1, decision=audit_log.REFUSED, details={"requete": "GET /non"})

    refused = text_of(caf13.get("/administration/registre?decision=refused"))
    assert "GET /non" in refused and "n0" not in refused
    by_requester = text_of(caf13.get(f"/administration/registre?requester_id={aubagne}"))
    assert "GET /non" in by_requester and "n0" in by_requester

    wrong = caf13.get(
        "/administration/registre?decision=peut-etre&since=2026-05-02&until=2026-05-01"
    )
    assert wrong.status_code == 422
    shown = text_of(wrong)
    assert "Valeur inconnue" in shown
    assert "La date de fin précède la date de début." in shown


def test_the_csv_export_is_the_apis_with_the_same_filters(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    _append(sqlite_app, console_world.id("commune_13"), 1)
    _append(sqlite_app, console_world.id("commune_13"), 1, decision=audit_log.REFUSED)
    _append(sqlite_app, console_world.id("commune_33"), 1)

    page = caf13.get("/administration/registre?decision=refused")
    assert 'href="/administration/registre.csv?decision=refused"' in page.get_data(as_text=True)
    exported = caf13.get("/administration/registre.csv?decision=refused")
    api = sqlite_app.test_client().get(
        "/api/v1/admin/audit.csv?decision=refused", headers=console_world.headers("admin_13")
    )

    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == 'attachment; filename="journal-audit.csv"'
    assert exported.headers["Cache-Control"] == "private, no-store"
    assert exported.get_data(as_text=True) == api.get_data(as_text=True)
    assert len(exported.get_data(as_text=True).splitlines()) == 2  # header + the one refusal


def test_verifying_an_intact_chain_counts_its_entries(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    _append(sqlite_app, console_world.id("commune_13"), 3)
    with sqlite_app.app_context(), get_database().transaction() as session:
        checked = audit_log.verify(session).checked

    page = caf13.submit(
        "/administration/registre/verification", {}, form_at="/administration/registre"
    )

    assert page.status_code == 200
    assert f"Chaîne intègre : {checked} entrées vérifiées." in text_of(page)


def test_an_altered_entry_is_named_first_with_its_time_and_what_is_wrong(
    sqlite_app: Flask, console_world: World, caf13: Browser, caf33: Browser
) -> None:
    ids = _append(sqlite_app, console_world.id("commune_13"), 3)
    _alter(sqlite_app, ids[1])
    _alter(sqlite_app, ids[2])  # a later alteration: the first one is named

    page = caf13.submit(
        "/administration/registre/verification", {}, form_at="/administration/registre"
    )

    shown = text_of(page)
    assert f"première entrée altérée n° {ids[1]}" in shown
    assert "contenu modifié : empreinte invalide" in shown
    assert "Horodatage enregistré" in shown and " UTC" in shown
    assert "Commune d'Aubagne" in shown and "POST /api/v1/extracts n1" in shown
    # Another Caf's administrator learns the id and what is wrong, not the content.
    other = text_of(
        caf33.submit(
            "/administration/registre/verification", {}, form_at="/administration/registre"
        )
    )
    assert f"première entrée altérée n° {ids[1]}" in other
    assert "ne concerne pas votre Caf" in other
    assert "Aubagne" not in other and "extracts n1" not in other


def test_verification_needs_the_csrf_token(caf13: Browser) -> None:
    assert caf13.client.post("/administration/registre/verification").status_code == 400


def test_a_national_administrator_sees_every_caf(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    _append(sqlite_app, console_world.id("commune_13"), 1)
    _append(sqlite_app, console_world.id("commune_33"), 1, details={"requete": "GET /pessac"})

    shown = text_of(cnaf.get("/administration/registre"))
    assert "Commune d'Aubagne (Caf 13)" in shown and "Commune de Mérignac (Caf 33)" in shown
    only = text_of(cnaf.get("/administration/registre?caf_code=33"))
    assert "GET /pessac" in only and "Commune d'Aubagne (Caf 13)" not in only


def test_an_entry_edited_and_the_chain_recomputed_without_the_key_is_named(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    """An intruder with the database edits an entry, then recomputes every later hash with
    the formula he can read in the code (no key): the console still names the entry."""
    ids = _append(sqlite_app, console_world.id("commune_13"), 3)
    with sqlite_app.app_context(), get_database().transaction() as session:
        prev = None
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.id >= ids[1])):
            entry.cells_delivered = 0 if entry.id == ids[1] else entry.cells_delivered
            entry.prev_hash = prev or entry.prev_hash
            entry.hash = prev = entry_hash(entry.prev_hash, audit_log.payload(entry))
            session.flush()
        session.get(AuditHead, audit_log.HEAD_ID).last_hash = prev  # type: ignore[union-attr]

    page = caf13.submit(
        "/administration/registre/verification", {}, form_at="/administration/registre"
    )

    shown = text_of(page)
    assert f"première entrée altérée n° {ids[1]}" in shown
    assert "entrée non signée après des entrées signées" in shown
    assert "Commune d'Aubagne" in shown and "POST /api/v1/extracts n1" in shown
