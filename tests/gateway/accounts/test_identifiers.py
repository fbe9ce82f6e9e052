"""SIREN and SIRET: the Luhn key, La Poste's exception, and the messages of each refusal."""

from __future__ import annotations

import pytest

from gateway.services.accounts.identifiers import luhn_valid, normalise_siret
from policies.errors import InvalidInput


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("732829320", True),  # a SIREN whose key holds
        ("732829321", False),
        ("73282932000074", True),  # a SIRET of that SIREN
        ("73282932000075", False),
        ("0", True),
        ("18", True),
        ("19", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("732 829 320", "732829320"),
        (" 732 829 320 00074 ", "73282932000074"),
        ("35600000000048", "35600000000048"),  # La Poste's head office: Luhn-valid
        ("35600000049837", "35600000049837"),  # a post office: its digits sum to 45
    ],
)
def test_accepted_numbers_are_stored_without_spaces(raw: str, stored: str) -> None:
    assert normalise_siret(raw) == stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Saisissez le numéro SIREN ou SIRET"),
        ("12345", "9 chiffres"),
        ("7328293200007A", "9 chiffres"),
        ("732829321", "Ce numéro SIREN n'existe pas"),
        ("73282932000075", "Ce numéro SIRET n'existe pas"),
        ("35600000049838", "Ce numéro SIRET n'existe pas"),
    ],
)
def test_refused_numbers_name_the_field(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_siret(raw)
    assert message in refused.value.errors["siret"][0]
