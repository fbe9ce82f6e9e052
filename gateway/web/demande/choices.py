"""What the request builder offers: indicators by axis, territories, levels, periods, uses.

The territories offered are the requester's own territory and the territories containing it,
its custom zones, the territory already chosen and those a search found (the socle page's
search: a name or a code). Breakdowns are those the chosen indicators offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.extracts.queries import requester_zones
from gateway.state import app_state
from gateway.web.catalogue.views import AxisGroup, tree
from gateway.web.demande.form import DETAIL_LEVELS, BuilderForm
from gateway.web.labels import LEVEL_LABELS
from gateway.web.socle.form import Choices as SearchChoices
from gateway.web.socle.routes import territory_matches
from policies.access import RequesterProfile
from policies.catalogue import Catalogue
from policies.domain import PERIODS, GeoLevel, Tier, Use
from policies.geography import Geography

Option = tuple[str, str]

USE_LABELS = {
    Use.USAGE_FINAL: "Usage final : pour vos propres décisions et publications",
    Use.USAGE_INTERNE: "Usage strictement interne : sans aucune diffusion",
    Use.ETUDES: "Études : pour une étude, éventuellement pour un tiers",
    Use.REDIFFUSION: "Rediffusion : pour publier ou transmettre les données à d’autres",
}
#: A territory of each level, named as a sentence says it ("la commune", "l’EPCI").
LEVEL_NAMES = {
    GeoLevel.COMMUNE: "Commune",
    GeoLevel.EPCI: "Intercommunalité",
    GeoLevel.DEPARTEMENT: "Département",
    GeoLevel.REGION: "Région",
    GeoLevel.FRANCE: "France",
}
_SEARCH_LEVELS = (GeoLevel.COMMUNE, GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION)


@dataclass(frozen=True)
class BreakdownOption:
    code: str
    label: str
    indicators: tuple[str, ...]  # the chosen indicators that offer it


@dataclass(frozen=True)
class BuilderChoices:
    """Everything the form offers, given the requester and the form as sent."""

    axes: tuple[AxisGroup, ...]
    territories: tuple[Option, ...]
    own_territory: str
    matches: tuple[Option, ...]  # what the search found (also among `territories`)
    levels: tuple[Option, ...]
    periods: tuple[Option, ...]
    breakdowns: tuple[BreakdownOption, ...]
    uses: tuple[Option, ...]
    labels: dict[str, str]  # indicator code -> label

    @property
    def breakdowns_options(self) -> tuple[Option, ...]:
        return tuple(
            (b.code, f"{b.label} (pour {', '.join(b.indicators)})") for b in self.breakdowns
        )

    def territory_label(self, value: str) -> str:
        return dict(self.territories).get(value, value)

    def level_label(self, value: str) -> str:
        return dict(self.levels).get(value, value)


def own_territory(profile: RequesterProfile) -> str:
    """Return the requester's own territory as the form's value ("" when it has none)."""
    if profile.territory is None:
        return ""
    level, code = profile.territory
    return f"{level.value}:{code}"


def builder_choices(
    session: Session, profile: RequesterProfile, requester_id: int, form: BuilderForm
) -> BuilderChoices:
    """Return what the builder offers this requester, the form as it was sent."""
    catalogue = catalogue_in_force(session)
    geography = app_state().geography
    own = own_territory(profile)
    matches = _matches(session, geography, form.search)
    territories = [*_around(geography, own), *_zones(session, requester_id)]
    known = {value for value, _ in territories}
    for value in (form.territory, *(m for m, _ in matches)):
        if value and value not in known:
            territories.append((value, _label(geography, value)))
            known.add(value)
    return BuilderChoices(
        axes=tree(i for i in catalogue.indicators.values() if i.tier is not Tier.INTERNE),
        territories=tuple(territories),
        own_territory=own,
        matches=tuple(matches),
        levels=(
            ("", "Le territoire choisi lui-même"),
            *((lvl.value, f"{LEVEL_LABELS[lvl]} du territoire choisi") for lvl in DETAIL_LEVELS),
        ),
        periods=tuple((str(p), str(p)) for p in PERIODS),
        breakdowns=offered_breakdowns(catalogue, form.indicators),
        uses=tuple((use.value, USE_LABELS[use]) for use in Use),
        labels={code: ind.label for code, ind in catalogue.indicators.items()},
    )


def offered_breakdowns(
    catalogue: Catalogue, indicators: Sequence[str]
) -> tuple[BreakdownOption, ...]:
    """Return the breakdowns the chosen indicators offer, each with the indicators offering it."""
    offering: dict[str, list[str]] = {}
    for code in indicators:
        if code in catalogue:
            for breakdown in catalogue.get(code).breakdowns:
                offering.setdefault(breakdown, []).append(code)
    return tuple(
        BreakdownOption(code, catalogue.breakdown(code).label, tuple(codes))
        for code, codes in offering.items()
    )


def _around(geography: Geography, own: str) -> list[Option]:
    """The requester's territory, then every territory containing it."""
    if not own:
        return []
    level, code = GeoLevel(own.partition(":")[0]), own.partition(":")[2]
    if not geography.exists(level, code):
        return []
    found = [(own, f"{_label(geography, own)} — votre territoire")]
    for parent_level, parent_code in geography.parents(level, code).items():
        value = f"{parent_level.value}:{parent_code}"
        found.append((value, _label(geography, value)))
    return found


def _zones(session: Session, requester_id: int) -> list[Option]:
    zones = sorted(requester_zones(session, requester_id).values(), key=lambda row: row[0])
    return [
        (f"zone:{zone_id}", f"Zone personnalisée « {name} » ({_communes(len(communes))})")
        for zone_id, name, communes in zones
    ]


def _communes(count: int) -> str:
    return f"{count} commune{'s' if count > 1 else ''}"


def _matches(session: Session, geography: Geography, text: str) -> list[Option]:
    if not text:
        return []
    levels = tuple((level.value, LEVEL_LABELS[level]) for level in _SEARCH_LEVELS)
    found = territory_matches(
        session, SearchChoices(indicators=(), levels=levels, parents=()), text
    )
    return [(f"{t.level}:{t.code}", _label(geography, f"{t.level}:{t.code}")) for t in found]


def _label(geography: Geography, value: str) -> str:
    """Name a territory of the form: "Commune : Aubagne (13005)"."""
    level_text, _, code = value.partition(":")
    try:
        level = GeoLevel(level_text)
    except ValueError:
        return value
    if level is GeoLevel.ZONE:
        return f"Zone personnalisée n° {code}"
    if not geography.exists(level, code):
        return f"{LEVEL_NAMES.get(level, level_text)} {code} (inconnu)"
    return f"{LEVEL_NAMES[level]} : {geography.name(level, code)} ({code})"
