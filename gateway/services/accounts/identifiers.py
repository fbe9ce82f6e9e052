"""SIREN and SIRET numbers: nine or fourteen digits whose Luhn checksum holds."""

from __future__ import annotations

from policies.errors import InvalidInput

#: La Poste's establishments share one SIREN and too many SIRETs for the Luhn key: apart
#: from its head office (Luhn-valid), INSEE checks them by the sum of their digits, a
#: multiple of 5.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check (every second digit doubled)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalise_siret(raw: str, field: str = "siret") -> str:
    """Return a SIREN (9 digits) or a SIRET (14 digits) without spaces, or refuse it."""
    number = "".join(raw.split())
    if not number:
        raise _invalid(field, "Saisissez le numéro SIREN ou SIRET de l'organisation.")
    if not number.isdigit() or len(number) not in (9, 14):
        raise _invalid(field, "Un numéro SIREN compte 9 chiffres, un numéro SIRET 14 chiffres.")
    if len(number) == 14 and number.startswith(LA_POSTE_SIREN):
        valid = luhn_valid(number) or sum(int(c) for c in number) % 5 == 0
    else:
        valid = luhn_valid(number)
    if not valid:
        kind = "SIREN" if len(number) == 9 else "SIRET"
        raise _invalid(
            field, f"Ce numéro {kind} n'existe pas (clé de contrôle fausse) : vérifiez-le."
        )
    return number


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("Certains champs sont invalides.", errors={field: [message]})
