"""Schema base classes: French validation messages, pagination shapes, shared fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList, DelimitedTuple

from policies.domain import GeoLevel

# marshmallow's (and webargs') own messages are English; requesters read French. A message
# is replaced only while it is still the library's default: a schema's own wording stays.
_FIELD_MESSAGES = {
    "required": "Champ obligatoire.",
    "null": "Ce champ ne peut pas être nul.",
    "validator_failed": "Valeur invalide.",
    "invalid": "Valeur invalide.",
    "too_large": "Nombre trop grand.",
    "special": "Les valeurs numériques spéciales (nan, infini) ne sont pas permises.",
    "invalid_utf8": "Texte UTF-8 invalide.",
    "format": "Format invalide.",
    "invalid_awareness": "Fuseau horaire attendu (par exemple +00:00).",
    "type": "Objet attendu.",
    "unknown": "Doit être l'une des valeurs : {choices}.",
    "invalid_uuid": "Identifiant UUID invalide.",
    "invalid_ip": "Adresse IP invalide.",
    "invalid_ip_interface": "Interface IP invalide.",
}
_TYPE_MESSAGES = {  # the "invalid" message, most specific type first
    ma.fields.Email: "Adresse électronique invalide.",
    ma.fields.Url: "Adresse URL invalide.",
    ma.fields.Integer: "Nombre entier attendu.",
    ma.fields.Float: "Nombre attendu.",
    ma.fields.Decimal: "Nombre décimal attendu.",
    ma.fields.Boolean: "Booléen attendu (true ou false).",
    ma.fields.String: "Chaîne de caractères attendue.",
    ma.fields.DateTime: "Date et heure attendues (ISO 8601).",
    ma.fields.Date: "Date attendue (AAAA-MM-JJ).",
    ma.fields.Time: "Heure attendue (HH:MM:SS).",
    ma.fields.TimeDelta: "Durée invalide.",
    DelimitedList: "Liste attendue (valeurs séparées par des virgules).",
    DelimitedTuple: "Liste attendue (valeurs séparées par des virgules).",
    ma.fields.List: "Liste attendue.",
    ma.fields.Tuple: "Liste attendue.",
    ma.fields.Mapping: "Objet attendu.",
}
_LENGTH_MESSAGES = {  # {unit}: caractères for text, éléments for lists
    "message_min": "Au moins {{min}} {unit}.",
    "message_max": "Au plus {{max}} {unit}.",
    "message_all": "Entre {{min}} et {{max}} {unit}.",
    "message_equal": "Exactement {{equal}} {unit}.",
}
_VALIDATOR_MESSAGES: dict[type[ma.validate.Validator], str] = {
    ma.validate.Email: "Adresse électronique invalide.",
    ma.validate.URL: "Adresse URL invalide.",
    ma.validate.OneOf: "Doit être l'une des valeurs : {choices}.",
    ma.validate.NoneOf: "Valeur non permise.",
    ma.validate.ContainsOnly: "Valeurs permises : {choices}.",
    ma.validate.ContainsNoneOf: "Valeurs non permises : {values}.",
    ma.validate.Equal: "Doit valoir {other}.",
    ma.validate.Regexp: "Format invalide.",
    ma.validate.Predicate: "Valeur invalide.",
}


def _english_defaults(field: ma.fields.Field[Any]) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


def _french_field(field: ma.fields.Field[Any]) -> None:
    """Translate a field's default messages, its validators' and its inner fields', in place."""
    defaults = _english_defaults(field)
    french = dict(_FIELD_MESSAGES)
    for field_type, message in _TYPE_MESSAGES.items():
        if isinstance(field, field_type):
            french["invalid"] = message
            break
    field.error_messages = {
        key: french[key] if key in french and message == defaults.get(key) else message
        for key, message in field.error_messages.items()
    }
    unit = "caractères" if isinstance(field, ma.fields.String) else "éléments"
    for validator in field.validators:
        _french_validator(validator, unit)
    for inner in _inner_fields(field):
        _french_field(inner)
    if isinstance(field, ma.fields.DateTime) and not isinstance(field, ma.fields.NaiveDateTime):
        _serialize_with_offset(field)


