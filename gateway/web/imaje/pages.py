"""The two IMAJE screens as pages: the form (GET), then the screen (POST), through the API's
own service call (`gateway.services.extracts.screens`).

A GET shows the form, filled from the query string when a link or a search result gives
it; only the POST, with its CSRF token, asks for the screen (an extract in the requester's
history, in its quotas, protected against everything it was given before).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Response, request, url_for

from gateway.links import api_url
from gateway.pipeline.payment import QuoteToAccept
from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.conventions.queries import conventions_for
from gateway.services.extracts import screens, zones
from gateway.services.extracts.screens import Screen
from gateway.state import app_state, request_session
from gateway.web.account.current import SignedInPerson, signed_in
from gateway.web.account.forms import page, person_gate
from gateway.web.imaje import form as forms
from gateway.web.imaje.choices import (
    HISTORY_LEVELS,
    LEVEL_NAMES,
    REFERENCE_LEVELS,
    STUDY_LEVELS,
    Choices,
    screen_choices,
)
from gateway.web.imaje.quote import quote_offer
from gateway.web.imaje.search import territory_matches
from gateway.web.imaje.twin import screen_twin
from gateway.web.imaje.view import screen_view
from policies.access import Action, Caller
from policies.conventions import in_force
from policies.domain import GeoLevel, Use
from policies.errors import DomainError, InvalidInput

ACTION = Action.IMAJE_READ
#: IMAJE's first example (DOMAIN.md): the form starts on it when the catalogue has it.
DEFAULT_INDICATOR = "ENF_MOINS_3"
ScreenCall = Callable[[Caller, Mapping[str, Any]], Screen]


@dataclass(frozen=True)
class Kind:
    """One screen: its template, its API path (for its data twin), its service call."""

    template: str
    api_path: str
    call: ScreenCall
    comparison: bool


HISTORY = Kind("imaje/historique.html", api_url("/imaje/history"), screens.history, False)
COMPARISON = Kind("imaje/comparaison.html", api_url("/imaje/comparison"), screens.comparison, True)


@person_gate(ACTION)
def index() -> Response:
    """Present the two screens."""
    return page("imaje/index.html")


@person_gate(ACTION)
def history_form() -> Response:
    """Show the history form, filled from the query string (or the requester's territory)."""
    return _form(HISTORY, forms.prefilled_history)


@person_gate(ACTION)
def history_submit() -> Response:
    """Show a history: its table, its charts, each fiche's interpretation, its API call."""
    return _submitted(HISTORY, forms.read_history)


@person_gate(ACTION)
def comparison_form() -> Response:
    return _form(COMPARISON, forms.prefilled_comparison)


@person_gate(ACTION)
def comparison_submit() -> Response:
    """Show a study zone against its reference zone: one request, one protection."""
    return _submitted(COMPARISON, forms.read_comparison)


def _form(kind: Kind, prefilled: Callable[..., Any]) -> Response:
    """Show a screen's form, filled from the query string (or the requester's territory)."""
    context = _context(kind)
    read = prefilled(request.args, context["default"])
    return page(kind.template, private=True, form=read, **context)


def _submitted(kind: Kind, reader: Callable[..., Any]) -> Response:
    """Read a screen's submitted form and show the screen (or what stops it)."""
    context = _context(kind)
    read = reader(request.form, context["choices"], app_state().geography, context["default"])
    return _screen(kind, read, context)


def _screen(kind: Kind, read: Any, context: dict[str, Any]) -> Response:
    """Ask the service for the screen; a refusal, a quote or a field error is said on the page."""
    if read.errors:
        return page(kind.template, 422, private=True, form=read, **context)
    body = read.body()
    try:
        screen = kind.call(signed_in().caller, body)
    except InvalidInput as error:
        read = forms.with_service_errors(
            read, error.errors, error.detail, comparison=kind.comparison
        )
        return page(kind.template, 422, private=True, form=read, **context)
    except QuoteToAccept as error:
        offer = quote_offer(error, signed_in(), _back(kind, read))
        return page(kind.template, 402, private=True, form=read, quote=offer, **context)
    except DomainError as error:
        return page(
            kind.template, error.http_status, private=True, form=read, refusal=error, **context
        )
    view = screen_view(screen)
    return page(
        kind.template,
        private=True,
        form=read,
        view=view,
        charts=view.charts(),
        twin=screen_twin(kind.api_path, body, screen.extract_id),
        **context,
    )


def _back(kind: Kind, read: Any) -> str:
    """Return the address of this screen's form, filled as it was sent."""
    endpoint = "comparison" if kind.comparison else "history"
    return f"{url_for(f'ecrans_imaje.{endpoint}')}?{urlencode(read.params())}"


def _context(kind: Kind) -> dict[str, Any]:
    """Return what a screen's page offers: choices, defaults, the territory search."""
    session, person = request_session(), signed_in()
    owned = tuple((str(z.id), z.name) for z in zones.list_zones(session, person.requester_id))
    choices = screen_choices(catalogue_in_force(session), owned)
    search = request.args.get("q", "")
    levels = STUDY_LEVELS + REFERENCE_LEVELS
    return {
        "choices": choices,
        "default": _defaults(kind, person, choices),
        "search": search,
        "matches": territory_matches(session, search, [lvl for lvl in levels if lvl != "zone"]),
        "level_names": LEVEL_NAMES,
        "levels": {
            "history": HISTORY_LEVELS,
            "study": STUDY_LEVELS,
            "reference": REFERENCE_LEVELS,
        },
    }


def _defaults(
    kind: Kind, person: SignedInPerson, choices: Choices
) -> forms.HistoryForm | forms.ComparisonForm:
    """Start on the requester's own territory, its département, and a use of its conventions."""
    use = _default_use(person)
    offered = [code for _, options in choices.indicator_groups for code, _ in options]
    indicator = DEFAULT_INDICATOR if DEFAULT_INDICATOR in offered else offered[0]
    level, code = person.profile.territory or (GeoLevel.COMMUNE, "")
    if not kind.comparison:
        place = forms.Place(level.value, code)
        return forms.HistoryForm(indicators=(indicator,), place=place, use=use)
    commune = forms.Place(GeoLevel.COMMUNE.value)
    study = forms.Place(level.value, code) if level.value in STUDY_LEVELS else commune
    # The département around the requester's territory, else its Caf's (an EPCI may straddle).
    departement = (
        app_state().geography.parents(level, code).get(GeoLevel.DEPARTEMENT) if code else None
    )
    reference = forms.Place(
        GeoLevel.DEPARTEMENT.value, departement or person.profile.caf_code or ""
    )
    if level.value in REFERENCE_LEVELS:
        reference = forms.Place(level.value, code)
    return forms.ComparisonForm(indicator=indicator, study=study, reference=reference, use=use)


def _default_use(person: SignedInPerson) -> str:
    """Return the use the requester's conventions in force grant (usage final first)."""
    today = date.today()
    granted = {
        use
        for convention in conventions_for(request_session(), person.requester_id)
        if in_force(convention, today)
        for use in convention.uses
    }
    return next((use.value for use in Use if use in granted), Use.USAGE_FINAL.value)
