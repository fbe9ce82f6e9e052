"""The IMAJE screens' forms: the API body they describe, read field by field.

A form is read into the body of `POST /api/v1/imaje/history` (or `/comparison`), then loaded
by the API's own schema: the same fields, the same rules, the same body for the service.
Each wrong field gets its French message beside it; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from gateway.api.extracts.schemas import ComparisonSchema, HistorySchema
from gateway.services.extracts.screens import MAX_HISTORY_INDICATORS
from gateway.web.imaje.choices import (
    HISTORY_LEVELS,
    LEVEL_NAMES,
    REFERENCE_LEVELS,
    STUDY_LEVELS,
    Choices,
)
from policies.domain import PERIODS, GeoLevel, Use
from policies.geography import FRANCE_CODE, Geography

Errors = dict[str, str]
Fields = MultiDict[str, str]
_CODE = re.compile(r"^[0-9A-Za-z]{1,16}$")


@dataclass(frozen=True)
class Place:
    """A territory as a form holds it: a level and a code, or a custom zone's id."""

    level: str = ""
    code: str = ""

    @property
    def is_zone(self) -> bool:
        return self.level == GeoLevel.ZONE.value

    def api(self, *, codes: bool) -> dict[str, Any]:
        """Return the place in the API's terms: {zone}, {level, code} or {level, codes}."""
        if self.is_zone:
            return {"zone": int(self.code)} if self.code.isdigit() else {}
        code = FRANCE_CODE if self.level == GeoLevel.FRANCE.value else self.code
        return (
            {"level": self.level, "codes": [code]} if codes else {"level": self.level, "code": code}
        )


@dataclass(frozen=True)
class HistoryForm:
    """The history form: indicators, territory, last year, use; and its errors."""

    indicators: tuple[str, ...] = ()
    place: Place = Place()
    last_period: int = PERIODS[-1]
    use: str = Use.USAGE_FINAL.value
    errors: Errors = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """Return the body of `POST /api/v1/imaje/history` this form describes."""
        indicators: dict[str, Any] = (
            {"indicator": self.indicators[0]}
            if len(self.indicators) == 1
            else {"indicators": list(self.indicators)}
        )
        place = self.place.api(codes=False)
        return {**indicators, **place, "last_period": self.last_period, "use": self.use}

    def params(self) -> list[tuple[str, str]]:
        """Return the form's fields as a query string fills them (to show the form again)."""
        fields = [("indicators", code) for code in self.indicators]
        fields += _place_params("", self.place)
        return [*fields, ("last_period", str(self.last_period)), ("use", self.use)]


@dataclass(frozen=True)
class ComparisonForm:
    """The comparison form: indicator, study zone, reference zone, year, use; its errors."""

    indicator: str = ""
    study: Place = Place(GeoLevel.COMMUNE.value)
    reference: Place = Place(GeoLevel.DEPARTEMENT.value)
    period: int = PERIODS[-1]
    use: str = Use.USAGE_FINAL.value
    errors: Errors = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """Return the body of `POST /api/v1/imaje/comparison` this form describes."""
        return {
            "indicator": self.indicator,
            "study": self.study.api(codes=True),
            "reference": self.reference.api(codes=True),
            "period": self.period,
            "use": self.use,
        }

    def params(self) -> list[tuple[str, str]]:
        fields = [("indicator", self.indicator)]
        fields += _place_params("study_", self.study) + _place_params("reference_", self.reference)
        return [*fields, ("period", str(self.period)), ("use", self.use)]


def _place_params(prefix: str, place: Place) -> list[tuple[str, str]]:
    name = "zone" if place.is_zone else "code"
    return [(f"{prefix}level", place.level), (f"{prefix}{name}", place.code)]


def read_history(
    form: Fields, choices: Choices, geography: Geography, default: HistoryForm
) -> HistoryForm:
    """Read the history form; each wrong field gets its message (the schema's rules too)."""
    errors: Errors = {}
    indicators = tuple(dict.fromkeys(v.strip() for v in form.getlist("indicators") if v.strip()))
    if not indicators:
        errors["indicators"] = "Choisissez un indicateur, ou plusieurs d’un même axe."
    elif len(indicators) > MAX_HISTORY_INDICATORS:
        errors["indicators"] = f"Choisissez au plus {MAX_HISTORY_INDICATORS} indicateurs."
    place = _place(form, "", HISTORY_LEVELS, choices, geography, errors)
    read = HistoryForm(
        indicators=indicators,
        place=place,
        last_period=_year(form, "last_period", choices, default.last_period, errors),
        use=_use(form, default.use, errors),
        errors=errors,
    )
    return _checked(read, HistorySchema(), _HISTORY_FIELDS)


def read_comparison(
    form: Fields, choices: Choices, geography: Geography, default: ComparisonForm
) -> ComparisonForm:
    """Read the comparison form; each wrong field gets its message."""
    errors: Errors = {}
    indicator = (form.get("indicator") or "").strip()
    if not indicator:
        errors["indicator"] = "Choisissez un indicateur."
    read = ComparisonForm(
        indicator=indicator,
        study=_place(form, "study_", STUDY_LEVELS, choices, geography, errors),
        reference=_place(form, "reference_", REFERENCE_LEVELS, choices, geography, errors),
        period=_year(form, "period", choices, default.period, errors),
        use=_use(form, default.use, errors),
        errors=errors,
    )
    return _checked(read, ComparisonSchema(), _COMPARISON_FIELDS)


