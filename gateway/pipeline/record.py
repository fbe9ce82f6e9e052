"""What an extract leaves behind: its row, its header, the ledger, the invoice, the audit chain.

A delivery writes them all in one transaction (`commit`); a refusal, a quote or a repeat
leaves one audit entry (`log`, `append`), under the action `Action.EXTRACT_CREATE` unless
another is named.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gateway.db import Database
from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED
from gateway.delivery import DeliveryHeader
from gateway.pipeline import claims, payment
from gateway.pipeline.compute import Computed, stored_terms
from gateway.pipeline.deliver import cells_to_json, released_cells
from gateway.pipeline.locks import serialise
from gateway.pipeline.prepare import Prepared
from gateway.services.audit import queries as audit_log
from gateway.services.extracts import queries as extracts
from gateway.services.ledger import queries as ledger
from gateway.services.pricing.queries import order_total
from gateway.services.territories.queries import caf_name
from gateway.store import CellStore
from policies.access import Action
from policies.geography import SEVERAL_CAF, Geography


class AlreadyDelivered(Exception):
    """The extract was delivered by an earlier run of its job: nothing more is written."""


def commit(
    database: Database,
    header: DeliveryHeader,
    prepared: Prepared,
    computed: Computed,
    cells: tuple[Any, ...],
    *,
    version: str,
    order_id: int | None,
    key: str | None,
    day: date,
    lock_timeout: float,
) -> Decimal | None:
    """Write the extract, the ledger, the audit entry and the invoice: all or nothing."""
    suppressed = sum(1 for c in cells if c.secret)
    extract_id = header.extract_id
    with database.transaction() as session:
        # The quota is read again, and this delivery counted, in one step per convention:
        # read in one transaction and committed in another, concurrent deliveries overran it.
        serialise(session, claims.quota_step(prepared), lock_timeout)
        payment.check_quota(session, prepared, day)
        extract = extracts.extract_row(session, extract_id, for_update=True)
        if extract.status == DELIVERED:  # a queued job taken up again after its commit
            raise AlreadyDelivered(extract_id)
        fill(extract, prepared, version, DELIVERED)
        extract.cells_delivered, extract.cells_suppressed = len(cells), suppressed
        extract.progress, extract.completed_at = 100, datetime.now(UTC)
        extracts.store_extract(session, extract)  # the ledger rows and the invoice refer to it
        rows = released_cells(prepared.request, prepared.catalogue, prepared.territories, computed)
        ledger.record(
            session,
            extract_id=extract_id,
            audience=prepared.caller.requester_id,
            cells=list(rows),
        )
        invoice = payment.invoice(session, order_id, key, extract_id)
        price = invoice.total if invoice is not None else order_total(session, order_id)
        extract.invoice_number = invoice.number if invoice is not None else None
        # The cells are written once, with the price: a result stored before the price, then
        # changed, was serialised and written twice (a département's 15,000 cells: 2 x 5 MB).
        extract.result = {
            "cellules": cells_to_json(cells),
            "contexte": header.to_json(),
            "prix": None if price is None else str(price),
        }
        claims.remember(session, prepared, key, extract_id)
        audit_log.append_entry(
            session,
            **_audit_fields(prepared, audit_log.ALLOWED),
            cells_delivered=len(cells),
            cells_suppressed=suppressed,
            price=price,
            details={"extrait": extract_id, "facture": extract.invoice_number},
        )
    return price


def fill(extract: Extract, prepared: Prepared, version: str, status: str) -> None:
    """Describe the request on its extract's row (the columns a twin is found by)."""
    extract.requester_id = prepared.caller.requester_id
    extract.fingerprint = prepared.request.fingerprint()
    extract.request = dict(prepared.request.description) | {"format": prepared.request.output}
    extract.status = status
    extract.convention_ref = prepared.decision.convention_reference
    extract.store_version = version


def log(
    database: Database,
    prepared: Prepared,
    decision: str,
    rules: list[str],
    action: Action = Action.EXTRACT_CREATE,
    **details: Any,
) -> None:
    """Append a decision that delivers nothing, in a transaction of its own."""
    with database.transaction() as session:
        append(session, prepared, decision, rules, action, **details)


def append(
    session: Session,
    prepared: Prepared,
    decision: str,
    rules: list[str],
    action: Action = Action.EXTRACT_CREATE,
    **details: Any,
) -> None:
    """Append a decision that delivers nothing, in the caller's transaction."""
    audit_log.append_entry(
        session,
        **{**_audit_fields(prepared, decision), "rules": rules, "action": action},
        cells_delivered=0,
        cells_suppressed=0,
        price=None,
        details=details,
    )


def _audit_fields(prepared: Prepared, decision: str) -> dict[str, Any]:
    return {
        "requester_id": prepared.caller.requester_id,
        "key_prefix": prepared.caller.key_prefix,
        "action": Action.EXTRACT_CREATE,
        "fingerprint": prepared.request.fingerprint(),
        "decision": decision,
        "rules": [str(r) for r in prepared.decision.deciding_rules],
        "convention_ref": prepared.decision.convention_reference,
    }


def header(
    database: Database,
    store: CellStore,
    geography: Geography,
    extract_id: str,
    prepared: Prepared,
) -> DeliveryHeader:
    """Describe a delivery: who asked, under which convention, for which Caf, from what data."""
    caf_code, name = _caf(database, geography, prepared)
    indicators = [prepared.catalogue.get(c) for c in prepared.request.indicators]
    terms = {t for indicator in indicators for t in stored_terms(indicator)}
    return DeliveryHeader(
        extract_id=extract_id,
        created_at=datetime.now(UTC),
        requester_name=prepared.caller.name,
        requester_type=prepared.caller.profile.type.value,
        caf_code=caf_code,
        caf_name=name,
        convention_reference=prepared.decision.convention_reference,
        use=prepared.request.use.value,
        synthetic=any(store.metadata(t).synthetic for t in terms),
        excluded=prepared.excluded,
    )


def _caf(database: Database, geography: Geography, prepared: Prepared) -> tuple[str, str]:
    code = prepared.caller.profile.caf_code
    if code is None:  # the requester's Caf, else the one Caf of the territories, else Cnaf
        cafs = geography.cafs_of(c for t in prepared.territories for c in t.communes)
        if len(cafs) != 1:
            return SEVERAL_CAF
        code = cafs[0]
    with database.sessions() as session:
        name = caf_name(session, code)
    return code, name or f"Caf {code}"
