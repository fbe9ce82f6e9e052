"""What the pages of "Mon espace" share: the person, listing filters, files, the API call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import Response, request

from gateway.api.schemas import Schema
from gateway.services.paging import Page
from gateway.services.requesters import history
from gateway.state import request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page
from gateway.web.twin import api_address, curl_command

#: Rows per page of a listing (the API's `per_page`, 50 by default there).
PER_PAGE = 20
#: The query parameters of a listing page: the API's own, so that the call is the same.
LISTING_PARAMS = ("since", "until", "status", "page", "per_page")

EXTRACT_STATUSES = {
    "en_attente": "En attente",
    "en_cours": "En cours de production",
    "livre": "Livré",
    "echec": "Échec",
}
QUOTE_STATUSES = {"propose": "Proposé", "accepte": "Accepté", "expire": "Expiré"}
ORDER_STATUSES = {"commandee": "Commandée, à livrer", "livree": "Livrée"}


@dataclass(frozen=True)
class Filters:
    """A listing's query, as the page shows it (text) and as the service takes it (values)."""

    shown: dict[str, str]
    values: dict[str, Any]
    errors: dict[str, str]

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """Return the query parameters of this listing, with `changes` (a page number)."""
        merged = {**self.shown, **{k: str(v) for k, v in changes.items()}}
        return [(k, v) for k, v in merged.items() if v and not (k == "page" and v == "1")]


def read_filters(schema: type[Schema], args: Mapping[str, str]) -> Filters:
    """Read a listing's filters with the API's own query schema (same rules, same messages)."""
    shown = {name: args.get(name, "").strip() for name in LISTING_PARAMS}
    shown["per_page"] = shown["per_page"] or str(PER_PAGE)
    try:
        values = schema().load({k: v for k, v in shown.items() if v})
    except ma.ValidationError as error:
        messages = by_field(error)
        errors = {field: text_of(found) for field, found in messages.items()}
        values = schema().load({"per_page": PER_PAGE})
        return Filters(shown, values, errors)
    return Filters(shown, values, {})


def listing_page(
    template: str,
    schema: type[Schema],
    lister: Callable[..., Page],
    api_path: str,
    **context: Any,
) -> Response:
    """Show one page of a listing of the organisation's own (extracts, quotes, invoices).

    Read with the API's query schema (`api_path` lists the same), found by `lister` (a
    `history.*_of`); a wrong filter answers 422 with the listing's first page.
    """
    filters = read_filters(schema, request.args)
    values = filters.values
    found = lister(
        request_session(),
        signed_in().requester_id,
        history.Filters(values.get("since"), values.get("until"), values.get("status")),
        values["page"],
        values["per_page"],
    )
    return page(
        template,
        422 if filters.errors else 200,
        private=True,
        filters=filters,
        found=found,
        api=api_call(api_path, filters.params()),
        **context,
    )


def by_field(error: ma.ValidationError) -> dict[str, Any]:
    """Return a validation error's messages by field ("" for the whole form)."""
    found = error.messages
    return {str(k): v for k, v in found.items()} if isinstance(found, dict) else {"": found}


def text_of(messages: object) -> str:
    """Join nested validation messages into one sentence."""
    if isinstance(messages, list | tuple):
        return " ".join(text_of(m) for m in messages)
    if isinstance(messages, dict):
        return " ".join(text_of(m) for m in messages.values())
    return str(messages)


@dataclass(frozen=True)
class ApiCall:
    """The API call behind a page of "Mon espace": with the organisation's key, not a cookie."""

    method: str
    url: str
    curl: str


def api_call(
    path: str, params: list[tuple[str, str]] | None = None, method: str = "GET"
) -> ApiCall:
    """Describe the API request that returns what the page shows (a key stands for the person)."""
    address = api_address(path, params or [])
    url = request.host_url.rstrip("/") + address
    return ApiCall(method, url, curl_command(address, method=method))
