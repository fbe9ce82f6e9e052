"""Preview a request: its cells, whether it is allowed, and its price, writing nothing.

The steps of `POST /api/v1/extracts` up to the delivery, in its order, read only: the request
prepared and decided (`prepare`), its size checked, the convention's monthly quota, the
differencing rule (public information only), then its assessment by the tariff (free, covered
by an accepted quote, or priced line by line as its quote would be). Nothing is stored: no
quote, no extract, no ledger or audit entry. A refusal is the domain error the extract would
raise, with the same reasons and remedies; an invalid request raises `InvalidInput` as the
extract would. Served by `POST /api/v1/extracts/preview` and the request builder's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models.extracts import DELIVERED
from gateway.pipeline import claims, payment
from gateway.pipeline.differencing import request_refusal
from gateway.pipeline.prepare import Prepared, check_size
from gateway.state import AppState, app_state
from policies.access import Caller
from policies.errors import DomainError, QuotaExceeded
from tariffs import Quote
from tariffs.document_mapping import quote_to_mapping


@dataclass(frozen=True)
class Preview:
    """What submitting the request would do: cells, refusal or price, background or not."""

    cells: int
    territories: int  # rows of the table (requested territories, totals and parents)
    maximum_cells: int  # the largest extract this requester type may receive
    background: bool  # would run as a background job (a progress bar to follow)
    convention: str | None  # the convention the request falls under
    refusal: DomainError | None = None  # the error the extract would raise, reasons included
    quote: Quote | None = None  # the pricing (lines); None when free access prices nothing
    covering_quote: int | None = None  # an accepted quote covering exactly this request
    free_access: bool = False  # free whatever the tariff (socle commun, free convention)
    # The same request, already delivered to this requester on this data version: submitting
    # serves that extract again, free and outside the quotas (`Pipeline._cached`).
    delivered: str | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def free(self) -> bool:
        if not self.allowed:
            return False
        return self.delivered is not None or self.quote is None or self.quote.total == 0

    @property
    def outcome(self) -> str:
        """Say what submitting would give: refused, served again, free, covered, or a quote."""
        if self.refusal is not None:
            return "refus"
        if self.delivered is not None:
            return "deja_livre"
        if self.free:
            return "gratuit"
        return "devis_accepte" if self.covering_quote is not None else "devis"

    @property
    def quote_json(self) -> dict[str, Any] | None:
        """The pricing as a stored quote has it (`tariffs.quote_to_mapping`): lines, totals."""
        return quote_to_mapping(self.quote) if self.quote is not None else None

    def to_json(self) -> dict[str, Any]:
        """The preview as the API answers it (French member names, as the other documents)."""
        refusal = self.refusal
        return {
            "cellules": self.cells,
            "territoires": self.territories,
            "cellules_maximum": self.maximum_cells,
            "arriere_plan": self.background,
            "autorisee": self.allowed,
            "issue": self.outcome,
            "convention": self.convention,
            "refus": None
            if refusal is None
            else {
                "code": refusal.code,
                "title": refusal.title,
                "status": refusal.http_status,
                "detail": refusal.detail,
                "reasons": [
                    r if isinstance(r, Mapping) else {"message": r} for r in refusal.reasons
                ],
            },
            "gratuit": self.free,
            "acces_gratuit": self.free_access,
            "devis_accepte": self.covering_quote,
            "extrait_livre": self.delivered,
            "prix": None if self.delivered is not None else self.quote_json,
        }


def preview(session: Session, caller: Caller, body: Mapping[str, Any], today: date) -> Preview:
    """Run a request through decision and pricing as an extract would be, storing nothing."""
    state = app_state()
    prepared = state.pipeline.decide(session, caller, body, today)
    shown = _shown(prepared, state.limits.max_cells_for(caller.profile.type))
    shown["background"] = prepared.cells > state.limits.background_above
    try:
        prepared.decision.raise_if_refused()
    except DomainError as refusal:
        return Preview(**shown, refusal=refusal)
    check_size(prepared, state.limits)
    # As submitting does: the same request delivered before is served again, before the
    # quota and pricing steps (`Pipeline.submit`, `_cached`).
    delivered = claims.twin(session, prepared, state.store.version(), (DELIVERED,))
    if delivered is not None and delivered.result is not None:
        return Preview(**shown, delivered=delivered.id)
    later = _later_refusal(session, prepared, state, today)
    if later is not None:
        return Preview(**shown, refusal=later)
    assessment = payment.assess(session, prepared, state.geography, today)
    return Preview(
        **shown,
        quote=assessment.pricing.quote if assessment.pricing is not None else None,
        covering_quote=assessment.quote_id,
        free_access=assessment.pricing is None,
    )


def _shown(prepared: Prepared, maximum: int) -> dict[str, Any]:
    return {
        "cells": prepared.cells,
        "territories": len(prepared.territories),
        "maximum_cells": maximum,
        "convention": prepared.decision.convention_reference,
    }


def _later_refusal(
    session: Session, prepared: Prepared, state: AppState, today: date
) -> DomainError | None:
    """Return the refusal a later step would raise: the monthly quota, the differencing rule."""
    try:
        payment.check_quota(session, prepared, today)
    except QuotaExceeded as error:
        return error
    minimum = state.settings.zone_min_population
    return request_refusal(session, prepared, state.geography, minimum)
