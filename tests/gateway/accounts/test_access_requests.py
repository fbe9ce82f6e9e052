"""Access requests on both backends: every field checked, approval and rejection recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from gateway.db.models import AdminChange, Person, Requester
from gateway.services.accounts import access_requests as service
from gateway.services.accounts.values import AccessRequestStatus, PersonStatus
from policies.errors import AccessDenied, Conflict, InvalidInput
from tests.gateway.admin.conftest import World
from tests.support.state import get_database

GOOD: dict[str, Any] = {
    "organisation": "Commune de La Ciotat",
    "siret": "732 829 320",
    "requester_type": "commune",
    "caf_code": "13",
    "territory_level": "commune",
    "territory_code": "13028",
    "purpose": "Diagnostic territorial de la petite enfance pour le schéma communal.",
    "contact_name": "Dominique Roux",
    "contact_email": "D.Roux@laciotat.fr",
}


def _submit(app: Flask, **changes: Any) -> int:
    with app.app_context(), get_database().transaction() as session:
        return service.submit_access_request(session, {**GOOD, **changes}).id


def test_a_request_is_stored_normalised_and_pending(app: Flask) -> None:
    request_id = _submit(app)
    with app.app_context(), get_database().sessions() as session:
        record = service.get_access_request(session, request_id)
        assert (record.siret, record.contact_email) == ("732829320", "d.roux@laciotat.fr")
        assert record.status == AccessRequestStatus.EN_ATTENTE


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"organisation": ""}, {"organisation"}),
        ({"siret": "732829321"}, {"siret"}),
        ({"requester_type": "admin_caf"}, {"requester_type"}),
        ({"requester_type": "grand_public"}, {"requester_type"}),
        ({"caf_code": "999"}, {"caf_code"}),
        ({"territory_level": "", "territory_code": ""}, {"territory_level"}),  # a commune's own
        ({"territory_code": "99999"}, {"territory_code"}),
        ({"purpose": "Pour voir."}, {"purpose"}),
        ({"contact_email": "roux-at-laciotat"}, {"contact_email"}),
        ({"siret": "", "contact_name": "", "purpose": ""}, {"siret", "contact_name", "purpose"}),
    ],
)
def test_every_wrong_field_is_named(app: Flask, changes: dict[str, str], fields: set[str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        _submit(app, **changes)
    assert set(refused.value.errors) == fields


def test_a_private_firm_needs_no_territory(app: Flask) -> None:
    changes = {"requester_type": "cabinet_prive", "territory_level": "", "territory_code": ""}
    _submit(app, **changes)


def test_approval_creates_the_requester_and_invites_its_first_gestionnaire(
    app: Flask, world: World
) -> None:
    request_id, admin = _submit(app), world.id("admin_13")
    with app.app_context(), get_database().transaction() as session:
        approval = service.approve_access_request(session, admin, request_id)
        token = approval.invitation.token
    assert token
    with app.app_context(), get_database().sessions() as session:
        record = service.get_access_request(session, request_id)
        assert record.status == AccessRequestStatus.APPROUVEE and record.decided_by == admin
        requester = session.get(Requester, record.requester_id)
        person = session.get(Person, record.person_id)
        assert requester is not None and person is not None
        assert (requester.name, requester.type, requester.caf_code) == (
            "Commune de La Ciotat",
            "commune",
            "13",
        )
        assert (person.email, person.role, person.status) == (
            "d.roux@laciotat.fr",
            "gestionnaire",
            PersonStatus.INVITE,
        )
        actions = session.scalars(select(AdminChange.action).order_by(AdminChange.id)).all()
    assert actions[-3:] == ["requester_create", "person_invite", "access_request_approve"]


def test_approval_may_join_an_existing_requester_of_the_caf(app: Flask, world: World) -> None:
    request_id = _submit(app)
    with app.app_context(), get_database().transaction() as session:
        approval = service.approve_access_request(
            session, None, request_id, requester_id=world.id("commune_13")
        )
        assert approval.invitation.person.role == "lecteur"
    other = _submit(app, contact_email="autre@laciotat.fr")
    with pytest.raises(InvalidInput), app.app_context(), get_database().transaction() as session:
        service.approve_access_request(session, None, other, requester_id=world.id("commune_33"))


def test_a_caf_administrator_cannot_approve_a_territory_outside_its_caf(
    app: Flask, world: World
) -> None:
    request_id = _submit(app, territory_level="commune", territory_code="33281")
    with pytest.raises(AccessDenied), app.app_context(), get_database().transaction() as session:
        service.approve_access_request(session, world.id("admin_13"), request_id)
    with app.app_context(), get_database().sessions() as session:  # all or nothing
        entities = set(session.scalars(select(AdminChange.entity)))
        assert entities == {"requester"}  # the administrator's own, made by the world
        assert session.scalars(select(Person)).all() == []


def test_rejection_needs_a_reason_and_a_request_is_decided_once(app: Flask) -> None:
    request_id = _submit(app)
    with pytest.raises(InvalidInput), app.app_context(), get_database().transaction() as session:
        service.reject_access_request(session, None, request_id, "  non ")
    with app.app_context(), get_database().transaction() as session:
        record = service.reject_access_request(session, None, request_id, "Hors du champ")
        assert record.status == AccessRequestStatus.REJETEE
    with pytest.raises(Conflict), app.app_context(), get_database().transaction() as session:
        service.approve_access_request(session, None, request_id)


def test_listings_are_confined_to_a_caf_and_a_status(app: Flask) -> None:
    first, second = _submit(app), _submit(app, caf_code="33", territory_code="33281")
    with app.app_context(), get_database().transaction() as session:
        service.reject_access_request(session, None, first, "Hors du champ")
    with app.app_context(), get_database().sessions() as session:

        def ids(**filters: Any) -> list[int]:
            found = service.list_access_requests(session, **filters).items
            return [r.id for r in found]

        assert ids(caf_code=None) == [first, second]
        assert ids(caf_code="13") == [first]
        assert ids(caf_code=None, status="en_attente") == [second]
