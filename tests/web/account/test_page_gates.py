"""A page's gate refusing a signed-in person is in the audit chain, as an API gate's is."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from gateway.db.models import AuditEntry
from gateway.services.audit import queries as audit_log
from tests.gateway.admin.conftest import World
from tests.support.accounts import PASSWORD, People
from tests.support.state import get_database
from tests.web.account.conftest import Browser

EMAIL = "camille@aubagne.fr"


def _refusals(app: Flask) -> list[AuditEntry]:
    with app.app_context(), get_database().transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.decision == audit_log.REFUSED)
        ).all()
        assert audit_log.verify(session).ok
        session.expunge_all()
        return list(entries)


def test_a_lecteur_refused_the_keys_pages_is_in_the_audit_chain(
    browser: Browser, people: People, world: World, sqlite_app: Flask
) -> None:
    people.active(EMAIL, role="lecteur")
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.get("/compte/cles").status_code == 403
    created = browser.submit("/compte/cles", {"label": "Observatoire"}, form_at="/compte")
    assert created.status_code == 403
    entries = [
        (e.action, e.rules, e.requester_id, e.key_prefix, e.details["requete"])
        for e in _refusals(sqlite_app)
    ]
    requester = world.id("commune_13")
    assert entries == [
        ("organisation_keys_read", ["autorisation.role"], requester, None, "GET /compte/cles"),
        ("organisation_keys_manage", ["autorisation.role"], requester, None, "POST /compte/cles"),
    ]


def test_an_allowed_page_adds_no_refusal(
    browser: Browser, people: People, sqlite_app: Flask
) -> None:
    people.active(EMAIL, role="gestionnaire")
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.get("/compte/cles").status_code == 200
    assert browser.get("/compte").status_code == 200
    assert _refusals(sqlite_app) == []
