"""People as administrators manage them, on both backends: invite, re-invite, change, disable."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from gateway.db.models import AccountToken, AdminChange, Person
from gateway.services.accounts import people as service
from gateway.services.accounts.tokens import digest
from gateway.services.accounts.values import PersonStatus
from policies.errors import Conflict, InvalidInput, NotFound
from tests.gateway.admin.conftest import World
from tests.support.accounts import People
from tests.support.state import get_database


def _changes(app: Flask, action: str) -> list[AdminChange]:
    with app.app_context(), get_database().sessions() as session:
        return list(session.scalars(select(AdminChange).where(AdminChange.action == action)))


def test_an_invitation_creates_an_invited_person_a_hashed_link_and_a_change(
    app: Flask, world: World
) -> None:
    admin, commune = world.id("admin_13"), world.id("commune_13")
    fields = {"email": "  Camille.Martin@Aubagne.FR ", "name": "Camille  Martin"}
    with app.app_context(), get_database().transaction() as session:
        invitation = service.invite_person(session, admin, commune, fields)
        person_id, token = invitation.person.id, invitation.token
    with app.app_context(), get_database().sessions() as session:
        person = session.get(Person, person_id)
        assert person is not None
        assert (person.email, person.name) == ("camille.martin@aubagne.fr", "Camille Martin")
        assert (person.role, person.status) == ("lecteur", PersonStatus.INVITE)
        assert person.password_hash is None and person.created_by == admin
        stored = session.scalars(select(AccountToken.token_hash)).all()
        assert stored == [digest(token)]  # the token itself is stored nowhere
    [change] = _changes(app, "person_invite")
    assert (change.actor_id, change.caf_code, change.entity) == (admin, "13", "person")
    assert change.before is None and change.after["email"] == "camille.martin@aubagne.fr"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"email": "pas-une-adresse", "name": "X"}, "email"),
        ({"email": "", "name": "X"}, "email"),
        ({"email": "a@b.fr", "name": "   "}, "name"),
    ],
)
def test_an_invitation_needs_an_address_and_a_name(
    app: Flask, world: World, fields: dict[str, str], error: str
) -> None:
    with (
        pytest.raises(InvalidInput) as refused,
        app.app_context(),
        get_database().transaction() as session,
    ):
        service.invite_person(session, None, world.id("commune_13"), fields)
    assert error in refused.value.errors


def test_an_address_belongs_to_one_person(app: Flask, world: World, people: People) -> None:
    people.invite("camille@aubagne.fr")
    with pytest.raises(Conflict), app.app_context(), get_database().transaction() as session:
        fields = {"email": "CAMILLE@aubagne.fr", "name": "Autre"}
        service.invite_person(session, None, world.id("cd_13"), fields)


def test_a_new_invitation_kills_the_previous_link(app: Flask, people: People) -> None:
    first = people.invite("camille@aubagne.fr")
    requester_id = people.world.id("commune_13")
    with app.app_context(), get_database().transaction() as session:
        second = service.reinvite_person(
            session, None, requester_id, people.ids["camille@aubagne.fr"]
        ).token
    with app.app_context(), get_database().sessions() as session:
        hashes = set(session.scalars(select(AccountToken.token_hash)))
    assert hashes == {digest(second)} and digest(first) not in hashes


def test_an_active_person_cannot_be_reinvited(app: Flask, people: People) -> None:
    person_id = people.active("camille@aubagne.fr")
    with pytest.raises(Conflict), app.app_context(), get_database().transaction() as session:
        service.reinvite_person(session, None, people.world.id("commune_13"), person_id)


def test_disabling_ends_every_session_and_enabling_restores_the_status(
    app: Flask, people: People
) -> None:
    person_id = people.active("camille@aubagne.fr")
    requester_id = people.world.id("commune_13")
    with app.app_context(), get_database().transaction() as session:
        before = session.get(Person, person_id).session_generation  # type: ignore[union-attr]
        disabled = service.update_person(session, None, requester_id, person_id, {"active": False})
        assert disabled.status == PersonStatus.DESACTIVE
        assert disabled.session_generation == before + 1
        enabled = service.update_person(
            session, None, requester_id, person_id, {"active": True, "role": "gestionnaire"}
        )
        assert (enabled.status, enabled.role) == (PersonStatus.ACTIF, "gestionnaire")
    changes = _changes(app, "person_update")
    assert [c.after["status"] for c in changes] == ["desactive", "actif"]


def test_people_do_not_cross_organisations(app: Flask, people: People) -> None:
    person_id = people.active("camille@aubagne.fr")
    with pytest.raises(NotFound), app.app_context(), get_database().transaction() as session:
        service.update_person(session, None, people.world.id("cd_13"), person_id, {"name": "X"})
    with app.app_context(), get_database().sessions() as session:
        listed = service.list_people(session, people.world.id("cd_13"))
        assert listed == []
        count = session.scalar(select(func.count()).select_from(Person))
        assert count == 1