def _inner_fields(field: ma.fields.Field[Any]) -> list[ma.fields.Field[Any]]:
    if isinstance(field, ma.fields.List):
        return [field.inner]
    if isinstance(field, ma.fields.Tuple):
        return list(field.tuple_fields)
    if isinstance(field, ma.fields.Mapping):
        return [f for f in (field.key_field, field.value_field) if f is not None]
    return []


def _french_validator(validator: Any, unit: str) -> None:
    if isinstance(validator, ma.validate.And):
        for inner in validator.validators:
            _french_validator(inner, unit)
    elif isinstance(validator, ma.validate.Length) and validator.error is None:
        for name, message in _LENGTH_MESSAGES.items():
            setattr(validator, name, message.format(unit=unit))
    elif isinstance(validator, ma.validate.Range) and validator.error is None:
        validator.error = _range_message(validator)
    else:
        for validator_type, message in _VALIDATOR_MESSAGES.items():
            default = getattr(validator, "default_message", None)  # each of these types has one
            if type(validator) is validator_type and validator.error == default:
                validator.error = message


def _range_message(validator: ma.validate.Range) -> str:
    low = "≥" if validator.min_inclusive else ">"
    high = "≤" if validator.max_inclusive else "<"
    if validator.max is None:
        return f"Doit être {low} {{min}}."
    if validator.min is None:
        return f"Doit être {high} {{max}}."
    return f"Doit être {low} {{min}} et {high} {{max}}."


def _serialize_with_offset(field: ma.fields.DateTime) -> None:
    """Serve date-times in ISO 8601 with their offset; naive ones were stored in UTC."""
    if (field.format or field.DEFAULT_FORMAT) in ("iso", "iso8601"):
        field.SERIALIZATION_FUNCS = {
            **field.SERIALIZATION_FUNCS,
            "iso": _utc_isoformat,
            "iso8601": _utc_isoformat,
        }


def _utc_isoformat(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()


class Schema(ma.Schema):
    """Base of every API schema: French messages, unknown fields refused in bodies."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {  # noqa: RUF012 (marshmallow reads this class attribute)
        "unknown": "Champ inconnu.",
        "type": "Objet JSON attendu.",
    }

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field[Any]) -> None:
        """Translate the field's built-in error messages to French."""
        _french_field(field_obj)


class QuerySchema(Schema):
    """Query-string arguments: unknown parameters are ignored, as browsers and caches add some."""

    class Meta:
        unknown = ma.EXCLUDE


class PageQuerySchema(QuerySchema):
    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=100_000, error="Doit être entre 1 et 100000."),
    )
    per_page = ma.fields.Integer(
        load_default=50,
        validate=ma.validate.Range(min=1, max=500, error="Doit être entre 1 et 500."),
    )


class PageSchema(Schema):
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


# --- Shared fields and validators of the API's schemas ----------------------------------------

#: The geographic levels a request names (a custom zone is named by its id).
LEVELS = [level.value for level in GeoLevel if level is not GeoLevel.ZONE]
#: A database row id, as a path or a body names one.
POSITIVE_INT = ma.validate.Range(min=1, max=2_147_483_647, error="Entier positif attendu.")


def one_of(values: Iterable[str]) -> ma.validate.OneOf:
    """Accept one of a closed vocabulary; the refusal lists the values."""
    return ma.validate.OneOf(list(values), error="Valeur inconnue ; valeurs possibles : {choices}.")


def text(max_length: int, **kwargs: Any) -> ma.fields.String:
    """A non-empty text of at most `max_length` characters."""
    return ma.fields.String(
        validate=ma.validate.Length(
            min=1, max=max_length, error=f"Entre 1 et {max_length} caractères."
        ),
        **kwargs,
    )


class EditSchema(Schema):
    """A body that changes a record: it names at least one of its fields."""

    #: What the body changes, as the refusal of an empty body says it.
    EDITED = "un champ"

    @ma.validates_schema
    def _something_to_change(self, data: dict[str, object], **_kwargs: object) -> None:
        """Refuse a missing or empty body: a change names at least one field."""
        if not data:
            raise ma.ValidationError(
                f"Corps JSON attendu, avec au moins {self.EDITED} à modifier.", field_name="corps"
            )
