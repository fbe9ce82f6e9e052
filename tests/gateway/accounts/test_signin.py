"""Sign-in on both backends: the lockout, single-use links, sessions that end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from gateway.db.models import AccountToken, Person
from gateway.services.accounts import links
from gateway.services.accounts.passwords import Passwords
from gateway.services.accounts.signin import Outcome, person_for_session, sign_in, sign_out
from gateway.services.accounts.tokens import InvalidLink
from gateway.services.accounts.values import RULES, TokenPurpose
from policies.errors import InvalidInput
from tests.support.accounts import PASSWORD, People
from tests.support.state import get_database

EMAIL = "camille@aubagne.fr"


def _attempt(app: Flask, passwords: Passwords, password: str, email: str = EMAIL) -> Outcome:
    with app.app_context(), get_database().transaction() as session:
        return sign_in(session, passwords, email, password).outcome


def test_the_right_password_signs_in_and_records_when(
    app: Flask, people: People, passwords: Passwords
) -> None:
    person_id = people.active(EMAIL)
    assert _attempt(app, passwords, PASSWORD, " Camille@Aubagne.fr ") is Outcome.SIGNED_IN
    with app.app_context(), get_database().sessions() as session:
        person = session.get(Person, person_id)
        assert person is not None and person.last_sign_in_at is not None


def test_five_failures_lock_the_account_even_for_the_right_password(
    app: Flask, people: People, passwords: Passwords
) -> None:
    people.active(EMAIL)
    outcomes = [_attempt(app, passwords, "mauvais mot de passe") for _ in range(5)]
    assert outcomes == [Outcome.REFUSED] * 4 + [Outcome.LOCKED]
    assert _attempt(app, passwords, PASSWORD) is Outcome.LOCKED
    with app.app_context(), get_database().transaction() as session:  # the lock runs out
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(Person).values(locked_until=past))
    assert _attempt(app, passwords, PASSWORD) is Outcome.SIGNED_IN


def test_a_success_resets_the_failure_count(
    app: Flask, people: People, passwords: Passwords
) -> None:
    people.active(EMAIL)
    for _ in range(RULES.lockout_threshold - 1):
        _attempt(app, passwords, "mauvais mot de passe")
    assert _attempt(app, passwords, PASSWORD) is Outcome.SIGNED_IN
    assert _attempt(app, passwords, "mauvais mot de passe") is Outcome.REFUSED


@pytest.mark.parametrize("state", ["inconnue", "invitee", "desactivee"])
def test_no_active_account_reads_as_unknown(
    app: Flask, people: People, passwords: Passwords, state: str
) -> None:
    if state == "invitee":
        people.invite(EMAIL)
    if state == "desactivee":
        person_id = people.active(EMAIL)
        with app.app_context(), get_database().transaction() as session:
            session.execute(update(Person).where(Person.id == person_id).values(status="desactive"))
    assert _attempt(app, passwords, PASSWORD) is Outcome.UNKNOWN


def test_an_invitation_link_works_once(app: Flask, people: People, passwords: Passwords) -> None:
    token = people.invite(EMAIL)
    with app.app_context(), get_database().transaction() as session:
        links.accept_invitation(session, passwords, token, PASSWORD, PASSWORD)
    with pytest.raises(InvalidLink), app.app_context(), get_database().transaction() as session:
        links.accept_invitation(session, passwords, token, PASSWORD, PASSWORD)


def test_an_expired_link_is_dead(app: Flask, people: People, passwords: Passwords) -> None:
    token = people.invite(EMAIL)
    with app.app_context(), get_database().transaction() as session:
        session.execute(update(AccountToken).values(expires_at=datetime.now(UTC)))
    with pytest.raises(InvalidLink), app.app_context(), get_database().sessions() as session:
        links.link_holder(session, token, TokenPurpose.INVITATION)


def test_a_weak_password_leaves_the_link_alive(
    app: Flask, people: People, passwords: Passwords
) -> None:
    token = people.invite(EMAIL)
    with pytest.raises(InvalidInput), app.app_context(), get_database().transaction() as session:
        links.accept_invitation(session, passwords, token, "court", "court")
    with app.app_context(), get_database().sessions() as session:
        assert links.link_holder(session, token, TokenPurpose.INVITATION).email == EMAIL


def test_a_link_of_one_purpose_does_not_serve_the_other(
    app: Flask, people: People, passwords: Passwords
) -> None:
    token = people.invite(EMAIL)
    with pytest.raises(InvalidLink), app.app_context(), get_database().transaction() as session:
        links.reset_password(session, passwords, token, PASSWORD, PASSWORD)


def test_a_reset_changes_the_password_lifts_the_lock_and_ends_sessions(
    app: Flask, people: People, passwords: Passwords
) -> None:
    person_id = people.active(EMAIL)
    for _ in range(RULES.lockout_threshold):
        _attempt(app, passwords, "mauvais mot de passe")
    with app.app_context(), get_database().transaction() as session:
        generation = session.get(Person, person_id).session_generation  # type: ignore[union-attr]
        issued = links.request_reset(session, EMAIL)
    assert issued is not None and issued.purpose is TokenPurpose.REINITIALISATION
    new = "Quatre souris blanches dansent"
    with app.app_context(), get_database().transaction() as session:
        links.reset_password(session, passwords, issued.token, new, new)
        since = datetime.now(UTC)
        assert person_for_session(session, person_id, generation, since) is None
    assert _attempt(app, passwords, PASSWORD) is Outcome.REFUSED
    assert _attempt(app, passwords, new) is Outcome.SIGNED_IN


def test_a_reset_request_for_an_invited_person_sends_a_new_invitation(
    app: Flask, people: People
) -> None:
    people.invite(EMAIL)
    with app.app_context(), get_database().transaction() as session:
        issued = links.request_reset(session, EMAIL)
        assert issued is not None and issued.purpose is TokenPurpose.INVITATION
        assert links.request_reset(session, "personne@nulle-part.fr") is None


def test_a_session_ends_with_sign_out_and_with_its_lifetime(app: Flask, people: People) -> None:
    person_id = people.active(EMAIL)
    now = datetime.now(UTC)
    with app.app_context(), get_database().transaction() as session:
        generation = session.get(Person, person_id).session_generation  # type: ignore[union-attr]
        assert person_for_session(session, person_id, generation, now) is not None
        old = now - RULES.session_lifetime - timedelta(seconds=1)
        assert person_for_session(session, person_id, generation, old) is None
        sign_out(session, person_id)
        assert person_for_session(session, person_id, generation, now) is None
        assert person_for_session(session, person_id, generation + 1, now) is not None
