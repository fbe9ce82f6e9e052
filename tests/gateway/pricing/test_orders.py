"""Accepting a quote (idempotent), expired quotes, invoicing a delivery once, invoice PDFs."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from gateway.db import Database
from gateway.db.models import InvoiceRecord, Order
from gateway.pipeline.request import parse_description
from gateway.services.pricing.queries import covering_order, invoice_order
from tests.gateway.pricing.conftest import PRICED, SOCLE, Keys, QuoteFactory, back_dated_quote


def _accept(
    client: FlaskClient,
    keys: Keys,
    quote_id: int,
    key: str | None = None,
    slug: str = "cabinet_prive",
):  # type: ignore[no-untyped-def]
    headers = keys.auth(slug) | ({"Idempotency-Key": key} if key else {})
    return client.post(f"/api/v1/quotes/{quote_id}/accept", headers=headers)


def _orders(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Order)) or 0


def test_accepting_turns_the_quote_into_an_order(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    quote_id = make_quote()["id"]
    response = _accept(client, keys, quote_id)
    assert response.status_code == 201
    order = response.json
    assert (order["statut"], order["devis_id"], order["devis"]["statut"]) == (
        "commandee",
        quote_id,
        "accepte",
    )
    again = _accept(client, keys, quote_id)
    assert again.status_code == 200
    assert again.json["id"] == order["id"]


def test_retried_acceptance_with_the_same_key_answers_the_same(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory, db: Database
) -> None:
    quote_id = make_quote()["id"]
    first = _accept(client, keys, quote_id, key="essai-1")
    second = _accept(client, keys, quote_id, key="essai-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json == second.json
    assert _orders(db) == 1


def test_a_key_reused_for_another_quote_is_refused(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    first, second = make_quote()["id"], make_quote()["id"]
    assert _accept(client, keys, first, key="cle").status_code == 201
    response = _accept(client, keys, second, key="cle")
    assert response.status_code == 422
    assert response.json["code"] == "cle_idempotence_reutilisee"


def test_expired_quote_cannot_be_accepted(
    app: Flask, client: FlaskClient, keys: Keys, db: Database
) -> None:
    quote_id = back_dated_quote(app, keys.ids["cabinet_prive"], date(2026, 1, 5))
    assert (
        client.get(f"/api/v1/quotes/{quote_id}", headers=keys.auth("cabinet_prive")).json["statut"]
        == "expire"
    )
    response = _accept(client, keys, quote_id)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "devis_expire"
    assert "2026-04-05" in response.json["detail"]
    assert _orders(db) == 0


def test_only_its_requester_accepts_a_quote(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    quote_id = make_quote()["id"]
    assert _accept(client, keys, quote_id, slug="commune").status_code == 404
    assert _accept(client, keys, quote_id, slug="admin_caf").status_code == 403


def test_delivery_invoices_once_and_the_invoice_renders(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory, db: Database
) -> None:
    quote = make_quote()
    order_id = _accept(client, keys, quote["id"]).json["id"]
    requester = keys.ids["cabinet_prive"]
    with db.transaction() as session:
        order = covering_order(
            session, requester_id=requester, fingerprint=parse_description(PRICED, {}).fingerprint()
        )
        assert order is not None and order.id == order_id
        invoice = invoice_order(session, order_id=order_id, idempotency_key="livraison-1")
        assert invoice is not None
        number, total = invoice.number, invoice.total
    with db.transaction() as session:
        retry = invoice_order(session, order_id=order_id, idempotency_key="livraison-1")
        assert retry is not None and retry.number == number
        assert (
            covering_order(session, requester_id=requester, fingerprint=quote["empreinte"]) is None
        )
        assert session.scalar(select(func.count()).select_from(InvoiceRecord)) == 1
    assert number == f"13-{date.today().year}-000001"
    assert str(total) == quote["devis"]["total_ttc"]
    pdf = client.get(f"/api/v1/invoices/{number}.pdf", headers=keys.auth("cabinet_prive"))
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert pdf.data.startswith(b"%PDF-")
    assert (
        client.get(f"/api/v1/invoices/{number}.pdf", headers=keys.auth("admin_caf")).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/invoices/{number}.pdf", headers=keys.auth("commune")).status_code
        == 404
    )


def test_zero_priced_order_is_delivered_without_invoice(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory, db: Database
) -> None:
    quote = make_quote("cabinet_prive", SOCLE)
    order_id = _accept(client, keys, quote["id"]).json["id"]
    with db.transaction() as session:
        assert invoice_order(session, order_id=order_id, idempotency_key=None) is None
        assert session.get(Order, order_id).status == "livree"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(InvoiceRecord)) == 0
