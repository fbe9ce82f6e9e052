"""POST /api/v1/quotes, GET /quotes/{id}(.pdf), POST /quotes/{id}/accept, /invoices/{n}(.pdf)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView

from gateway.api.auth import current_caller, gate
from gateway.api.blueprint import Blueprint
from gateway.api.quotes.schemas import (
    InvoiceSchema,
    OrderSchema,
    QuoteRequestSchema,
    QuoteSchema,
)
from gateway.links import invoice_url, quote_url
from gateway.services.pricing import documents as pricing_documents
from gateway.services.pricing import quotes
from gateway.services.pricing.idempotency import Replayable, once
from gateway.services.pricing.queries import quote_reference
from gateway.services.pricing.subject import request_subject
from gateway.state import app_state, request_session
from policies.access import Action
from tariffs.document_mapping import subject_to_mapping

blp = Blueprint("devis", __name__, description="Devis, commandes et factures")

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "Une nouvelle tentative avec la même clé renvoie la même réponse.",
}
_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def quote_view(record: Any, today: date) -> dict[str, Any]:
    return {
        "id": record.id,
        "reference": quote_reference(record),
        "statut": quotes.quote_status(record, today).value,
        "caf": record.caf_code,
        "demandeur_id": record.requester_id,
        "empreinte": record.fingerprint,
        "demande": record.description,
        "objet": subject_to_mapping(request_subject(record.description)),
        "devis": record.document,
        "pdf": f"{quote_url(record.id)}.pdf",
    }


def order_view(order: Any, record: Any, today: date) -> dict[str, Any]:
    return {
        "id": order.id,
        "statut": order.status,
        "devis_id": order.quote_id,
        "caf": order.caf_code,
        "acceptee_le": order.accepted_at,
        "livree_le": order.delivered_at,
        "devis": quote_view(record, today),
    }


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@blp.route("/quotes")
class Quotes(MethodView):
    @gate(Action.QUOTE_CREATE)
    @blp.arguments(QuoteRequestSchema)
    @blp.response(201, QuoteSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Chiffrer une demande : une ligne par composante, avec la règle qui l'a produite.

        La demande est celle de POST /extracts (sans le format) : le devis accepté couvre
        l'extrait demandé avec le même corps. La Caf qui établit le devis est celle du
        demandeur (pour un compte national, celle des territoires demandés).
        """
        today = date.today()
        caller = current_caller()
        with app_state().database.transaction() as session:
            record = quotes.propose_quote(session, caller, body, today=today)
            return quote_view(record, today)


@blp.route("/quotes/<int:quote_id>")
class QuoteDetail(MethodView):
    @gate(Action.QUOTE_READ)
    @blp.response(200, QuoteSchema)
    def get(self, quote_id: int) -> dict[str, Any]:
        """Lire un devis (son demandeur, ou un administrateur de sa Caf)."""
        record = quotes.owned_quote(request_session(), quote_id, current_caller().profile)
        return quote_view(record, date.today())


@blp.route("/quotes/<int:quote_id>.pdf")
class QuotePdf(MethodView):
    @gate(Action.QUOTE_READ)
    @blp.doc(responses={"200": {"description": "Le devis en PDF", "content": _PDF}})
    def get(self, quote_id: int) -> Response:
        """Télécharger un devis en PDF."""
        session = request_session()
        record = quotes.owned_quote(session, quote_id, current_caller().profile)
        content = pricing_documents.quote_pdf(session, record)
        return _pdf(content, f"{quote_reference(record)}.pdf")


@blp.route("/quotes/<int:quote_id>/accept")
class QuoteAccept(MethodView):
    @gate(Action.QUOTE_ACCEPT)
    @blp.response(201, OrderSchema, description="Commande créée")
    @blp.alt_response(200, schema=OrderSchema, description="Devis déjà accepté : sa commande")
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    def post(self, quote_id: int) -> Response:
        """Accepter un devis : il devient une commande (un devis expiré ne s'accepte pas)."""
        actor, today = current_caller(), date.today()
        assert actor.requester_id is not None

        with app_state().database.transaction() as session:

            def accept() -> Replayable:
                order, created = quotes.accept_quote(
                    session, quote_id=quote_id, requester=actor.profile, today=today
                )
                record = quotes.owned_quote(session, quote_id, actor.profile)
                body = OrderSchema().dump(order_view(order, record, today))
                return Replayable(201 if created else 200, body)

            result = once(
                session,
                requester_id=actor.requester_id,
                endpoint="POST /quotes/{id}/accept",
                key=request.headers.get("Idempotency-Key"),
                payload={"quote_id": quote_id},
                run=accept,
            )
        response = jsonify(result.body)
        response.status_code = result.status
        return response


@blp.route("/invoices/<string:number>")
class InvoiceDetail(MethodView):
    @gate(Action.INVOICE_READ)
    @blp.response(200, InvoiceSchema)
    def get(self, number: str) -> dict[str, Any]:
        """Lire une facture : demande et extrait facturés, vendeur, acheteur, conditions."""
        invoice = pricing_documents.visible_invoice(
            request_session(), number, current_caller().profile
        )
        return {**invoice.document, "pdf": f"{invoice_url(invoice.number)}.pdf"}


@blp.route("/invoices/<string:number>.pdf")
class InvoicePdf(MethodView):
    @gate(Action.INVOICE_READ)
    @blp.doc(responses={"200": {"description": "La facture en PDF", "content": _PDF}})
    def get(self, number: str) -> Response:
        """Télécharger une facture en PDF (son demandeur, ou un administrateur de sa Caf)."""
        invoice = pricing_documents.visible_invoice(
            request_session(), number, current_caller().profile
        )
        return _pdf(pricing_documents.invoice_pdf(invoice), f"facture-{invoice.number}.pdf")
