"""The administrative geography as a pure value: communes < EPCI / département < région < France.

EPCI and département are two hierarchies over the same communes, not nested in
each other: an EPCI may straddle départements (and even régions). Every
question is therefore answered through the communes a territory is made of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from policies.domain import GeoLevel
from policies.errors import InvalidInput, NotFound

#: The single code of the France level.
FRANCE_CODE = "FR"
FRANCE_NAME = "France"
#: Who a delivery names when its territories are served by several Caf and its requester by none.
SEVERAL_CAF = ("cnaf", "Caisse nationale des allocations familiales (plusieurs Caf)")

_LEVEL_LABELS = {
    GeoLevel.COMMUNE: "commune",
    GeoLevel.EPCI: "EPCI",
    GeoLevel.DEPARTEMENT: "département",
    GeoLevel.REGION: "région",
    GeoLevel.FRANCE: "France",
}
#: The column of a commune's row naming the territory of each level that contains it.
_COMMUNE_COLUMN = MappingProxyType(
    {GeoLevel.EPCI: "epci", GeoLevel.DEPARTEMENT: "departement", GeoLevel.REGION: "region"}
)


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune (code Insee) and the territories it belongs to."""

    code: str
    nom: str
    departement: str
    region: str
    epci: str  # empty for the few island communes outside any EPCI
    population: int


@dataclass(frozen=True, slots=True)
class Epci:
    """An intercommunality, identified by its SIREN."""

    code: str
    nom: str
    type: str  # CC, CA, CU, METRO, MET69


@dataclass(frozen=True, slots=True)
class Caf:
    """The Caf that serves a département."""

    code: str
    nom: str


@dataclass(frozen=True, slots=True)
class Departement:
    """A département, its région and its Caf."""

    code: str
    nom: str
    region: str
    caf: Caf


@dataclass(frozen=True, slots=True)
class Region:
    """A région."""

    code: str
    nom: str


def _group(pairs: Iterable[tuple[str, str]]) -> Mapping[str, tuple[str, ...]]:
    """Group (key, commune) pairs into sorted tuples per key."""
    groups: dict[str, list[str]] = {}
    for key, commune in pairs:
        groups.setdefault(key, []).append(commune)
    return MappingProxyType({key: tuple(sorted(codes)) for key, codes in groups.items()})


@dataclass(frozen=True, eq=False)
class _Index:
    """Lookup tables derived once from the rows."""

    communes: Mapping[str, Commune]
    epcis: Mapping[str, Epci]
    departements: Mapping[str, Departement]
    regions: Mapping[str, Region]
    members: Mapping[GeoLevel, Mapping[str, tuple[str, ...]]]
    populations: Mapping[GeoLevel, Mapping[str, int]]


def _build_index(
    communes: tuple[Commune, ...],
    epcis: tuple[Epci, ...],
    departements: tuple[Departement, ...],
    regions: tuple[Region, ...],
) -> _Index:
    """Index the rows by code and group communes by every level."""
    members = {
        GeoLevel.COMMUNE: MappingProxyType({c.code: (c.code,) for c in communes}),
        GeoLevel.EPCI: _group((c.epci, c.code) for c in communes if c.epci),
        GeoLevel.DEPARTEMENT: _group((c.departement, c.code) for c in communes),
        GeoLevel.REGION: _group((c.region, c.code) for c in communes),
        GeoLevel.FRANCE: _group((FRANCE_CODE, c.code) for c in communes),
    }
    by_code = {c.code: c for c in communes}
    populations = {
        level: MappingProxyType(
            {code: sum(by_code[m].population for m in group) for code, group in groups.items()}
        )
        for level, groups in members.items()
    }
    return _Index(
        communes=MappingProxyType(by_code),
        epcis=MappingProxyType({e.code: e for e in epcis}),
        departements=MappingProxyType({d.code: d for d in departements}),
        regions=MappingProxyType({r.code: r for r in regions}),
        members=MappingProxyType(members),
        populations=MappingProxyType(populations),
    )


