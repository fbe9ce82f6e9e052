"""What the record's pages share: filters read with a schema, the Caf a query names, labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask import request

from gateway.services.requesters.queries import caf_of_requester
from gateway.services.requesters.registry import list_requesters
from gateway.state import request_session
from gateway.web.admin.common import caf_scope
from gateway.web.espace.common import Filters, by_field, text_of
from policies.access.values import TYPE_LABELS
from policies.domain import RequesterType

#: How many requesters a choice lists (a Caf has tens; the national list is cut there).
REQUESTER_CHOICES = 500
PER_PAGE = 20
UNTIL_BEFORE_SINCE = "La date de fin précède la date de début."


def read_query(
    schema: type[ma.Schema], names: Iterable[str], args: Mapping[str, str] | None = None
) -> Filters:
    """Read a page's filters with a query schema (the API's when there is one).

    A wrong filter is reported beside its field and the page shows the unfiltered first page
    (its status 422); `until` before `since` is wrong too.
    """
    source = request.args if args is None else args
    shown = {name: source.get(name, "").strip() for name in names}
    errors: dict[str, str] = {}
    try:
        values = schema().load({"per_page": PER_PAGE} | {k: v for k, v in shown.items() if v})
    except ma.ValidationError as error:
        errors = {field: text_of(found) for field, found in by_field(error).items()}
        values = error.valid_data if isinstance(error.valid_data, dict) else {}
    since, until = values.get("since"), values.get("until")
    if since is not None and until is not None and until < since:
        errors["until"] = UNTIL_BEFORE_SINCE
    if errors:
        values = schema().load({"per_page": PER_PAGE})
    return Filters(shown, values, errors)


def query_caf(**_values: Any) -> str | None:
    """The Caf a page's query names (`caf_code`), else the administrator's own (all: national)."""
    return request.args.get("caf_code", "").strip() or caf_scope()


def requester_of_query(**_values: Any) -> str | None:
    """The Caf of the requester the query names (`requester_id`); none named: one's own Caf.

    An unknown id resolves to no Caf, which only a national administrator may act on (then
    the page says it is unknown); an id that is not a number is the page's 422.
    """
    raw = request.args.get("requester_id", "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return caf_scope()
    return caf_of_requester(request_session(), int(raw))


def requester_choices(caf_code: str | None) -> list[tuple[str, str]]:
    """(id, label) of the requesters of a Caf (every Caf's: None), by name."""
    found = list_requesters(
        request_session(), caf_code=caf_code, page=1, per_page=REQUESTER_CHOICES
    ).items
    rows = sorted(found, key=lambda r: (r.name.lower(), r.id))
    return [(str(r.id), f"{r.name} ({_type(r.type)}{_caf(r.caf_code, caf_code)})") for r in rows]


def _type(value: str) -> str:
    try:
        return TYPE_LABELS[RequesterType(value)]
    except ValueError:
        return value


def _caf(code: str | None, scope: str | None) -> str:
    if scope is not None:
        return ""
    return f", Caf {code}" if code else ", national"


def type_label(value: str) -> str:
    """The French name of a requester type code."""
    return _type(value)
