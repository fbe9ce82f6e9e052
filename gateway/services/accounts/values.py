"""Values of the accounts: statuses, link purposes, the rules' numbers, e-mail addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from policies.access.people import PersonRole
from policies.errors import InvalidInput

__all__ = [
    "RULES",
    "AccessRequestStatus",
    "AccountRules",
    "PersonRole",
    "PersonStatus",
    "TokenPurpose",
    "field_error",
    "normalise_email",
]


class PersonStatus(StrEnum):
    """Where a person's account stands."""

    INVITE = "invite"  # invited: no password yet
    ACTIF = "actif"
    DESACTIVE = "desactive"  # disabled by an administrator: no sign-in, no link works


class TokenPurpose(StrEnum):
    """What a single-use link is for."""

    INVITATION = "invitation"
    REINITIALISATION = "reinitialisation"  # password reset


class AccessRequestStatus(StrEnum):
    """Where an organisation's access request stands."""

    EN_ATTENTE = "en_attente"
    APPROUVEE = "approuvee"
    REJETEE = "rejetee"


@dataclass(frozen=True)
class AccountRules:
    """The numbers of the accounts' security, in one place."""

    password_min_length: int = 12  # characters (ANSSI: 12 at least for a user password)
    password_max_length: int = 256  # characters: longer ones are refused, not truncated
    lockout_threshold: int = 5  # consecutive failed sign-ins that lock the account...
    lockout_duration: timedelta = timedelta(minutes=15)  # ...for this long
    invitation_validity: timedelta = timedelta(days=7)
    reset_validity: timedelta = timedelta(hours=1)
    session_lifetime: timedelta = timedelta(hours=12)  # then sign in again, active or not
    public_forms_per_hour: int = 10  # reset and access requests, per source address


RULES = AccountRules()

# Deliberately loose: one @, no spaces, a dot in the domain; the link sent proves the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str, field: str = "email") -> str:
    """Return the address as the identifier is stored (trimmed, lower case), or refuse it."""
    email = raw.strip().lower()
    if not email:
        raise field_error(field, "Saisissez une adresse électronique.")
    if len(email) > 254 or not _EMAIL.match(email):
        raise field_error(
            field, "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
        )
    return email


def field_error(field: str, message: str) -> InvalidInput:
    """Return the 422 error naming one field."""
    return InvalidInput("Certains champs sont invalides.", errors={field: [message]})
