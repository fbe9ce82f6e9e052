"""My space's home, and my organisation's conventions (as `GET /api/v1/me/conventions`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from gateway.services.catalogue import views as catalogue
from gateway.services.conventions.views import my_conventions
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate
from gateway.web.espace.common import api_call
from policies.access import Action
from policies.access.values import LEVEL_LABELS, TIER_LABELS, USE_LABELS
from policies.domain import GeoLevel, PricingMode, Tier, Use
from policies.errors import DomainError

CONVENTION_STATUSES = {
    "brouillon": "Brouillon : pas encore en vigueur",
    "active": "En vigueur",
    "suspendue": "Suspendue",
    "expiree": "Expirée",
    "resiliee": "Résiliée",
}
PRICING_LABELS = {
    PricingMode.PER_EXTRACT.value: "au tarif publié de la Caf, extrait par extrait (un devis "
    "à accepter)",
    PricingMode.ANNUAL_FLAT_FEE.value: "comprises dans le forfait annuel de la convention",
    PricingMode.FREE_EXEMPTION.value: "gratuites (exonération)",
}


@person_gate(Action.ME_READ)
def home() -> Response:
    """Show what "Mon espace" holds, one link per kind of record."""
    return page("espace/index.html", private=True, person=signed_in())


@person_gate(Action.ME_READ)
def conventions_page() -> Response:
    """Show the organisation's conventions: scope, dates, status, quotas used this month."""
    person, session = signed_in(), request_session()
    found = my_conventions(session, person.requester_id)
    current = catalogue.catalogue_in_force(session)
    breakdowns = {code: b.label for code, b in current.breakdowns.items()}
    return page(
        "espace/conventions.html",
        private=True,
        person=person,
        conventions=[convention_view(c, person.profile.territory, breakdowns) for c in found],
        statuses=CONVENTION_STATUSES,
        api=api_call("/api/v1/me/conventions"),
    )


def convention_view(
    found: Mapping[str, Any],
    own: tuple[GeoLevel, str] | None,
    breakdowns: Mapping[str, str],
) -> dict[str, Any]:
    """Name in French what a convention covers (the API gives the codes)."""
    scope = found.get("scope") or {}
    territories = [
        _territory(GeoLevel(t["level"]), t["code"]) for t in scope.get("territories", ())
    ]
    if scope.get("own_territory"):
        mine = _territory(*own) if own else "aucun territoire enregistré"
        territories.insert(0, f"le territoire de l’organisation ({mine}) et ce qu’il contient")
    finest = scope.get("finest_level")
    quotas, usage = found.get("quotas") or {}, found.get("usage") or {}
    return {
        **found,
        "tiers": [TIER_LABELS[t] for t in Tier if t.value in scope.get("tiers", ())],
        "indicators": list(scope.get("indicators", ())),
        "territories": territories,
        "finest_level": LEVEL_LABELS[GeoLevel(finest)] if finest else "département",
        "periods": sorted(scope.get("periods", ())),
        "breakdowns": [breakdowns.get(code, code) for code in scope.get("breakdowns", ())],
        "uses_shown": [USE_LABELS[Use(u)] for u in found.get("uses") or ()],
        "pricing_shown": PRICING_LABELS.get(found.get("pricing") or "", found.get("pricing")),
        "quota_rows": [
            ("Extraits", quotas.get("extracts_per_month"), usage.get("extracts", 0)),
            ("Cellules livrées", quotas.get("cells_per_month"), usage.get("cells", 0)),
        ],
    }


def _territory(level: GeoLevel, code: str) -> str:
    try:
        name = app_state().geography.name(level, code)
    except DomainError:
        name = code
    return f"{LEVEL_LABELS[level]} {name} ({code})" if level is not GeoLevel.FRANCE else "France"