def prefilled_history(args: Fields, default: HistoryForm) -> HistoryForm:
    """Fill the history form from a query string (a link, a search result), without checks."""
    indicators = tuple(v for v in args.getlist("indicators") if v) or default.indicators
    return HistoryForm(
        indicators=indicators,
        place=_prefilled_place(args, "", default.place),
        last_period=_int(args.get("last_period"), default.last_period),
        use=args.get("use") or default.use,
    )


def prefilled_comparison(args: Fields, default: ComparisonForm) -> ComparisonForm:
    return ComparisonForm(
        indicator=args.get("indicator") or default.indicator,
        study=_prefilled_place(args, "study_", default.study),
        reference=_prefilled_place(args, "reference_", default.reference),
        period=_int(args.get("period"), default.period),
        use=args.get("use") or default.use,
    )


def _prefilled_place(args: Fields, prefix: str, default: Place) -> Place:
    level = args.get(f"{prefix}level") or default.level
    if level == GeoLevel.ZONE.value:
        return Place(level, args.get(f"{prefix}zone") or "")
    code = args.get(f"{prefix}code")
    return Place(level, code if code is not None else default.code)


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


def _place(
    form: Fields,
    prefix: str,
    allowed: Sequence[str],
    choices: Choices,
    geography: Geography,
    errors: Errors,
) -> Place:
    """Read a level and its code (or zone); check the territory exists."""
    level = (form.get(f"{prefix}level") or "").strip()
    if level not in dict(choices.levels(allowed)):
        errors[f"{prefix}level"] = "Choisissez un type de territoire dans la liste."
        return Place(level, (form.get(f"{prefix}code") or "").strip())
    if level == GeoLevel.ZONE.value:
        zone = (form.get(f"{prefix}zone") or "").strip()
        if zone not in dict(choices.zones):
            errors[f"{prefix}zone"] = "Choisissez une de vos zones personnalisées."
        return Place(level, zone)
    if level == GeoLevel.FRANCE.value:
        return Place(level, FRANCE_CODE)
    code = (form.get(f"{prefix}code") or "").strip().upper()
    name = LEVEL_NAMES[level].lower()
    if not code:
        errors[f"{prefix}code"] = f"Saisissez le code Insee ({name})."
    elif not _CODE.match(code) or not geography.exists(GeoLevel(level), code):
        errors[f"{prefix}code"] = (
            f"Aucun territoire de type « {name} » ne porte le code « {code[:16]} » : "
            "vérifiez le code, ou cherchez le territoire par son nom."
        )
    return Place(level, code)


def _year(form: Fields, name: str, choices: Choices, default: int, errors: Errors) -> int:
    text = (form.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) not in choices.periods:
        errors[name] = f"Choisissez une année entre {choices.periods[0]} et {choices.periods[-1]}."
        return default
    return int(text)


def _use(form: Fields, default: str, errors: Errors) -> str:
    use = (form.get("use") or default).strip()
    if use not in {u.value for u in Use}:
        errors["use"] = "Choisissez l’usage des données dans la liste."
        return default
    return use


#: Which form field an error of the API's fields (schema or service) belongs beside.
_HISTORY_FIELDS = {
    "indicator": "indicators",
    "indicators": "indicators",
    "level": "level",
    "code": "code",
    "zone": "zone",
    "zones": "zone",
    "territories": "code",
    "last_period": "last_period",
    "periods": "last_period",
    "use": "use",
}
_COMPARISON_FIELDS = {
    "indicator": "indicator",
    "indicators": "indicator",
    "study": "study_code",
    "reference": "reference_code",
    "zones": "study_zone",
    "period": "period",
    "periods": "period",
    "use": "use",
}


ScreenForm = TypeVar("ScreenForm", HistoryForm, ComparisonForm)


def _checked(read: ScreenForm, schema: ma.Schema, fields: Mapping[str, str]) -> ScreenForm:
    """Load the form's body with the API's schema; put its messages beside the fields."""
    if read.errors:
        return read
    try:
        schema.load(read.body())
    except ma.ValidationError as error:
        errors = {}
        for name, messages in error.messages_dict.items():
            errors[fields.get(name, "")] = _text(messages)
        return replace(read, errors=errors)
    return read


def with_service_errors(
    read: ScreenForm, errors: Mapping[str, Sequence[str]], detail: str, *, comparison: bool
) -> ScreenForm:
    """Return the form with a service's field errors beside its fields (the rest on top)."""
    fields = _COMPARISON_FIELDS if comparison else _HISTORY_FIELDS
    shown: Errors = {}
    for name, messages in errors.items():
        shown[fields.get(name, "")] = _text(messages)
    return replace(read, errors=shown or {"": detail})


def _text(messages: Any) -> str:
    """Flatten marshmallow's messages (lists, nested dicts) into one French sentence."""
    if isinstance(messages, str):
        return messages
    if isinstance(messages, Mapping):
        return " ".join(_text(m) for m in messages.values())
    return " ".join(_text(m) for m in messages)
