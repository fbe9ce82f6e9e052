"""Passwords: argon2id hashes (argon2-cffi), a minimum length and no trivial ones."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.services.accounts.values import RULES, field_error

#: Words every dictionary attack tries first; a password that is one of them, give or take
#: digits and signs around it, is refused whatever its length.
TRIVIAL_WORDS = frozenset(
    {
        "password", "passw0rd", "motdepasse", "motdepass", "azerty", "azertyuiop", "qwerty",
        "qwertyuiop", "abcdef", "abcdefgh", "abcdefghijkl", "abc", "admin", "administrateur",
        "administrator", "bonjour", "soleil", "doudou", "loulou", "chouchou", "marseille",
        "paris", "france", "caf", "cnaf", "passerelle", "iloveyou", "jetaime", "welcome",
        "bienvenue", "letmein", "secret", "test", "changeme", "login", "user", "utilisateur",
    }
)  # fmt: skip
_KEYBOARD_RUNS = (
    "0123456789",
    "9876543210",
    "azertyuiop",
    "qwertyuiop",
    "abcdefghijklmnopqrstuvwxyz",
)
_NUMBERS = re.compile(r"[\d\s\-./]+")
_AROUND = re.compile(r"^[\W\d_]*(?P<core>.*?)[\W\d_]*$")


@dataclass(frozen=True)
class Passwords:
    """The hasher of one gateway: RFC 9106's low-memory argon2id; the cheapest in tests only."""

    hasher: PasswordHasher
    #: A hash no password matches: checked when an address has no account, so that an
    #: unknown address takes as long to refuse as a wrong password (no timing hint).
    decoy: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "decoy", self.hasher.hash(secrets.token_urlsafe(32)))

    @classmethod
    def for_environment(cls, env: str) -> Passwords:
        if env == "test":  # hashing at 64 MiB per call would dominate the test suite
            return cls(PasswordHasher.from_parameters(profiles.CHEAPEST))
        return cls(PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, hashed: str | None, password: str) -> bool:
        """Check a password against its hash; with no hash, check the decoy and say no."""
        try:
            return self.hasher.verify(hashed or self.decoy, password) and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        return self.hasher.check_needs_rehash(hashed)


def check_password(password: str, confirmation: str, *, email: str, name: str) -> None:
    """Refuse a password that is too short, too long, trivial, or unlike its confirmation."""
    message = _weakness(password, email=email, name=name)
    if message:
        raise field_error("password", message)
    if confirmation != password:
        raise field_error("confirmation", "Les deux mots de passe saisis sont différents.")


def _weakness(password: str, *, email: str, name: str) -> str | None:
    if len(password) < RULES.password_min_length:
        return f"Choisissez un mot de passe d'au moins {RULES.password_min_length} caractères."
    if len(password) > RULES.password_max_length:
        return f"Choisissez un mot de passe de {RULES.password_max_length} caractères au plus."
    if _is_trivial(password, email=email, name=name):
        return (
            "Ce mot de passe est trop facile à deviner (mot courant, suite de touches, "
            "votre nom ou votre adresse) : choisissez-en un autre, une phrase par exemple."
        )
    return None


def _is_trivial(password: str, *, email: str, name: str) -> bool:
    plain = _fold(password)
    match = _AROUND.match(plain)
    core = match.group("core") if match else plain
    return (
        len(set(plain)) <= 3  # "aaaaaaaaaaaa", "abababababab"
        or _NUMBERS.fullmatch(plain) is not None  # dates, telephone numbers
        or core in TRIVIAL_WORDS
        or any(plain in run * 2 for run in _KEYBOARD_RUNS)  # "123456789012", "azertyuiopaz"
        or _repeats(core)  # "motdepassemotdepasse", "azeazeazeaze"
        or _only_personal(core, f"{email.rpartition('.')[0]} {name}")  # not the TLD
    )


def _only_personal(core: str, personal: str) -> bool:
    """Tell whether the password is the person's name or address, give or take digits."""
    parts = {_fold(part) for part in re.split(r"[\W_]+", personal) if len(part) >= 3}
    rest = core
    for part in sorted(parts, key=len, reverse=True):
        rest = rest.replace(part, "")
    return bool(core) and bool(parts) and rest.strip("0123456789 -_.") == ""


def _repeats(text: str) -> bool:
    return any(
        len(text) % size == 0 and text[:size] * (len(text) // size) == text
        for size in range(1, len(text) // 2 + 1)
    )


def _fold(text: str) -> str:
    """Lower case without accents: "Motdepassé" and "motdepasse" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
