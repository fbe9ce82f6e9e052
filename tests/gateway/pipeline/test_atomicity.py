"""A failure at any pipeline step delivers nothing and leaves no ledger, audit or invoice row."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from gateway.db.models import AuditEntry, Extract, InvoiceRecord, ReleasedCell
from policies.errors import SecrecyRefusal
from policies.refusals import Refusal, Rule
from tests.support.state import get_database

AUBAGNE = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2023, 2024],
    "use": "usage_final",
}

# (step, object to break): every step after the decision and the price.
STEPS = [
    ("lecture des cellules", "gateway.store.reader.CellStore.aggregate"),
    ("protection", "gateway.pipeline.compute.protect_related"),
    ("registre des diffusions", "gateway.services.ledger.queries.record"),
    ("journal d'audit", "gateway.services.audit.queries.append_entry"),
    ("facture", "gateway.pipeline.payment.invoice"),
]


def _counts(app: Flask) -> tuple[int, ...]:
    """Count ledger, audit and invoice rows, and delivered extracts."""
    delivered = select(func.count()).select_from(Extract).where(Extract.status == "livre")
    with app.app_context(), get_database().sessions() as session:
        rows = [
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ReleasedCell, AuditEntry, InvoiceRecord)
        ]
        return (*rows, session.scalar(delivered) or 0)


def _ordered(app: Flask, headers: dict[str, str]) -> None:
    """Quote and accept the priced request, so the delivery has an invoice to write."""
    client = app.test_client()
    quote = client.post("/api/v1/extracts", json=AUBAGNE, headers=headers).json["devis"]
    assert client.post(quote["accepter"], headers=headers).status_code in (200, 201)


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("panne injectée")


@pytest.mark.parametrize(("step", "target"), STEPS)
def test_failure_leaves_nothing_behind(
    app: Flask,
    both_keys: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    target: str,
) -> None:
    headers = both_keys["commune"]
    _ordered(app, headers)
    before = _counts(app)
    with monkeypatch.context() as patch:
        patch.setattr(target, _boom)
        response = app.test_client().post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert response.status_code == 500, step
    assert "panne" not in response.get_data(as_text=True)
    assert _counts(app) == before, step
    retried = app.test_client().post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert retried.status_code == 200, retried.get_data(as_text=True)[:300]
    ledger, audit, invoices, delivered = _counts(app)
    assert (invoices, delivered) == (before[2] + 1, before[3] + 1)
    assert ledger > before[0] and audit == before[1] + 1


def _impossible(*_args: Any, **_kwargs: Any) -> Any:
    """What the engine ends in when no pattern protects the table given what was released."""
    raise SecrecyRefusal(
        "aucune réponse sûre",
        [Refusal(Rule.SECRET_COHERENCE, "cellule non protégeable", "-")],
    )


def test_a_refusal_of_the_engine_is_audited_and_records_nothing_else(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every refusal is in the audit log, in the order protections ran (under their locks)."""
    headers = both_keys["service_etat"]
    before = _counts(app)
    with monkeypatch.context() as patch:
        patch.setattr("gateway.pipeline.compute.protect_related", _impossible)
        response = app.test_client().post("/api/v1/extracts", json=AUBAGNE, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    ledger, audit, invoices, delivered = _counts(app)
    assert (ledger, invoices, delivered) == (before[0], before[2], before[3])
    assert audit == before[1] + 1
    with app.app_context(), get_database().sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (entry.action, entry.decision) == ("extract_create", "refused")
    assert "secret.coherence" in entry.rules
