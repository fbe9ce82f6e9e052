"""The socle page's GET form: its choices, and the query it reads (in the API's own terms)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from policies.domain import PERIODS, GeoLevel

#: The territories the parent select offers when nothing is chosen: France as a whole.
FRANCE_PARENT = "france:FR"
MAX_CODES = 2000
_CODE = re.compile(r"^[0-9A-Za-z]{1,16}$")
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Choices:
    """What the form offers: socle indicators, published levels, parents, periods."""

    indicators: tuple[tuple[str, str], ...]
    levels: tuple[tuple[str, str], ...]
    parents: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # groups of (value, label)
    periods: tuple[int, ...] = PERIODS

    @property
    def period_options(self) -> tuple[tuple[str, str], ...]:
        return tuple((str(p), str(p)) for p in self.periods)

    def parent_label(self, value: str) -> str:
        for _, options in self.parents:
            for option, label in options:
                if option == value:
                    return label
        return value


@dataclass(frozen=True)
class SocleQuery:
    """The request the form describes, field by field as the form holds it."""

    indicator: str = ""
    level: str = GeoLevel.DEPARTEMENT.value
    parent: str = FRANCE_PARENT
    codes: tuple[str, ...] = ()
    periods: tuple[int, ...] = (PERIODS[-1],)
    detail: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def parent_level(self) -> str:
        return self.parent.partition(":")[0]

    @property
    def parent_code(self) -> str:
        return self.parent.partition(":")[2]

    def api_args(self, breakdowns: Sequence[str] = ()) -> dict[str, Any]:
        """Return the arguments of `GET /api/v1/socle/{indicator}`, as its schema loads them."""
        args: dict[str, Any] = {"level": self.level}
        if self.codes:
            args["codes"] = list(self.codes)
        else:
            args["parent_level"], args["parent_code"] = self.parent_level, self.parent_code
        args["periods"] = list(self.periods)
        if breakdowns:
            args["breakdowns"] = list(breakdowns)
        return args

    def api_params(self, breakdowns: Sequence[str] = ()) -> list[tuple[str, str]]:
        """Return the same arguments as the API's query string (lists comma-separated)."""
        return [
            (name, ",".join(str(v) for v in value) if isinstance(value, list) else str(value))
            for name, value in self.api_args(breakdowns).items()
        ]


def read_query(args: MultiDict[str, str], choices: Choices) -> SocleQuery:
    """Read the form's fields; each wrong field gets its French message (nothing raises)."""
    getlist = args.getlist
    errors: dict[str, str] = {}
    indicator = (args.get("indicator") or "").strip()
    if not indicator:
        errors["indicator"] = "Choisissez un indicateur."
    elif len(indicator) > 64:
        errors["indicator"] = "Indicateur inconnu : choisissez-le dans la liste."
    level = (args.get("level") or GeoLevel.DEPARTEMENT.value).strip()
    if level not in {lvl.value for lvl in GeoLevel} - {GeoLevel.ZONE.value}:
        errors["level"] = "Niveau inconnu : choisissez un niveau de la liste."
    parent = (args.get("parent") or FRANCE_PARENT).strip()
    parent_level, _, parent_code = parent.partition(":")
    if parent_level not in {lvl.value for lvl in GeoLevel} or not _CODE.match(parent_code):
        errors["parent"] = "Territoire inconnu : choisissez un territoire de la liste."
    codes = tuple(c.upper() for c in _SPLIT.split(" ".join(getlist("codes"))) if c)
    if len(codes) > MAX_CODES or not all(_CODE.match(c) for c in codes):
        errors["codes"] = (
            f"Saisissez au plus {MAX_CODES} codes de territoire (lettres et chiffres), séparés "
            "par des virgules."
        )
    periods = _periods(getlist("periods"), choices.periods, errors)
    return SocleQuery(
        indicator=indicator,
        level=level,
        parent=parent,
        codes=codes,
        periods=periods,
        detail=args.get("detail") == "1",
        errors=errors,
    )


def _periods(raw: Sequence[str], allowed: Sequence[int], errors: dict[str, str]) -> tuple[int, ...]:
    values = [v for item in raw for v in _SPLIT.split(item) if v]
    if not values:
        return (allowed[-1],)  # as the API: the latest year by default
    if not all(v.isdigit() and int(v) in allowed for v in values):
        first, last = allowed[0], allowed[-1]
        errors["periods"] = f"Choisissez des années entre {first} et {last}."
        return (allowed[-1],)
    return tuple(sorted({int(v) for v in values}))


#: Which form field a field of the pipeline's errors (the API's request fields) belongs to.
_ERROR_FIELDS = {"indicators": "indicator", "periods": "periods", "breakdowns": "detail"}


def form_field(api_field: str, query: SocleQuery) -> str:
    """Return the form field an API request field's error is shown beside."""
    if api_field == "territories":
        return "codes" if query.codes else "parent"
    return _ERROR_FIELDS.get(api_field, "")
