"""/api/v1/abonnements: subscribe to an extract request, follow, pause, resume, end it.

A requester sees only its own subscriptions (another's is a 404); the administrators of its
Caf list them read-only under /api/v1/admin/requesters/{id}/abonnements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from gateway.api.admin.common import read, requester_caf
from gateway.api.auth import current_caller, gate, own_requester_id
from gateway.api.blueprint import Blueprint
from gateway.api.subscriptions.schemas import (
    DeliveryPageSchema,
    DeliveryQuerySchema,
    SubscriptionCreatedSchema,
    SubscriptionCreateSchema,
    SubscriptionListSchema,
    SubscriptionSchema,
)
from gateway.db.models import Subscription
from gateway.services.requesters import queries as requesters
from gateway.services.subscriptions import embedded, service
from gateway.services.subscriptions.values import Cadence
from gateway.services.subscriptions.views import describe_delivery
from gateway.state import app_state, request_session
from policies.access import Action, Caller

blp = Blueprint(
    "abonnements",
    __name__,
    url_prefix="/abonnements",
    description="Abonnements : livraisons récurrentes d'une demande d'extrait",
)
theirs = Blueprint(
    "admin-demandeurs-abonnements",
    __name__,
    url_prefix="/admin/requesters",
    description="Administration : abonnements d'un demandeur",
)


def _described(session: Session, subscription: Subscription) -> dict[str, Any]:
    now, version = datetime.now(UTC), app_state().store.version()
    return service.describe_subscription(session, subscription, now=now, store_version=version)


@blp.route("")
class Subscriptions(MethodView):
    @gate(Action.SUBSCRIPTION_CREATE)
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionCreatedSchema)
    @blp.alt_response(402, description="Livraisons payantes : accepter_tarif requis")
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """S'abonner à une demande d'extrait, livrée à chaque millésime ou à date fixe.

        La demande est vérifiée comme un extrait le serait (politique, convention en vigueur,
        taille, quota, secret statistique, tarif), sans rien livrer : un refus reçoit le même
        problème. La première livraison est due tout de suite ; seule l'échéance courante est
        jamais livrée (pas de rattrapage des périodes passées).
        """
        state = app_state()
        fields = service.SubscriptionFields(
            request=body["demande"],
            cadence=Cadence(body["rythme"]),
            name=body["nom"],
            webhook_url=body.get("webhook"),
            price_accepted=body["accepter_tarif"],
        )
        with state.database.transaction() as session:
            created = service.create_subscription(
                session, current_caller(), fields, development=state.settings.is_development
            )
            document = _described(session, created.subscription)
        embedded.wake()  # SQLite: this worker delivers the first one now (PostgreSQL: a worker)
        document["secret_webhook"] = created.webhook_secret
        document["premiere_livraison"] = created.first_delivery.to_json()
        location = url_for(
            "abonnements.SubscriptionDetail", subscription_id=created.subscription.id
        )
        return document, {"Location": location}

    @gate(Action.SUBSCRIPTION_READ)
    @blp.response(200, SubscriptionListSchema)
    def get(self) -> dict[str, Any]:
        """Mes abonnements, du plus récent au plus ancien (terminés compris)."""
        session = request_session()
        found = service.subscriptions_of(session, own_requester_id())
        return {"items": [_described(session, s) for s in found]}


@blp.route("/<int:subscription_id>")
class SubscriptionDetail(MethodView):
    @gate(Action.SUBSCRIPTION_READ)
    @blp.response(200, SubscriptionSchema)
    def get(self, subscription_id: int) -> dict[str, Any]:
        """Lire un de mes abonnements : sa prochaine livraison et la dernière."""
        session = request_session()
        subscription = service.owned_subscription(session, subscription_id, own_requester_id())
        return _described(session, subscription)


@blp.route("/<int:subscription_id>/livraisons")
class SubscriptionDeliveries(MethodView):
    @gate(Action.SUBSCRIPTION_READ)
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliveryPageSchema)
    def get(self, args: dict[str, Any], subscription_id: int) -> dict[str, Any]:
        """L'historique des livraisons d'un abonnement (livré, refusé et pourquoi, en échec)."""
        session = request_session()
        subscription = service.owned_subscription(session, subscription_id, own_requester_id())
        page = service.history(session, subscription, args["page"], args["per_page"])
        found = page.as_dict()
        found["items"] = [describe_delivery(d) for d in page.items]
        return found


Change = Callable[[Session, Caller, int], Subscription]


def _changed(change: Change, subscription_id: int) -> dict[str, Any]:
    with app_state().database.transaction() as session:
        subscription = change(session, current_caller(), subscription_id)
        return _described(session, subscription)


@blp.route("/<int:subscription_id>/pause")
class Pause(MethodView):
    @gate(Action.SUBSCRIPTION_PAUSE)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(409, description="L'abonnement n'est pas actif")
    def post(self, subscription_id: int) -> dict[str, Any]:
        """Mettre en pause un abonnement actif : rien n'est livré jusqu'à sa reprise."""
        return _changed(service.pause_subscription, subscription_id)


@blp.route("/<int:subscription_id>/reprise")
class Resume(MethodView):
    @gate(Action.SUBSCRIPTION_RESUME)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(409, description="L'abonnement n'est pas en pause")
    def post(self, subscription_id: int) -> dict[str, Any]:
        """Reprendre un abonnement en pause.

        Les échéances passées pendant la pause ne sont pas rattrapées : seule l'échéance en
        cours est livrée (à la prochaine exécution), si elle ne l'a pas déjà été.
        """
        return _changed(service.resume_subscription, subscription_id)


@blp.route("/<int:subscription_id>/fin")
class End(MethodView):
    @gate(Action.SUBSCRIPTION_END)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(409, description="L'abonnement est déjà terminé")
    def post(self, subscription_id: int) -> dict[str, Any]:
        """Terminer un abonnement, définitivement ; son historique reste consultable."""
        return _changed(service.end_subscription, subscription_id)


@theirs.route("/<int:requester_id>/abonnements")
class RequesterSubscriptions(MethodView):
    @gate(Action.REQUESTER_RECORDS_READ, caf=requester_caf)
    @theirs.response(200, SubscriptionListSchema)
    def get(self, requester_id: int) -> dict[str, Any]:
        """Les abonnements d'un demandeur de sa Caf (lecture seule)."""
        read(requesters.get_requester, requester_id)  # 404 for an unknown requester
        session = request_session()
        found = service.subscriptions_of(session, requester_id)
        return {"items": [_described(session, s) for s in found]}
