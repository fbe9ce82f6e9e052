"""What the IMAJE screens' forms offer: indicators by axis, levels, zones, years, uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.web.labels import AXIS_LABELS
from policies.access.values import USE_LABELS
from policies.catalogue import Catalogue
from policies.domain import PERIODS, GeoLevel, Tier, Use

Options = tuple[tuple[str, str], ...]

#: A territory's level as a form names one territory (the catalogue's labels are plural).
LEVEL_NAMES: Mapping[str, str] = {
    GeoLevel.COMMUNE.value: "Commune",
    GeoLevel.EPCI.value: "Intercommunalité (EPCI)",
    GeoLevel.DEPARTEMENT.value: "Département",
    GeoLevel.REGION.value: "Région",
    GeoLevel.FRANCE.value: "France entière",
    GeoLevel.ZONE.value: "Zone personnalisée",
}
HISTORY_LEVELS = ("commune", "epci", "departement", "region", "france", "zone")
STUDY_LEVELS = ("commune", "epci", "zone")
REFERENCE_LEVELS = ("departement", "region", "france")


@dataclass(frozen=True)
class Choices:
    """What the forms offer: indicators by axis, the requester's zones, years and uses."""

    axes: tuple[tuple[str, str, Options], ...]  # (axis code, axis label, indicators)
    zones: Options  # (id, name) of the requester's custom zones
    periods: tuple[int, ...] = PERIODS
    uses: Options = tuple((use.value, USE_LABELS[use].capitalize()) for use in Use)

    @property
    def period_options(self) -> Options:
        return tuple((str(p), str(p)) for p in self.periods)

    def levels(self, allowed: Sequence[str]) -> Options:
        """Return the level radios, a custom zone only when the requester has one."""
        return tuple(
            (level, LEVEL_NAMES[level])
            for level in allowed
            if level != GeoLevel.ZONE.value or self.zones
        )

    @property
    def indicator_groups(self) -> tuple[tuple[str, Options], ...]:
        return tuple((label, options) for _, label, options in self.axes)


def screen_choices(current: Catalogue, zones: Options) -> Choices:
    """Return the indicators the screens offer (all but internal ones), grouped by axis."""
    axes = []
    for axis, label in AXIS_LABELS.items():
        options = tuple(
            (ind.code, ind.label) for ind in current.filter(axis=axis) if ind.tier != Tier.INTERNE
        )
        if options:
            axes.append((axis.value, label, options))
    return Choices(axes=tuple(axes), zones=zones)
