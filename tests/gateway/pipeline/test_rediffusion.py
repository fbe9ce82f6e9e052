"""What a convention lets another requester rediffuse counts as known to the receiver."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update

from gateway.db.models import ConventionRecord, Requester
from gateway.services.catalogue.queries import current_catalogue
from gateway.services.conventions.queries import audiences
from gateway.services.ledger import queries as ledger
from tests.support.state import get_database

BODY = {
    "indicators": ["ENF_MOINS_3"],
    "territories": {"parent_level": "epci", "parent_code": "200054807", "level": "commune"},
    "periods": [2024],
    "use": "usage_final",
    "totals": True,  # the EPCI total links every commune to Aubagne
}


def _id(session, kind: str) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(Requester.id).where(Requester.type == kind)))


def test_rediffused_releases_link_into_the_receivers_protection(
    sqlite_app: Flask, keys: dict[str, dict[str, str]]
) -> None:
    client = sqlite_app.test_client()
    assert (
        client.post("/api/v1/extracts", json=BODY, headers=keys["service_etat"]).status_code == 200
    )
    with sqlite_app.app_context(), get_database().transaction() as session:
        sender, receiver = _id(session, "service_etat"), _id(session, "conseil_departemental")
        assert audiences(session, receiver) == (receiver, None)
        session.execute(
            update(ConventionRecord)
            .where(ConventionRecord.requester_id == sender)
            .values(rediffusion_to=[str(receiver)])
        )
    with sqlite_app.app_context(), get_database().sessions() as session:
        known_to = audiences(session, receiver)
        assert known_to == (receiver, None, sender)
        released = ledger.linked_cells(
            session,
            audiences=known_to,
            related=current_catalogue(session).related_set("ENF_MOINS_3"),
            period=2024,
            communes=frozenset(["13005"]),
        )
    assert len(released.cells) >= 90  # every commune the sender received, linked through the total
