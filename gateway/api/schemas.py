"""Schema base classes: French validation messages and the shared pagination shapes."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

# marshmallow's own messages are English; requesters read French.
_FIELD_MESSAGES = {
    "required": "Champ obligatoire.",
    "null": "Ce champ ne peut pas être nul.",
    "invalid": "Valeur invalide.",
    "too_large": "Nombre trop grand.",
    "invalid_utf8": "Texte UTF-8 invalide.",
    "format": "Format invalide.",
}
_TYPE_MESSAGES = {
    ma.fields.Integer: "Nombre entier attendu.",
    ma.fields.Float: "Nombre attendu.",
    ma.fields.Decimal: "Nombre décimal attendu.",
    ma.fields.Boolean: "Booléen attendu (true ou false).",
    ma.fields.String: "Chaîne de caractères attendue.",
    ma.fields.Date: "Date attendue (AAAA-MM-JJ).",
    ma.fields.DateTime: "Date et heure attendues (ISO 8601).",
    ma.fields.List: "Liste attendue.",
    ma.fields.Dict: "Objet attendu.",
    ma.fields.Nested: "Objet attendu.",
    ma.fields.Email: "Adresse électronique invalide.",
}


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
        messages = {k: v for k, v in _FIELD_MESSAGES.items() if k in field_obj.error_messages}
        for field_type, message in _TYPE_MESSAGES.items():
            if isinstance(field_obj, field_type) and "invalid" in field_obj.error_messages:
                messages["invalid"] = message
        field_obj.error_messages = {**field_obj.error_messages, **messages}


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
