"""The request value: what is asked, parsed once, from which everything else is derived.

`parse_description` turns a schema-validated body (POST /extracts, POST /quotes, the IMAJE
screens) into one frozen `ExtractRequest`, custom zones resolved to their communes;
`resolve_territories` expands it into the table's territories. The access request, the
pricing request (`gateway.pipeline.pricing_request`), the cell count and the one
fingerprint are derived from these two values, never from the body again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from policies.access import AccessRequest
from policies.domain import GeoLevel, Use
from policies.errors import InvalidInput
from policies.geography import FRANCE_CODE, Geography

#: Territory code of the row totalling every requested territory (a zone; delivered as is).
#: Not the total over a breakdown's categories: `policies.secrecy.TOTAL`, delivered "_T".
TOTAL_KEY = "ensemble"
#: Set by the IMAJE screens (never by a request body): deliver `s` cells, never "too fine".
SCREEN_OPTION = "masked_rather_than_refused"


@dataclass(frozen=True)
class TerritorySpec:
    """One line of the request's territories: explicit codes, children of a parent, or a zone."""

    level: GeoLevel | None = None
    codes: tuple[str, ...] = ()
    within: tuple[GeoLevel, str] | None = None
    zone_id: int | None = None


@dataclass(frozen=True)
class ZoneDefinition:
    id: int
    name: str
    communes: frozenset[str]


@dataclass(frozen=True)
class BespokeBreakdown:
    """A breakdown outside the nomenclature, produced by the Caf on a quote: its categories."""

    label: str
    categories: int


@dataclass(frozen=True)
class ExtractRequest:
    """Everything a request asks for: what is asked, never how it is delivered.

    `output` (the file format) and `masked_rather_than_refused` (an IMAJE screen shows the
    masked cells of a table too fine to be an extract) are delivery options: they stay
    outside the fingerprint, so a quote and the extract of the same request share it.
    """

    indicators: tuple[str, ...]
    territories: tuple[TerritorySpec, ...]
    periods: tuple[int, ...]
    use: Use
    breakdowns: tuple[str, ...] = ()
    totals: bool = False  # add the total over the requested territories
    parents: bool = False  # add the parents (EPCI, département, région) of each territory
    zones: tuple[ZoneDefinition, ...] = ()
    bespoke: tuple[BespokeBreakdown, ...] = ()
    output: str = "json"
    masked_rather_than_refused: bool = False  # an IMAJE screen shows a too-fine table's `s`

    @property
    def description(self) -> dict[str, Any]:
        """Describe the request as asked (stored with quotes and extracts, printed on them)."""
        described: dict[str, Any] = {
            "indicators": list(self.indicators),
            "territories": _described_territories(self.territories),
            "zones": [
                {"id": z.id, "nom": z.name, "communes": sorted(z.communes)} for z in self.zones
            ],
            "periods": list(self.periods),
            "breakdowns": list(self.breakdowns),
            "use": self.use.value,
            "totals": self.totals,
            "parents": self.parents,
        }
        if self.bespoke:
            described["bespoke_breakdowns"] = [
                {"label": b.label, "categories": b.categories} for b in self.bespoke
            ]
        return described

    def fingerprint(self) -> str:
        """Return the SHA-256 of what is asked, insensitive to order and to zone names."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # Computed once per request value: the claims, the ledger step and the extract row
        # each ask for it, and a zone's communes are sorted and hashed each time otherwise.
        identity = {
            "indicators": sorted(self.indicators),
            "territories": _described_territories(self.territories, sort=True),
            "zones": sorted(",".join(sorted(z.communes)) for z in self.zones),
            "periods": sorted(self.periods),
            "breakdowns": sorted(self.breakdowns),
            "bespoke_breakdowns": sorted([b.label, b.categories] for b in self.bespoke),
            "use": self.use.value,
            "totals": self.totals,
            "parents": self.parents,
        }
        text = json.dumps(identity, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _described_territories(
    specs: Sequence[TerritorySpec], *, sort: bool = False
) -> dict[str, Any] | list[dict[str, Any]] | None:
    """Describe the territory lines: one as an object (as asked), several as a list."""
    lines = [_described_line(s, sort) for s in specs if s.zone_id is None and s.level is not None]
    if len(lines) > 1:
        return sorted(lines, key=json.dumps) if sort else lines
    return lines[0] if lines else None


def _described_line(spec: TerritorySpec, sort: bool) -> dict[str, Any]:
    assert spec.level is not None
    if spec.within is not None:
        parent, code = spec.within
        return {"parent_level": parent.value, "parent_code": code, "level": spec.level.value}
    return {"level": spec.level.value, "codes": sorted(spec.codes) if sort else list(spec.codes)}


def parse_description(
    body: Mapping[str, Any], zones: Mapping[int, ZoneDefinition]
) -> ExtractRequest:
    """Build the request value from a schema-validated body and the requester's zones."""
    lines = body.get("territories") or ()
    # One line from a request body; several from a screen that compares territories.
    lines = [lines] if isinstance(lines, Mapping) else lines
    territories = [_territory_line(spec) for spec in lines]
    zone_ids = tuple(dict.fromkeys(body.get("zones") or ()))
    territories += [TerritorySpec(zone_id=z) for z in zone_ids]
    return ExtractRequest(
        indicators=tuple(dict.fromkeys(body["indicators"])),
        territories=tuple(territories),
        periods=tuple(sorted(set(body["periods"]))),
        use=Use(body["use"]),
        breakdowns=tuple(dict.fromkeys(body.get("breakdowns") or ())),
        totals=bool(body.get("totals")),
        parents=bool(body.get("parents")),
        zones=tuple(_zone(zones, z) for z in zone_ids),
        bespoke=tuple(
            BespokeBreakdown(b["label"], int(b["categories"]))
            for b in body.get("bespoke_breakdowns") or ()
        ),
        output=body.get("format", "json"),
        masked_rather_than_refused=bool(body.get(SCREEN_OPTION)),
    )


