"""The request builder's form: the fields it reads, and the API request body they make.

The form names its fields after the request (`indicators`, `periods`, `breakdowns`, `use`);
the territory is one choice (`territory`: "commune:13005", "zone:7") and an optional finer
`level` within it. The body is loaded by the API's own `RequestSchema`, so the page and
`POST /api/v1/extracts` refuse the same things with the same French messages; the schema's
and the pipeline's field errors are put beside the form's fields (`form_field`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from gateway.api.extracts.schemas import RequestSchema
from policies.domain import PERIODS, GeoLevel, Use

Errors = dict[str, str]
OPTIONS = ("totals", "parents")
#: Levels a territory may be detailed into, finest first ("" is the territory itself).
DETAIL_LEVELS = (GeoLevel.COMMUNE, GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION)
_TERRITORY = re.compile(r"^(commune|epci|departement|region|france|zone):([0-9A-Za-z]{1,16})$")
_SEARCH_MAX = 100


@dataclass(frozen=True)
class BuilderForm:
    """The request as the form holds it, field by field, and the errors of each field."""

    indicators: tuple[str, ...] = ()
    territory: str = ""
    level: str = ""
    periods: tuple[int, ...] = (PERIODS[-1],)
    breakdowns: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    use: str = Use.USAGE_FINAL.value
    search: str = ""
    errors: Errors = field(default_factory=dict)

    @property
    def territory_level(self) -> str:
        return self.territory.partition(":")[0]

    @property
    def territory_code(self) -> str:
        return self.territory.partition(":")[2]

    def with_errors(self, errors: Mapping[str, str]) -> BuilderForm:
        """Return the form with more errors (the first message of a field stays first)."""
        merged = dict(self.errors)
        for name, message in errors.items():
            merged[name] = f"{merged[name]} {message}" if name in merged else message
        return replace(self, errors=merged)

    def raw_body(self) -> dict[str, Any]:
        """Return the request body the form describes, before the API's schema loads it."""
        body: dict[str, Any] = {
            "indicators": list(self.indicators),
            "periods": list(self.periods),
            "use": self.use,
        }
        if self.breakdowns:
            body["breakdowns"] = list(self.breakdowns)
        for option in OPTIONS:
            if option in self.options:
                body[option] = True
        level, code = self.territory_level, self.territory_code
        if level == GeoLevel.ZONE.value:
            body["zones"] = [int(code)]
        elif level and self.level:
            body["territories"] = {"parent_level": level, "parent_code": code, "level": self.level}
        elif level:
            body["territories"] = {"level": level, "codes": [code]}
        return body

    def params(self) -> list[tuple[str, str]]:
        """Return the form's fields as a query string has them (links back, hidden fields)."""
        pairs = [("indicators", code) for code in self.indicators]
        pairs += [("territory", self.territory), ("level", self.level)]
        pairs += [("periods", str(period)) for period in self.periods]
        pairs += [("breakdowns", code) for code in self.breakdowns]
        pairs += [("options", option) for option in self.options]
        pairs.append(("use", self.use))
        return pairs


def read_form(args: MultiDict[str, str]) -> BuilderForm:
    """Read the builder's fields; each wrong field gets its French message (nothing raises)."""
    errors: Errors = {}
    indicators = _unique(v.strip() for v in args.getlist("indicators") if v.strip())
    if any(len(code) > 64 for code in indicators):
        errors["indicators"] = "Indicateur inconnu : choisissez-le dans la liste."
    territory = (args.get("territory") or "").strip()
    if territory and not _TERRITORY.match(territory):
        errors["territory"] = "Territoire inconnu : choisissez un territoire de la liste."
    level = (args.get("level") or "").strip()
    if level and level not in {lvl.value for lvl in DETAIL_LEVELS}:
        errors["level"] = "Niveau inconnu : choisissez un niveau de la liste."
    elif level and territory.startswith(f"{GeoLevel.ZONE.value}:"):
        errors["level"] = "Une zone personnalisée se demande entière : choisissez « la zone »."
    use = (args.get("use") or "").strip()
    if use not in {u.value for u in Use}:
        errors["use"] = "Choisissez l’usage des données."
    return BuilderForm(
        indicators=indicators,
        territory=territory,
        level=level,
        periods=_periods(args.getlist("periods"), errors),
        breakdowns=_unique(v.strip() for v in args.getlist("breakdowns") if v.strip()),
        options=tuple(o for o in OPTIONS if o in args.getlist("options")),
        use=use,
        search=(args.get("q") or "").strip()[:_SEARCH_MAX],
        errors=errors,
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _periods(raw: Sequence[str], errors: Errors) -> tuple[int, ...]:
    values = [v.strip() for v in raw if v.strip()]
    if not values:
        errors["periods"] = "Choisissez au moins une année."
        return ()
    if not all(v.isdigit() and int(v) in PERIODS for v in values):
        errors["periods"] = f"Choisissez des années entre {PERIODS[0]} et {PERIODS[-1]}."
        return ()
    return tuple(sorted({int(v) for v in values}))


def loaded_body(form: BuilderForm) -> tuple[dict[str, Any] | None, Errors]:
    """Load the form's body with the API's schema; return it, or the errors per form field."""
    errors: Errors = {}
    if not form.indicators:
        errors["indicators"] = "Choisissez au moins un indicateur."
    if not form.territory and "territory" not in form.errors:
        errors["territory"] = "Choisissez un territoire."
    if errors or form.errors:
        return None, errors
    try:
        return RequestSchema().load(form.raw_body()), {}
    except ma.ValidationError as error:
        found = error.messages  # a schema's errors are keyed by field
        return None, field_errors(found if isinstance(found, Mapping) else {"_schema": found})


#: Which form field an error of a request field (the API's) is shown beside.
_FIELDS = {
    "indicators": "indicators",
    "territories": "territory",
    "zones": "territory",
    "periods": "periods",
    "breakdowns": "breakdowns",
    "use": "use",
    "totals": "options",
    "parents": "options",
    "_schema": "",
}
_NESTED = {"level": "level"}


def form_field(api_field: str) -> str:
    """Return the form field beside which an error of this request field is shown ("": top)."""
    return _FIELDS.get(api_field, "")


def field_errors(messages: Mapping[str, Any]) -> Errors:
    """Flatten the API's field errors ({"periods": {"0": [...]}}...) onto the form's fields."""
    errors: Errors = {}
    for api_field, value in messages.items():
        nested = value if isinstance(value, Mapping) else {}
        for inner, inner_value in nested.items():
            name = _NESTED.get(str(inner), form_field(api_field))
            _add(errors, name, _texts(inner_value))
        if not nested:
            _add(errors, form_field(api_field), _texts(value))
    return errors


def _add(errors: Errors, name: str, texts: list[str]) -> None:
    for text in texts:
        if text not in errors.get(name, ""):
            errors[name] = f"{errors[name]} {text}" if name in errors else text


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return [str(value)]
