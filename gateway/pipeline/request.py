"""An extract request as values: what is asked, and the territories it resolves to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.services.pricing_request import request_fingerprint
from policies.access import AccessRequest
from policies.domain import GeoLevel, Use
from policies.errors import InvalidInput, NotFound
from policies.geography import FRANCE_CODE, Geography

TOTAL_KEY = "ensemble"  # the code of the total over every requested territory


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
class ExtractRequest:
    """Everything an extract asks for, validated by the API schema.

    `description` is the request as POST /quotes also takes it (the quote and the extract
    of one request share its fingerprint), with custom zones expanded to their communes.
    """

    description: Mapping[str, Any]
    indicators: tuple[str, ...]
    territories: tuple[TerritorySpec, ...]
    periods: tuple[int, ...]
    use: Use
    breakdowns: tuple[str, ...] = ()
    totals: bool = False  # add the total over the requested territories
    parents: bool = False  # add the parents (EPCI, département, région) of each territory
    output: str = "json"

    def fingerprint(self) -> str:
        return request_fingerprint(self.description)


def parse_description(
    body: Mapping[str, Any], zones: Mapping[int, ZoneDefinition]
) -> ExtractRequest:
    """Build the request from the API body (already schema-validated)."""
    # A request may name only custom zones; the quote's description still needs territories.
    spec = body.get("territories") or {"level": "commune", "codes": []}
    territories = []
    if spec.get("codes"):
        territories.append(TerritorySpec(GeoLevel(spec["level"]), tuple(spec["codes"])))
    elif "parent_level" in spec:
        parent = GeoLevel(spec["parent_level"])
        level = GeoLevel(spec.get("level") or _next_finer(parent))
        territories.append(TerritorySpec(level, within=(parent, spec["parent_code"])))
    zone_ids = tuple(body.get("zones") or ())
    territories += [TerritorySpec(zone_id=z) for z in zone_ids]
    description = {k: v for k, v in body.items() if k not in ("format", "zones")}
    description["territories"] = spec
    description["zones"] = [
        {"code": str(z), "communes": sorted(_zone(zones, z).communes)} for z in zone_ids
    ]
    return ExtractRequest(
        description=description,
        indicators=tuple(dict.fromkeys(body["indicators"])),
        territories=tuple(territories),
        periods=tuple(sorted(set(body["periods"]))),
        use=Use(body["use"]),
        breakdowns=tuple(body.get("breakdowns") or ()),
        totals=bool(body.get("totals")),
        parents=bool(body.get("parents")),
        output=body.get("format", "json"),
    )


def _next_finer(level: GeoLevel) -> str:
    return {
        GeoLevel.FRANCE: "region",
        GeoLevel.REGION: "departement",
    }.get(level, "commune")


def _zone(zones: Mapping[int, ZoneDefinition], zone_id: int) -> ZoneDefinition:
    zone = zones.get(zone_id)
    if zone is None:
        raise NotFound(f"Zone personnalisée {zone_id} introuvable pour ce demandeur.")
    return zone


@dataclass(frozen=True)
class TerritoryCell:
    """A territory of the delivered table: its level, code, label and communes."""

    level: GeoLevel
    code: str
    label: str
    communes: frozenset[str] = field(repr=False)
    requested: bool = True  # False for totals and parents added as margins


def resolve_territories(
    request: ExtractRequest, geography: Geography, zones: Mapping[int, ZoneDefinition]
) -> tuple[TerritoryCell, ...]:
    """Expand the request's territory lines into the table's territories (margins included)."""
    cells: dict[tuple[GeoLevel, str], TerritoryCell] = {}
    for spec in request.territories:
        for cell in _expand(spec, geography, zones):
            cells.setdefault((cell.level, cell.code), cell)
    if not cells:
        raise InvalidInput("La demande ne désigne aucun territoire.")
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
        if not geography.exists(*spec.within):
            raise NotFound(f"Territoire {spec.within[0].value} {spec.within[1]} inconnu.")
        codes = geography.within(spec.level, *spec.within)
    return [_cell(geography, spec.level, code) for code in codes]


def _cell(geography: Geography, level: GeoLevel, code: str) -> TerritoryCell:
    if not geography.exists(level, code):
        raise NotFound(f"Territoire {level.value} {code} inconnu.")
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
