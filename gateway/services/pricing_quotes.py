"""Quote a request: the extracts' own preparation, decision and pricing, stored as a quote."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models import QuoteRecord
from gateway.pipeline import payment
from gateway.pipeline.prepare import Caller, check_size, prepare
from gateway.services import extracts


def propose_quote(
    session: Session, caller: Caller, body: Mapping[str, Any], *, today: date
) -> QuoteRecord:
    """Decide the request as an extract would be decided, then price and store its quote.

    A refused request is not quoted (the refusal is raised); neither is one larger than
    an extract may be. The fingerprint is the extract's: accepting the quote covers the
    extract asked with the same body.
    """
    pipeline = extracts.pipeline()
    prepared = prepare(
        session, caller, body, store=pipeline.store, geography=pipeline.geography, today=today
    )
    prepared.decision.raise_if_refused()
    check_size(prepared, pipeline.limits)
    return payment.propose(session, prepared, pipeline.geography, today)
