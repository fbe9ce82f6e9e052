"""Passwords: argon2id hashes, a minimum length, no trivial ones, the confirmation matches."""

from __future__ import annotations

import pytest

from gateway.services.accounts.passwords import Passwords, check_password
from policies.errors import InvalidInput

EMAIL, NAME = "jean.dupont@mairie-aubagne.fr", "Jean Dupont"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("court", "au moins 12"),
        ("x" * 257, "256 caractères au plus"),
        ("motdepasse2024!", "trop facile"),
        ("Azertyuiop12", "trop facile"),
        ("123456789012", "trop facile"),
        ("aaaaaaaaaaaaaaa", "trop facile"),
        ("abcabcabcabcabc", "trop facile"),
        ("motdepassemotdepasse", "trop facile"),
        ("31121999 0612345678", "trop facile"),  # digits only, bar a space
        ("jeandupont2024", "trop facile"),  # the name
        ("Dupont-Jean-1980", "trop facile"),
        ("mairie-aubagne", "trop facile"),  # the address
        ("Bienvenue!!2025", "trop facile"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password, password, email=EMAIL, name=NAME)
    assert why in refused.value.errors["password"][0]


@pytest.mark.parametrize(
    "password",
    ["Trois chats gris dorment", "Ma fille aime les chevaux", "8#4!2@9$1%7^", "Cafés & crèches 13"],
)
def test_reasonable_passwords_pass(password: str) -> None:
    check_password(password, password, email=EMAIL, name=NAME)


def test_the_confirmation_must_match() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password("Trois chats gris dorment", "Trois chats gris", email=EMAIL, name=NAME)
    assert set(refused.value.errors) == {"confirmation"}


@pytest.mark.parametrize("env", ["test", "production"])
def test_hashes_are_argon2id_and_verify(env: str) -> None:
    passwords = Passwords.for_environment(env)
    hashed = passwords.hash("Trois chats gris dorment")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "Trois chats gris dorment")
    assert not passwords.verify(hashed, "Trois chats gris dorment ")
    assert not passwords.verify(None, "Trois chats gris dorment")  # no account: the decoy
    assert not passwords.verify("pas un hachage", "x")


def test_production_parameters_are_rfc_9106_low_memory() -> None:
    hasher = Passwords.for_environment("production").hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    cheap = Passwords.for_environment("test").hash("Trois chats gris dorment")
    assert Passwords.for_environment("production").needs_rehash(cheap)
