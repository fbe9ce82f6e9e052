"""The access request form of an organisation (DataPass-style), and its confirmation."""

from __future__ import annotations

from flask import Response, request, session
from sqlalchemy import select

from gateway.db.models import Caf
from gateway.services.accounts.access_requests import LEVELS, REQUESTABLE_TYPES
from gateway.services.accounts.access_requests import submit_access_request as submit
from gateway.state import app_state, request_session
from gateway.web.account.forms import errors_of, form_values, page, see_other
from gateway.web.account.security import accounts
from policies.access.values import type_label
from policies.domain import GeoLevel
from policies.errors import InvalidInput

FIELDS = (
    "organisation",
    "siret",
    "requester_type",
    "caf_code",
    "territory_level",
    "territory_code",
    "purpose",
    "contact_name",
    "contact_email",
)
_SENT = "demande_acces_envoyee"
#: The territory levels as the form names them, with the code each expects.
LEVEL_CHOICES = {
    GeoLevel.COMMUNE: "Commune (code Insee, 5 caractères)",
    GeoLevel.EPCI: "Intercommunalité (SIREN de l'EPCI, 9 chiffres)",
    GeoLevel.DEPARTEMENT: "Département (numéro)",
    GeoLevel.REGION: "Région (code Insee)",
}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The lists the form offers: requester types, Cafs, territory levels."""
    cafs = request_session().execute(select(Caf.code, Caf.name).order_by(Caf.departement))
    return {
        "types": [("", "Choisissez un type")]
        + [(t.value, type_label(t).capitalize()) for t in REQUESTABLE_TYPES],
        "cafs": [("", "Choisissez une Caf")] + [(code, name) for code, name in cafs],
        "levels": [("", "Aucun territoire")] + [(lvl.value, LEVEL_CHOICES[lvl]) for lvl in LEVELS],
    }


def access_request_form() -> Response:
    values = dict.fromkeys(FIELDS, "")
    return page("account/access_request.html", values=values, errors={}, choices=_choices())


def access_request_submit() -> Response:
    """Record the request for the Caf to decide; every field error shown beside its field."""
    values = form_values(*FIELDS)
    source = request.remote_addr or "inconnue"
    limits = accounts().public_forms
    if not limits.hit(source):
        wait = max(1, -(-(limits.retry_after(source) or 60) // 60))
        errors = {"": f"Trop de demandes depuis votre adresse : réessayez dans {wait} minutes."}
        return _form(values, errors, 429)
    try:
        with app_state().database.transaction() as db:
            record = submit(db, dict(values))
            caf = db.get(Caf, record.caf_code)
            session[_SENT] = {
                "organisation": record.organisation,
                "caf": caf.name if caf else record.caf_code,
                "email": record.contact_email,
            }
    except InvalidInput as error:
        return _form(values, errors_of(error), 422)
    return see_other("compte.access_request_sent")


def _form(values: dict[str, str], errors: dict[str, str], status: int) -> Response:
    return page(
        "account/access_request.html", status, values=values, errors=errors, choices=_choices()
    )


def access_request_sent() -> Response:
    """Confirm the request, once (a reload or a direct visit shows the general words)."""
    return page("account/access_request_sent.html", sent=session.pop(_SENT, None))
