"""My custom zones: the list (as `GET /zones`), and a new zone picked from the territory's communes.

The form posts to itself: "Filtrer" narrows the list by name or code, "Vérifier" checks the
zone as its creation would (`zones.check_zone`: size, name, differencing) without saving it,
"Enregistrer" creates it through `zones.create_zone`, the service of `POST /api/v1/zones`.
With JavaScript, htmx filters as one types and shows the population as one ticks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import marshmallow as ma
from flask import Response, flash, request

from gateway.api.extracts.schemas import CustomZoneCreateSchema
from gateway.services.extracts import zone_choices, zones
from gateway.services.territories.queries import name_key
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate, see_other
from gateway.web.assets import french_number
from gateway.web.espace.common import api_call, by_field, text_of
from policies.access import Action
from policies.errors import DomainError, InvalidInput, SecrecyRefusal

#: Above this many communes, the list waits for a search rather than showing them all.
LIST_LIMIT = 400
ACTIONS = ("filtrer", "apercu", "verifier", "enregistrer")
_REQUIRED = {"name": "Donnez un nom à la zone.", "communes": "Cochez au moins une commune."}


@person_gate(Action.ZONE_READ)
def zones_page() -> Response:
    """List the organisation's zones: name, communes, population."""
    session, geography = request_session(), app_state().geography
    described = [
        zones.describe_zone(session, zone, geography)
        for zone in zones.list_zones(session, signed_in().requester_id)
    ]
    listed = [
        {**zone, "choice": zone_choices.zone_choice(geography, zone["communes"], 0)}
        for zone in described
    ]
    return page(
        "espace/zones.html",
        private=True,
        zones=listed,
        minimum=app_state().settings.zone_min_population,
        api=api_call("/api/v1/zones"),
    )


@dataclass
class ZoneForm:
    """The zone being made: its name, the search, the communes ticked, what was found."""

    name: str = ""
    search: str = ""
    chosen: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    refusal: DomainError | None = None
    checked: bool = False  # "Vérifier" found nothing to say


@person_gate(Action.ZONE_READ)
def zone_new() -> Response:
    """Show the form: a name, the communes of the territory, the population so far."""
    return _form(ZoneForm(search=request.args.get("q", "").strip()[:100]))


@person_gate(Action.ZONE_CREATE)
def zone_new_submit() -> Response:
    """Filter, preview, check or save the zone, as the button pressed asks."""
    form = ZoneForm(
        name=" ".join(request.form.get("name", "").split()),
        search=request.form.get("q", "").strip()[:100],
        chosen=list(dict.fromkeys(request.form.getlist("communes"))),
    )
    action = request.form.get("action", "verifier")
    if action not in ("verifier", "enregistrer"):  # filter or preview: nothing is checked
        return _form(form)
    given = {"name": bool(form.name), "communes": bool(form.chosen)}
    form.errors = {k: message for k, message in _REQUIRED.items() if not given[k]}
    form.errors = form.errors or _schema_errors(form)
    if form.errors:
        return _form(form, 422)
    if action == "verifier":
        return _check(form)
    return _save(form)


def _schema_errors(form: ZoneForm) -> dict[str, str]:
    """The API's own schema of a new zone: the same limits, the same messages."""
    try:
        CustomZoneCreateSchema().load({"name": form.name, "communes": form.chosen})
    except ma.ValidationError as error:
        return {k: text_of(m) for k, m in by_field(error).items()}
    return {}


def _check(form: ZoneForm) -> Response:
    state, person = app_state(), signed_in()
    try:
        zones.check_zone(
            request_session(),
            person.requester_id,
            form.name,
            form.chosen,
            state.geography,
            state.settings.zone_min_population,
        )
    except DomainError as error:
        _said(form, error)
        return _form(form, error.http_status)
    form.checked = True
    return _form(form)


def _save(form: ZoneForm) -> Response:
    state, person = app_state(), signed_in()
    try:
        with state.database.transaction() as session:
            zone = zones.create_zone(
                session,
                person.requester_id,
                form.name,
                form.chosen,
                state.geography,
                state.settings.zone_min_population,
            )
            described = zones.describe_zone(session, zone, state.geography)
    except DomainError as error:
        _said(form, error)
        return _form(form, error.http_status)
    count, population = len(described["communes"]), described["population"]
    flash(
        f"Zone « {described['name']} » enregistrée : {count} commune{'s' if count > 1 else ''}, "
        f"{french_number(population)} habitants.",
        "succes",
    )
    return see_other("espace.zones")


def _said(form: ZoneForm, error: DomainError) -> None:
    """Put a service's error beside its field; a differencing refusal also at the top."""
    if isinstance(error, InvalidInput) and error.errors:
        form.errors = {k: " ".join(m) for k, m in error.errors.items()}
    elif isinstance(error, SecrecyRefusal):
        form.refusal = error
        form.errors = {"communes": error.detail}
    elif error.http_status == 409:  # a zone of that name already exists
        form.errors = {"name": error.detail}
    else:
        form.errors = {"": error.detail}


def _form(form: ZoneForm, status: int = 200) -> Response:
    state, person = app_state(), signed_in()
    territories = zone_choices.zone_territories(
        request_session(), person.requester_id, person.profile
    )
    candidates = zone_choices.candidate_communes(state.geography, territories)
    too_many = len(candidates) > LIST_LIMIT and not form.search
    matches = () if too_many else zone_choices.matching(candidates, form.search)
    choice = zone_choices.zone_choice(
        state.geography, form.chosen, state.settings.zone_min_population
    )
    chosen = {c.code for c in choice.communes}
    shown = sorted(
        {*matches, *choice.communes},
        key=lambda c: (c.code not in chosen, name_key(c.name), c.code),
    )
    return page(
        "espace/zone_new.html",
        status,
        private=True,
        form=form,
        territories=[state.geography.name(level, code) for level, code in territories],
        candidates=len(candidates),
        matches=len(matches),
        too_many=too_many,
        options=[
            (c.code, f"{c.name} ({c.code}), {french_number(c.population)} hab.") for c in shown
        ],
        shown=shown,
        choice=choice,
        api=api_call("/api/v1/zones", method="POST"),
    )
