"""The catalogue as the API and the pages show it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from policies.catalogue import Catalogue, Indicator
from policies.catalogue_parsing import secrecy_to_data


def catalogue_in_force(session: Session) -> Catalogue:
    """Return the catalogue in force, parsed once per change for the whole app."""
    return current_catalogue(session, app_state().caches.catalogue)


def describe(indicator: Indicator, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Return the indicator as the API shows it, breakdowns expanded when the catalogue is given."""
    data = asdict(indicator)
    del data["secrecy"]
    data["secret"] = secrecy_to_data(indicator.secrecy)
    data["breakdowns"] = [
        asdict(catalogue.breakdown(code)) if catalogue else {"code": code}
        for code in indicator.breakdowns
    ]
    return data
