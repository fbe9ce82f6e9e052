"""The request builder: the form and its live preview, the check page, then the submission.

`GET /demande` is the form (a GET form: bookmarkable, and the back button keeps it); with
JavaScript, htmx sends it to `GET /demande/apercu` on every change and swaps the preview in
place; without, "Mettre à jour l'aperçu" reloads the page with it. "Vérifier ma demande"
leads to `GET /demande/verifier` (the whole request to check, its preview and the API call),
whose button posts it to `POST /demande/envoyer`: the API's own service call
(`extracts.submit`). A free request is delivered (or runs in the background), a priced one
becomes a quote to accept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Response, request, url_for

from gateway.pipeline.payment import QuoteToAccept
from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.extracts import service as extracts
from gateway.state import request_session
from gateway.web.account.current import SignedInPerson, signed_in
from gateway.web.account.forms import page, person_gate, see_other
from gateway.web.demande.assessment import Assessed, api_calls, assess
from gateway.web.demande.choices import builder_choices, offered_breakdowns, own_territory
from gateway.web.demande.form import BuilderForm, field_errors, loaded_body, read_form
from gateway.web.labels import TIER_LABELS
from policies.access import Action
from policies.errors import DomainError, InvalidInput

#: The button that sent the form: a search keeps quiet about the fields not yet filled.
SEARCH = "rechercher"


def _render(template: str, assessed: Assessed, status: int = 200, **context: Any) -> Response:
    person = signed_in()
    form = assessed.form
    choices = builder_choices(request_session(), person.profile, person.requester_id, form)
    return page(
        template,
        status,
        person=person,
        form=form,
        errors=form.errors,
        choices=choices,
        assessed=assessed,
        preview=assessed.preview,
        calls=api_calls(assessed.body) if assessed.body is not None else (),
        tiers=TIER_LABELS,
        **context,
    )


@person_gate(Action.EXTRACT_PREVIEW_READ)
def builder() -> Response:
    """Show the form; with its fields sent, their errors or the preview beside it."""
    person = signed_in()
    if not request.args:  # a new request: the organisation's own territory, the last year
        return _render("demande/builder.html", Assessed(_fresh(person)))
    form = read_form(request.args)
    if request.args.get("action") == SEARCH:
        return _render("demande/builder.html", Assessed(replace(form, errors={})), searched=True)
    assessed = assess(form, person)
    status = 422 if assessed.form.errors else 200
    return _render("demande/builder.html", assessed, status)


def _fresh(person: SignedInPerson) -> BuilderForm:
    return BuilderForm(territory=own_territory(person.profile))


@person_gate(Action.EXTRACT_PREVIEW_READ)
def preview_fragment() -> Response:
    """Return the preview alone (htmx swaps it in); the breakdowns too when they changed."""
    form = read_form(request.args)
    assessed = assess(form, signed_in()) if form.indicators else Assessed(form)
    offered = offered_breakdowns(catalogue_in_force(request_session()), form.indicators)
    changed = ",".join(b.code for b in offered) != request.args.get("offertes", "")
    return _render("demande/_preview_fragment.html", assessed, breakdowns_changed=changed)


@person_gate(Action.EXTRACT_PREVIEW_READ)
def check() -> Response:
    """Show the whole request to check before sending it, or the form with its errors."""
    assessed = assess(read_form(request.args), signed_in())
    if assessed.form.errors or assessed.preview is None:
        return _render("demande/builder.html", assessed, 422)
    return _render("demande/check.html", assessed)


@person_gate(Action.EXTRACT_CREATE)
def submit() -> Response:
    """Send the request: delivered, in the background, or a quote to accept.

    A second click sends the same request: the pipeline serves the extract already delivered,
    or the job already in flight, of an identical request (no second extract).
    """
    person = signed_in()
    form = read_form(request.form)
    body, errors = loaded_body(form)
    if errors or body is None:
        return _render("demande/builder.html", assess(form, person), 422)
    try:
        outcome = extracts.submit(person.caller, body)
    except QuoteToAccept as quote:
        return see_other("demande.quote", quote_id=quote.extra["devis"]["id"])
    except InvalidInput as error:
        errors = field_errors(error.errors) or {"": error.detail}
        return _render("demande/builder.html", Assessed(form.with_errors(errors)), 422)
    except DomainError as error:  # refused at a later step: said on the check page
        return _render("demande/check.html", assess(form, person), error.http_status, refusal=error)
    return see_other("demande.result", extract_id=outcome.extract_id)


def builder_url(form: BuilderForm, anchor: str = "") -> str:
    """Return the form's address with its fields (the check page's "Modifier" links)."""
    query = urlencode([(name, value) for name, value in form.params() if value])
    return f"{url_for('demande.builder')}?{query}" + (f"#{anchor}" if anchor else "")
