"""Ask again for what a quote describes: once its quote is accepted, the extract it covers.

The API's way is to send the same body again (`POST /extracts`); a page has no body left,
only the quote's stored description, from which the same request (same fingerprint) is
rebuilt and sent through the same pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.pipeline.run import Outcome
from gateway.services.extracts.service import submit
from policies.access import Caller
from policies.errors import Conflict

#: The members of a stored description that a request body carries as they are.
_AS_ASKED = ("indicators", "periods", "breakdowns", "use", "totals", "parents")


def request_body(description: Mapping[str, Any]) -> dict[str, Any]:
    """Return the request body a stored description was made from."""
    if description.get("bespoke_breakdowns"):
        raise Conflict(
            "Ce devis porte sur une ventilation spécifique : la Caf produit et vous livre "
            "l'extrait elle-même."
        )
    if isinstance(description.get("territories"), list):  # several lines: an IMAJE screen's
        raise Conflict(
            "Ce devis porte sur un écran IMAJE : rouvrez l'écran pour obtenir ses tableaux."
        )
    body = {name: description[name] for name in _AS_ASKED if name in description}
    if description.get("territories"):
        body["territories"] = description["territories"]
    zones = [int(zone["id"]) for zone in description.get("zones") or ()]
    if zones:
        body["zones"] = zones
    return body


def ask_again(caller: Caller, description: Mapping[str, Any], format_name: str = "json") -> Outcome:
    """Ask for the extract a description describes (an accepted quote covers it)."""
    return submit(caller, {**request_body(description), "format": format_name})
