"""Reading JSON-like mappings into typed values, collecting every field error."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from policies.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_MISSING = object()


class Reader:
    """Read fields by dotted path; record an error naming the field instead of raising."""

    def __init__(self, data: object, what: str) -> None:
        self.data = data
        self.what = what
        self.errors: list[str] = []
        if not isinstance(data, Mapping):
            self.errors.append(f"{what}: un objet (mapping) est attendu")

    def raise_if_errors(self) -> None:
        """Raise InvalidInput listing every error found so far."""
        if self.errors:
            raise InvalidInput(f"{self.what} invalide.", self.errors)

    def raw(self, path: str, default: object = _MISSING) -> object:
        """Return the value at a dotted path, or record it as missing."""
        node: object = self.data
        for key in path.split("."):
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]  # "lignes.0.code": the first line's code
            elif isinstance(node, Mapping) and key in node:
                node = node[key]
            else:
                if default is _MISSING:
                    self.errors.append(f"{path}: champ obligatoire")
                return default
        return node

    def only(self, path: str, allowed: Iterable[str]) -> None:
        """Record the keys of the mapping at `path` (or the root) that are not allowed."""
        node = self.raw(path, None) if path else self.data
        if isinstance(node, Mapping):
            prefix = f"{path}." if path else ""
            unknown = sorted(set(map(str, node)) - set(allowed))
            self.errors += [f"{prefix}{key}: champ inconnu" for key in unknown]

    def decimal(self, path: str, default: object = _MISSING) -> Decimal:
        """Read an exact number given as a string, an integer or a (YAML) float."""
        return self.to_decimal(path, self.raw(path, default))

    def to_decimal(self, path: str, value: object) -> Decimal:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            try:
                number = Decimal(str(value))  # str() keeps a YAML 0.30 as 0.30
            except InvalidOperation:
                number = Decimal("NaN")
            if number.is_finite():
                return number
        if value is not _MISSING:
            self.errors.append(f'{path}: nombre attendu (par exemple "0.30")')
        return Decimal(0)

    def integer(self, path: str, default: object = _MISSING) -> int:
        return self._typed(path, default, int, "nombre entier attendu", 0)

    def boolean(self, path: str, default: object = _MISSING) -> bool:
        return self._typed(path, default, bool, "true ou false attendu", False)

    def text(self, path: str, default: object = _MISSING) -> str:
        return self._typed(path, default, str, "texte attendu", "")

    def _typed(self, path: str, default: object, kind: type[T], expected: str, fallback: T) -> T:
        """Read a value of one JSON type (true and false are not numbers)."""
        value = self.raw(path, default)
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        if value is not _MISSING:
            self.errors.append(f"{path}: {expected}")
        return fallback

    def optional_text(self, path: str) -> str | None:
        return None if self.raw(path, None) is None else self.text(path)

    def texts(self, path: str, default: object = _MISSING) -> tuple[str, ...]:
        value = self.raw(path, default)
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
        if value is not _MISSING:
            self.errors.append(f"{path}: liste de textes attendue")
        return ()

    def day(self, path: str, default: object = _MISSING) -> date:
        value = self.raw(path, default)
        if isinstance(value, date):  # YAML reads unquoted dates itself
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if value is not _MISSING:
            self.errors.append(f"{path}: date AAAA-MM-JJ attendue")
        return date.min

    def optional_day(self, path: str) -> date | None:
        return None if self.raw(path, None) is None else self.day(path)

    def choice(self, path: str, enum: type[E], default: object = _MISSING) -> E:
        return self.to_choice(path, enum, self.raw(path, default))

    def to_choice(self, path: str, enum: type[E], value: object) -> E:
        return self.to_coded(path, {member.value: member for member in enum}, value)

    def coded(self, path: str, codes: Mapping[str, E], default: object = _MISSING) -> E:
        """Read a member written with codes of its own (not its value)."""
        return self.to_coded(path, codes, self.raw(path, default))

    def to_coded(self, path: str, codes: Mapping[str, E], value: object) -> E:
        if isinstance(value, str) and value in codes:
            return codes[value]
        if value is not _MISSING:
            allowed = ", ".join(codes)
            self.errors.append(f"{path}: valeur inconnue {value!r} (attendu : {allowed})")
        return next(iter(codes.values()))

    def choices(self, path: str, enum: type[E], default: object = _MISSING) -> frozenset[E]:
        value = self.raw(path, default)
        if not isinstance(value, list | tuple):
            if value is not _MISSING:
                self.errors.append(f"{path}: liste attendue")
            return frozenset()
        return frozenset(self.to_choice(f"{path}[{i}]", enum, v) for i, v in enumerate(value))

    def enum_map(self, path: str, enum: type[E]) -> dict[E, Decimal]:
        """Read a mapping from enum codes to exact numbers (e.g. coefficients)."""
        value = self.raw(path)
        if not isinstance(value, Mapping):
            if value is not _MISSING:
                self.errors.append(f"{path}: objet attendu (code: coefficient)")
            return {}
        return {
            self.to_choice(f"{path}.{key}", enum, key): self.to_decimal(f"{path}.{key}", v)
            for key, v in value.items()
        }


def read_document(data: object, what: str, fields: Callable[[Reader], Callable[[], T]]) -> T:
    """Read a document whole: `fields` reads every field and returns the constructor to call.

    The value is built only once every field has been read without error, so InvalidInput
    lists all the faulty fields at once and a constructor never sees a half-read value.
    """
    r = Reader(data, what)
    r.raise_if_errors()
    build = fields(r)
    r.raise_if_errors()
    return build()


def dec(value: Decimal) -> str:
    """Write an exact number as a JSON string (keeps "0.30" as is)."""
    return str(value)


def ordered(values: Iterable[E], enum: type[E]) -> list[str]:
    """List enum members in declaration order, as codes."""
    chosen = set(values)
    return [member.value for member in enum if member in chosen]