def _territory_line(spec: Mapping[str, Any]) -> TerritorySpec:
    if spec.get("codes"):
        return TerritorySpec(GeoLevel(spec["level"]), tuple(dict.fromkeys(spec["codes"])))
    parent = GeoLevel(spec["parent_level"])
    level = GeoLevel(spec.get("level") or next_finer(parent).value)
    return TerritorySpec(level, within=(parent, spec["parent_code"]))


def next_finer(level: GeoLevel) -> GeoLevel:
    """Return the level a parent's children are given at when the request names none."""
    return {GeoLevel.FRANCE: GeoLevel.REGION, GeoLevel.REGION: GeoLevel.DEPARTEMENT}.get(
        level, GeoLevel.COMMUNE
    )


def _zone(zones: Mapping[int, ZoneDefinition], zone_id: int) -> ZoneDefinition:
    zone = zones.get(zone_id)
    if zone is None:
        raise InvalidInput(
            "Zone personnalisée inconnue.",
            errors={"zones": [f"Zone personnalisée {zone_id} introuvable pour ce demandeur."]},
        )
    return zone


@dataclass(frozen=True)
class TerritoryCell:
    """A territory of the delivered table: its level, code, label and communes."""

    level: GeoLevel
    code: str
    label: str
    communes: frozenset[str] = field(repr=False)
    requested: bool = True  # False for totals and parents added as margins
    straddles: tuple[str, ...] = ()  # départements of a territory straddling the parent asked


def resolve_territories(request: ExtractRequest, geography: Geography) -> tuple[TerritoryCell, ...]:
    """Expand the request's territory lines into the table's territories (margins included)."""
    cells: dict[tuple[GeoLevel, str], TerritoryCell] = {}
    zones = {zone.id: zone for zone in request.zones}
    for spec in request.territories:
        for cell in _expand(spec, geography, zones):
            cells.setdefault((cell.level, cell.code), cell)
    if not cells:
        raise InvalidInput(
            "La demande ne désigne aucun territoire.",
            errors={"territories": ["Aucun territoire ne correspond à la demande."]},
        )
    requested = list(cells.values())
    if request.parents:
        for cell in requested:
            for parent in _parents(cell, geography):
                cells.setdefault((parent.level, parent.code), parent)
    if request.totals and len(requested) > 1:
        union = frozenset().union(*(c.communes for c in requested))
        label = "Ensemble des territoires demandés"
        cells.setdefault(
            (GeoLevel.ZONE, TOTAL_KEY), TerritoryCell(GeoLevel.ZONE, TOTAL_KEY, label, union, False)
        )
    return tuple(cells.values())


def _expand(
    spec: TerritorySpec, geography: Geography, zones: Mapping[int, ZoneDefinition]
) -> list[TerritoryCell]:
    if spec.zone_id is not None:
        zone = _zone(zones, spec.zone_id)
        return [TerritoryCell(GeoLevel.ZONE, str(zone.id), zone.name, zone.communes)]
    assert spec.level is not None
    codes = spec.codes
    if spec.within is not None:
        _known(geography, *spec.within)
        codes = geography.within(spec.level, *spec.within)
    return [_cell(geography, spec.level, code) for code in codes]


def _known(geography: Geography, level: GeoLevel, code: str) -> None:
    if not geography.exists(level, code):
        raise InvalidInput(
            "Territoire inconnu.",
            errors={"territories": [f"Territoire {level.value} {code} inconnu."]},
        )


def _cell(geography: Geography, level: GeoLevel, code: str) -> TerritoryCell:
    _known(geography, level, code)
    communes = frozenset(geography.communes_of(level, code))
    return TerritoryCell(level, code, geography.name(level, code), communes)


def _parents(cell: TerritoryCell, geography: Geography) -> list[TerritoryCell]:
    if cell.level is GeoLevel.ZONE:
        return []
    parents = geography.parents(cell.level, cell.code)
    return [
        TerritoryCell(
            level,
            code,
            geography.name(level, code),
            frozenset(geography.communes_of(level, code)),
            False,
        )
        for level, code in parents.items()
        if level is not GeoLevel.FRANCE or code == FRANCE_CODE
    ]


def access_request(request: ExtractRequest, cells: Sequence[TerritoryCell]) -> AccessRequest:
    """Describe the request for the access decision (zones with their communes)."""
    return AccessRequest(
        indicators=request.indicators,
        territories=tuple((c.level, c.code) for c in cells if c.code != TOTAL_KEY),
        periods=request.periods,
        use=request.use,
        breakdowns=request.breakdowns,
        zone_communes=tuple(
            (c.code, c.communes) for c in cells if c.level is GeoLevel.ZONE and c.code != TOTAL_KEY
        ),
    )
