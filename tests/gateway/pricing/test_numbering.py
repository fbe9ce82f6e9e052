"""Invoice numbers per Caf and year: gapless and unique, also under concurrent deliveries."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from gateway.api.auth import profile_of
from gateway.db import Database
from gateway.db.models import InvoiceRecord, Order
from gateway.pipeline.request import parse_description
from gateway.services.demo.requesters import ensure_demo_requesters
from gateway.services.pricing.queries import invoice_order, quote_for_request
from gateway.services.pricing.quotes import accept_quote
from policies.domain import RequesterType, Use
from tariffs import PricingRequest
from tests.gateway.pricing.conftest import PRICED, Keys, QuoteFactory

THREADS, PER_THREAD = 8, 10
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def _orders(db: Database, count: int) -> list[int]:
    """Quote and accept `count` priced requests, as the extracts pipeline would."""
    request = PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES, cells_per_zone=120, zones=2)
    today = date.today()
    with db.transaction() as session:
        requester = ensure_demo_requesters(session)["cabinet_prive"]
        ids = []
        for n in range(count):
            record = quote_for_request(
                session,
                requester_id=requester.id,
                caf_code="13",
                pricing_request=request,
                request=parse_description({**PRICED, "periods": [2019 + n % 5]}, {}),
                today=today,
            )
            order, _ = accept_quote(
                session, quote_id=record.id, requester=profile_of(requester), today=today
            )
            ids.append(order.id)
        return ids


def _sequences(db: Database) -> list[int]:
    with db.transaction() as session:
        return list(
            session.scalars(select(InvoiceRecord.sequence).order_by(InvoiceRecord.sequence))
        )


@ON_POSTGRES
def test_concurrent_deliveries_number_invoices_without_gaps(db: Database) -> None:
    orders = _orders(db, THREADS * PER_THREAD)
    batches = [orders[i::THREADS] for i in range(THREADS)]

    def deliver(batch: list[int]) -> list[str]:
        numbers = []
        for order_id in batch:
            with db.transaction() as session:
                invoice = invoice_order(session, order_id=order_id, idempotency_key=None)
                assert invoice is not None
                numbers.append(invoice.number)
        return numbers

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for batch in pool.map(deliver, batches) for n in batch]
    elapsed = time.perf_counter() - started
    print(f"\n{len(numbers)} factures numérotées par {THREADS} fils en {elapsed:.2f} s")
    assert len(set(numbers)) == THREADS * PER_THREAD
    assert _sequences(db) == list(range(1, THREADS * PER_THREAD + 1))


@ON_POSTGRES
def test_concurrent_retries_of_one_delivery_make_one_invoice(db: Database) -> None:
    (order_id,) = _orders(db, 1)

    def deliver(_: int) -> str:
        with db.transaction() as session:
            invoice = invoice_order(session, order_id=order_id, idempotency_key="livraison")
            assert invoice is not None
            return invoice.number

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = set(pool.map(deliver, range(THREADS)))
    assert len(numbers) == 1
    assert _sequences(db) == [1]


@ON_POSTGRES
def test_concurrent_acceptances_with_one_key_make_one_order(
    app: Flask, keys: Keys, make_quote: QuoteFactory, db: Database
) -> None:
    quote_id = make_quote()["id"]
    headers = keys.auth("cabinet_prive") | {"Idempotency-Key": "course"}

    def accept(_: int) -> tuple[int, object]:
        client: FlaskClient = app.test_client()
        response = client.post(f"/api/v1/quotes/{quote_id}/accept", headers=headers)
        return response.status_code, response.json

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(accept, range(THREADS)))
    assert {status for status, _ in results} == {201}
    assert len({str(body) for _, body in results}) == 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_a_rolled_back_delivery_gives_its_number_back(db: Database) -> None:
    first, second = _orders(db, 2)
    with pytest.raises(RuntimeError), db.transaction() as session:
        invoice_order(session, order_id=first, idempotency_key=None)
        raise RuntimeError("livraison échouée après la facture")
    with db.transaction() as session:
        invoice = invoice_order(session, order_id=second, idempotency_key=None)
        assert invoice is not None and invoice.sequence == 1
    with db.transaction() as session:
        invoice = invoice_order(session, order_id=first, idempotency_key=None)
        assert invoice is not None and invoice.sequence == 2


def test_numbering_restarts_each_year_per_caf(db: Database) -> None:
    orders = _orders(db, 3)
    days = [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    with db.transaction() as session:
        numbers = [
            invoice_order(session, order_id=o, idempotency_key=None, today=d).number  # type: ignore[union-attr]
            for o, d in zip(orders, days, strict=True)
        ]
    assert numbers == ["13-2026-000001", "13-2027-000001", "13-2027-000002"]
