"""Subscribe to an extract's request ("S'abonner", from an extract's page): the same request,
delivered again at each vintage or each month, quarter or year, as `POST /abonnements` does.

A webhook's signing secret is shown once, on the answer to the form (never stored in the
session, never cached), as a new API key is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, flash, request

from gateway.delivery import FORMATS
from gateway.services.extracts import service as extracts
from gateway.services.extracts.reorder import request_body
from gateway.services.pricing.subject import request_subject
from gateway.services.subscriptions import embedded, service
from gateway.services.subscriptions.service import SubscriptionFields
from gateway.services.subscriptions.values import CADENCE_LABELS, Cadence
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import Errors, errors_of, form_values, page, person_gate, see_other
from gateway.web.espace.extract_pages import FORMAT_ORDER
from gateway.web.twin import FORMAT_LABELS
from policies.access import Action
from policies.errors import DomainError, InvalidInput, PaymentRequired

FIELDS = ("extrait", "nom", "rythme", "format", "webhook", "accepter_tarif")
NAME_MAX = 200


@person_gate(Action.SUBSCRIPTION_READ)  # showing is reading; the form's POST creates
def subscribe_form() -> Response:
    """Show the subscription form for one of the organisation's extracts."""
    extract_id = request.args.get("extrait", "")
    extract = extracts.owned_extract(request_session(), extract_id, signed_in().caller)
    values = {
        "extrait": extract.id,
        "nom": "",
        "rythme": Cadence.VINTAGE.value,
        "format": str(extract.request.get("format") or "csv-fr"),
        "webhook": "",
        "accepter_tarif": "",
    }
    return _form(values, {})


@person_gate(Action.SUBSCRIPTION_CREATE)
def subscribe_submit() -> Response:
    """Create the subscription; errors beside their fields, a refusal in its words."""
    person, values = signed_in(), form_values(*FIELDS)
    extract = extracts.owned_extract(request_session(), values["extrait"], person.caller)
    errors = _check(values)
    if errors:
        return _form(values, errors, 422)
    state = app_state()
    try:
        fields = _fields(extract.request, values)
        with state.database.transaction() as session:
            created = service.create_subscription(
                session, person.caller, fields, development=state.settings.is_development
            )
            subscription_id = created.subscription.id
        embedded.wake()  # SQLite: this worker delivers the first one now (PostgreSQL: a worker)
    except InvalidInput as error:
        return _form(values, errors_of(error), 422)
    except PaymentRequired as error:
        return _form(values, {"accepter_tarif": error.detail}, 402)
    except DomainError as error:
        return _form(values, {}, error.http_status, refusal=error)
    if created.webhook_secret:
        return page(
            "espace/subscribe_done.html",
            201,
            private=True,
            subscription_id=subscription_id,
            secret=created.webhook_secret,
        )
    flash(
        "Abonnement créé : sa première livraison sera produite à la prochaine exécution.", "succes"
    )
    return see_other("espace.subscription", subscription_id=subscription_id)


def _fields(description: Mapping[str, Any], values: dict[str, str]) -> SubscriptionFields:
    """The subscription asked: the extract's request as its body was sent (zones by their
    number; a bespoke breakdown or an IMAJE screen is refused), with the form's choices."""
    return SubscriptionFields(
        request={**request_body(description), "format": values["format"]},
        cadence=Cadence(values["rythme"]),
        name=" ".join(values["nom"].split()),
        webhook_url=values["webhook"].strip() or None,
        price_accepted=values["accepter_tarif"] == "oui",
    )


def _check(values: dict[str, str]) -> Errors:
    errors: Errors = {}
    if values["rythme"] not in {c.value for c in Cadence}:
        errors["rythme"] = "Choisissez quand livrer : à chaque millésime, ou à date fixe."
    if values["format"] not in FORMATS:
        errors["format"] = "Choisissez un format parmi ceux proposés."
    if len(values["nom"]) > NAME_MAX:
        errors["nom"] = f"{NAME_MAX} caractères au plus."
    return errors


def _form(
    values: dict[str, str], errors: Errors, status: int = 200, refusal: DomainError | None = None
) -> Response:
    extract = extracts.owned_extract(request_session(), values["extrait"], signed_in().caller)
    formats = [(name, FORMAT_LABELS.get(name, name)) for name in FORMAT_ORDER if name in FORMATS]
    return page(
        "espace/subscribe.html",
        status,
        private=True,
        values=values,
        errors=errors,
        refusal=refusal,
        subject=request_subject(extract.request),
        cadences=[(c.value, CADENCE_LABELS[c].capitalize()) for c in Cadence],
        formats=formats,
    )