def _check_consistency(index: _Index) -> None:
    """Refuse rows that reference unknown territories or contradict each other."""
    for commune in index.communes.values():
        departement = index.departements.get(commune.departement)
        if departement is None or departement.region != commune.region:
            raise InvalidInput(
                f"Commune {commune.code} : département {commune.departement} "
                f"ou région {commune.region} incohérents avec le référentiel"
            )
        if commune.epci and commune.epci not in index.epcis:
            raise InvalidInput(f"Commune {commune.code} : EPCI {commune.epci} inconnu")
    for departement in index.departements.values():
        if departement.region not in index.regions:
            raise InvalidInput(
                f"Département {departement.code} : région {departement.region} inconnue"
            )


@dataclass(frozen=True)
class Geography:
    """The reference geography with fast lookups; build it with `Geography(...)` from rows."""

    communes: tuple[Commune, ...]
    epcis: tuple[Epci, ...]
    departements: tuple[Departement, ...]
    regions: tuple[Region, ...]
    _index: _Index = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index = _build_index(self.communes, self.epcis, self.departements, self.regions)
        _check_consistency(index)
        object.__setattr__(self, "_index", index)

    def exists(self, level: GeoLevel, code: str) -> bool:
        """Tell whether a territory of this level has this code."""
        if level is GeoLevel.EPCI:
            return code in self._index.epcis
        groups = self._index.members.get(level)
        return groups is not None and code in groups

    def codes(self, level: GeoLevel) -> tuple[str, ...]:
        """Return every code of a level, sorted."""
        if level is GeoLevel.EPCI:
            return tuple(sorted(self._index.epcis))
        return tuple(sorted(self._members(level)))

    def communes_of(self, level: GeoLevel, code: str) -> tuple[str, ...]:
        """Return the sorted commune codes that make up a territory."""
        self._require(level, code)
        return self._members(level).get(code, ())

    def commune(self, code: str) -> Commune:
        """Return one commune's row."""
        self._require(GeoLevel.COMMUNE, code)
        return self._index.communes[code]

    def parents(self, level: GeoLevel, code: str) -> Mapping[GeoLevel, str]:
        """Return, finest first, every coarser territory that wholly contains this one."""
        communes = [self._index.communes[c] for c in self.communes_of(level, code)]
        found: dict[GeoLevel, str] = {}
        for parent_level, attribute in _COMMUNE_COLUMN.items():
            if parent_level.fineness <= level.fineness:
                continue
            values = {getattr(c, attribute) for c in communes}
            if len(values) == 1 and "" not in values:
                found[parent_level] = values.pop()
        if level is not GeoLevel.FRANCE:
            found[GeoLevel.FRANCE] = FRANCE_CODE
        return MappingProxyType(found)

    def children(self, level: GeoLevel, code: str) -> tuple[str, ...]:
        """Return the next finer territories (France > régions > départements > communes; EPCI)."""
        self._require(level, code)
        if level is GeoLevel.FRANCE:
            return tuple(sorted(self._index.regions))
        if level is GeoLevel.REGION:
            return tuple(sorted(d.code for d in self.departements if d.region == code))
        if level is GeoLevel.COMMUNE:
            return ()
        return self.communes_of(level, code)

    def contains(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str
    ) -> bool:
        """Tell whether every commune of the inner territory lies in the outer one."""
        outer = self.communes_of(outer_level, outer_code)
        inner = self.communes_of(inner_level, inner_code)
        if outer_level is GeoLevel.FRANCE:
            return True
        if outer_level is GeoLevel.COMMUNE:
            return inner == outer
        attribute = _COMMUNE_COLUMN[outer_level]
        rows = self._index.communes
        return all(getattr(rows[c], attribute) == outer_code for c in inner)

    def within(self, level: GeoLevel, parent_level: GeoLevel, parent_code: str) -> tuple[str, ...]:
        """Return the territories of `level` lying wholly inside a parent (sorted codes).

        EPCI inside a département are those whose every commune is in it: an EPCI that
        straddles two départements belongs to neither (see `straddling`).
        """
        inside = set(self.communes_of(parent_level, parent_code))
        if level is GeoLevel.COMMUNE:
            return tuple(sorted(inside))
        return tuple(
            code for code in self.codes(level) if inside.issuperset(self.communes_of(level, code))
        )

    def straddling(
        self, level: GeoLevel, parent_level: GeoLevel, parent_code: str
    ) -> Mapping[str, tuple[str, ...]]:
        """Return the territories of `level` that straddle a parent: they share communes with
        it without lying wholly inside it (an EPCI "à cheval" on départements).

        Each comes with the départements its communes lie in (sorted), e.g. the Métropole
        d'Aix-Marseille-Provence under département 13: 13, 83 and 84.
        """
        inside = set(self.communes_of(parent_level, parent_code))
        if level is GeoLevel.COMMUNE or level.fineness >= parent_level.fineness:
            return MappingProxyType({})
        attribute = _COMMUNE_COLUMN[level]
        rows = self._index.communes
        candidates = {getattr(rows[c], attribute) for c in inside} - {""}
        found = {}
        for code in sorted(candidates):
            communes = self.communes_of(level, code)
            if not inside.issuperset(communes) and not inside.isdisjoint(communes):
                found[code] = self.departements_of(level, code)
        return MappingProxyType(found)

    def departements_of(self, level: GeoLevel, code: str) -> tuple[str, ...]:
        """Return the départements a territory's communes lie in (sorted)."""
        rows = self._index.communes
        return tuple(sorted({rows[c].departement for c in self.communes_of(level, code)}))

    def overlaps(
        self, outer_level: GeoLevel, outer_code: str, inner_level: GeoLevel, inner_code: str
    ) -> bool:
        """Tell whether two territories share at least one commune."""
        inner = self.communes_of(inner_level, inner_code)
        return not set(self.communes_of(outer_level, outer_code)).isdisjoint(inner)

    def name(self, level: GeoLevel, code: str) -> str:
        """Return a territory's official name."""
        self._require(level, code)
        index = self._index
        names: dict[GeoLevel, Mapping[str, Commune | Epci | Departement | Region]] = {
            GeoLevel.COMMUNE: index.communes,
            GeoLevel.EPCI: index.epcis,
            GeoLevel.DEPARTEMENT: index.departements,
            GeoLevel.REGION: index.regions,
        }
        return FRANCE_NAME if level is GeoLevel.FRANCE else names[level][code].nom

    def population(self, level: GeoLevel, code: str) -> int:
        """Return the population of a territory (sum over its communes)."""
        self._require(level, code)
        return self._index.populations[level].get(code, 0)

    def caf_of(self, departement: str) -> Caf:
        """Return the Caf that serves a département."""
        self._require(GeoLevel.DEPARTEMENT, departement)
        return self._index.departements[departement].caf

    def cafs_of(self, communes: Iterable[str]) -> tuple[str, ...]:
        """Return the codes of the Caf serving these communes (sorted, each once)."""
        rows, departements = self._index.communes, self._index.departements
        return tuple(sorted({departements[rows[c].departement].caf.code for c in set(communes)}))

    def departement(self, code: str) -> Departement:
        """Return one département's row."""
        self._require(GeoLevel.DEPARTEMENT, code)
        return self._index.departements[code]

    def _members(self, level: GeoLevel) -> Mapping[str, tuple[str, ...]]:
        """Return the commune groups of a level, refusing custom zones."""
        groups = self._index.members.get(level)
        if groups is None:
            raise InvalidInput(
                f"Niveau « {level.value} » : les zones personnalisées ne font pas partie "
                "du référentiel géographique"
            )
        return groups

    def _require(self, level: GeoLevel, code: str) -> None:
        """Raise NotFound for an unknown territory."""
        self._members(level)
        if not self.exists(level, code):
            raise NotFound(f"Code {_LEVEL_LABELS[level]} inconnu : « {code} »")
