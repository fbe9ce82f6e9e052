"""Every page that shows data has a data twin: the same data from the API, and the call to copy."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import request

#: How the pages name the delivery formats of the API (`gateway.delivery.FORMATS`).
FORMAT_LABELS = {
    "json": "JSON",
    "csv": "CSV (séparateur « , », point décimal)",
    "csv-fr": "CSV pour tableur français (séparateur « ; », virgule décimale)",
    "xlsx": "classeur XLSX (données, note et fiches)",
    "jsonstat": "JSON-stat 2.0",
    "sdmx-csv": "SDMX-CSV 2.0 (échange entre organismes statistiques)",
    "pdf": "PDF (tableau et note explicative)",
}


#: What every command to copy writes where the organisation's API key goes.
KEY_PLACEHOLDER = "VOTRE_CLE_API"


def curl_command(
    path: str,
    *,
    method: str = "GET",
    body: Mapping[str, Any] | None = None,
    keyed: bool = True,
) -> str:
    """Return the `curl` command a page's data twin shows: this site's address, the key's
    placeholder when the call needs one, the JSON body (quoted for a POSIX shell)."""
    address = request.host_url.rstrip("/") + path
    lines = [f"curl -sS{'' if method == 'GET' else ' -X ' + method} '{address}'"]
    if keyed:
        lines.append(f"-H 'Authorization: Bearer {KEY_PLACEHOLDER}'")
    if body is not None:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")).replace("'", "'\\''")
        lines += ["-H 'Content-Type: application/json'", f"-d '{text}'"]
    return " \\\n  ".join(lines)


@dataclass(frozen=True)
class TwinLink:
    format: str
    label: str
    url: str


@dataclass(frozen=True)
class DataTwin:
    """The API address of a page's data, a link per format, and the command to copy."""

    links: tuple[TwinLink, ...]
    api_url: str
    curl: str


def api_address(path: str, params: Sequence[tuple[str, str]]) -> str:
    """Return the path and query of an API call, commas kept readable ("codes=13,84")."""
    query = urlencode(list(params), quote_via=quote, safe=",")
    return f"{path}?{query}" if query else path


def data_twin(
    path: str, params: Sequence[tuple[str, str]] = (), formats: Sequence[str] = ()
) -> DataTwin:
    """Describe the API call behind a page: one link per format (or one JSON link)."""
    links = tuple(
        TwinLink(
            name, FORMAT_LABELS.get(name, name), api_address(path, [*params, ("format", name)])
        )
        for name in formats
    ) or (TwinLink("json", FORMAT_LABELS["json"], api_address(path, params)),)
    absolute = request.host_url.rstrip("/") + links[0].url
    return DataTwin(links=links, api_url=absolute, curl=curl_command(links[0].url, keyed=False))
