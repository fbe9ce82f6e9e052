"""The data twin of a screen: the API call that gives the same screen, and the table's files.

A screen is a POST (`/api/v1/imaje/history` or `/comparison`) with a JSON body and the
requester's key; its table is an extract, downloadable from the page (the person's session)
or from the API (`GET /api/v1/extracts/{id}/download`), rendered by the same renderers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for

from gateway.links import download_url
from gateway.web.twin import FORMAT_LABELS, TwinLink, curl_command

#: The table's files a screen offers, in the order a reader looks for them.
TABLE_FORMATS = ("csv", "csv-fr", "xlsx")


@dataclass(frozen=True)
class ScreenTwin:
    """The screen's API call (to copy), its table's files, the same files from the API."""

    api_path: str
    body: str
    curl: str
    downloads: tuple[TwinLink, ...]
    api_download: str


def screen_twin(api_path: str, body: Mapping[str, Any], extract_id: str) -> ScreenTwin:
    """Describe the API call behind a screen and the files of its table."""
    text = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
    curl = curl_command(api_path, method="POST", body=body)
    downloads = tuple(
        TwinLink(
            name,
            FORMAT_LABELS[name],
            url_for("ecrans_imaje.download", extract_id=extract_id, format_name=name),
        )
        for name in TABLE_FORMATS
    )
    return ScreenTwin(api_path, text, curl, downloads, download_url(extract_id, "csv"))
