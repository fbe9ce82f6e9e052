"""Validate the raw catalogue (as read from YAML) into catalogue values, naming every fault."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from policies.catalogue import (
    FICHE_FIELDS,
    Breakdown,
    Catalogue,
    CatalogueError,
    Category,
    Fiche,
    Indicator,
    Relation,
    SecrecyParams,
)
from policies.domain import Axis, ContributingUnit, Kind, RequesterType, Source, Tier
from policies.secrecy.dimensions import TOTAL
from policies.secrecy.rules import (
    RULE_NOTATIONS,
    MalformedRule,
    Rule,
    UnsupportedRule,
    parse_rule,
)

E = TypeVar("E", bound=StrEnum)


_INDICATOR_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_BREAKDOWN_CODE = re.compile(r"[a-z][a-z0-9_]*")
_CATEGORY_CODE = re.compile(r"[a-z0-9][a-z0-9_]*")
_TIER_RANK = {Tier.SOCLE_COMMUN: 0, Tier.CONVENTION: 1, Tier.RESTREINT: 2, Tier.INTERNE: 3}

_TOP_KEYS = frozenset({"version", "breakdowns", "indicators"})
_BREAKDOWN_KEYS = frozenset({"code", "label", "categories"})
_SECRECY_KEYS = frozenset({"rules", "zero_unsafe", "interval_percent"})
_RATIO_KEYS = frozenset({"numerator", "denominator", "multiplier"})
# The cell store keeps the two largest contributions of each cell (top1, top2): a rule reading
# more (NK(3,k), P(p,2)), which the engine applies to its own inputs, has nothing to read here.
STORE_TOPS = 2
_OPTIONAL_KEYS = frozenset({"restricted_to", "reliability", "relation"}) | _RATIO_KEYS
_RELATION_KEYS = frozenset({"category_of", "category", "sum_of"})
#: How a relation names an indicator's total over its breakdown.
_TOTAL_WORD = "total"
_REQUIRED_KEYS = frozenset(
    {"code", "label", "axis", "family", "subfamily", "kind", "unit", "unit_label"}
    | {"breakdowns", "sources", "tier", "secrecy", "citation", "fiche"}
)


def parse_catalogue(data: Mapping[str, Any]) -> Catalogue:
    """Validate the raw catalogue (as read from YAML) and build it; raise CatalogueError."""
    where = "Catalogue"
    _check_keys(data, where, required=_TOP_KEYS - {"version"}, optional=frozenset({"version"}))
    breakdowns: dict[str, Breakdown] = {}
    for position, raw in enumerate(_list(data, "breakdowns", where), start=1):
        breakdown = _parse_breakdown(raw, position)
        if breakdown.code in breakdowns:
            raise CatalogueError(f"Ventilation {breakdown.code}", "code", "code en double")
        breakdowns[breakdown.code] = breakdown
    indicators: dict[str, Indicator] = {}
    for position, raw in enumerate(_list(data, "indicators", where), start=1):
        indicator = _parse_indicator(raw, position, breakdowns)
        if indicator.code in indicators:
            raise CatalogueError(f"Indicateur {indicator.code}", "code", "code en double")
        indicators[indicator.code] = indicator
    for indicator in indicators.values():
        if indicator.is_ratio:
            _check_ratio(indicator, indicators)
        if indicator.relation is not None:
            _check_relation(indicator, indicators, breakdowns)
    return Catalogue(MappingProxyType(indicators), MappingProxyType(breakdowns))


def catalogue_to_data(catalogue: Catalogue) -> dict[str, Any]:
    """Return the plain data `parse_catalogue` reads back into an equal catalogue."""
    indicators = []
    for ind in catalogue:
        raw = asdict(ind)
        for key in ("numerator", "denominator", "multiplier", "relation"):
            if raw[key] is None:
                del raw[key]
        if ind.relation is not None:
            raw["relation"] = _relation_to_data(ind.relation)
        raw["secrecy"] = secrecy_to_data(ind.secrecy)
        for key in ("breakdowns", "sources", "restricted_to"):
            raw[key] = [str(value) for value in raw[key]]
        for key in ("axis", "kind", "unit", "tier"):
            raw[key] = str(raw[key])
        indicators.append(raw)
    breakdowns = [
        {"code": b.code, "label": b.label, "categories": [asdict(c) for c in b.categories]}
        for b in catalogue.breakdowns.values()
    ]
    return {"breakdowns": breakdowns, "indicators": indicators}


def secrecy_to_data(secrecy: SecrecyParams) -> dict[str, Any]:
    """Return the secrecy parameters as plain data, rules written as the field writes them."""
    return {
        "rules": [str(rule) for rule in secrecy.rules],
        "zero_unsafe": secrecy.zero_unsafe,
        "interval_percent": secrecy.interval_percent,
    }


def _parse_breakdown(raw: Any, position: int) -> Breakdown:
    where = _where("Ventilation", raw, position)
    _check_keys(raw, where, required=_BREAKDOWN_KEYS)
    code = _code(raw, where, _BREAKDOWN_CODE)
    categories: list[Category] = []
    for index, item in enumerate(_list(raw, "categories", where, non_empty=True)):
        field = f"categories[{index}]"
        _check_keys(item, f"{where}, {field}", required=frozenset({"code", "label"}))
        cat_code = _code(item, f"{where}, {field}", _CATEGORY_CODE)
        if cat_code in {c.code for c in categories}:
            raise CatalogueError(where, field, f"catégorie « {cat_code} » en double")
        categories.append(Category(cat_code, _text(item, "label", f"{where}, {field}")))
    return Breakdown(code, _text(raw, "label", where), tuple(categories))


def _parse_indicator(raw: Any, position: int, breakdowns: Mapping[str, Breakdown]) -> Indicator:
    where = _where("Indicateur", raw, position)
    _check_keys(raw, where, required=_REQUIRED_KEYS, optional=_OPTIONAL_KEYS)
    code = _code(raw, where, _INDICATOR_CODE)
    kind = _enum(Kind, raw["kind"], where, "kind")
    tier = _enum(Tier, raw["tier"], where, "tier")
    numerator, denominator, multiplier = _parse_ratio_terms(raw, where, kind)
    return Indicator(
        code=code,
        label=_text(raw, "label", where),
        axis=_enum(Axis, raw["axis"], where, "axis"),
        family=_text(raw, "family", where),
        subfamily=_text(raw, "subfamily", where),
        kind=kind,
        unit=_enum(ContributingUnit, raw["unit"], where, "unit"),
        unit_label=_text(raw, "unit_label", where),
        breakdowns=_parse_breakdown_refs(raw, where, breakdowns),
        sources=_enums(Source, raw, "sources", where, non_empty=True),
        tier=tier,
        restricted_to=_parse_restriction(raw, where, tier),
        secrecy=_parse_secrecy(raw["secrecy"], where, kind),
        numerator=numerator,
        denominator=denominator,
        multiplier=multiplier,
        citation=_text(raw, "citation", where),
        reliability=_text(raw, "reliability", where, required=False),
        fiche=_parse_fiche(raw["fiche"], where),
        relation=_parse_relation(raw.get("relation"), where),
    )


def _parse_breakdown_refs(
    raw: Mapping[str, Any], where: str, breakdowns: Mapping[str, Breakdown]
) -> tuple[str, ...]:
    refs = _list(raw, "breakdowns", where)
    for ref in refs:
        if ref not in breakdowns:
            known = ", ".join(breakdowns) or "aucune"
            raise CatalogueError(where, "breakdowns", f"ventilation inconnue « {ref} » ({known})")
    if len(set(refs)) != len(refs):
        raise CatalogueError(where, "breakdowns", "ventilation citée deux fois")
    return tuple(refs)


def _parse_restriction(raw: Mapping[str, Any], where: str, tier: Tier) -> tuple[RequesterType, ...]:
    restricted_to = _enums(RequesterType, raw, "restricted_to", where)
    if tier is Tier.RESTREINT and not restricted_to:
        raise CatalogueError(where, "restricted_to", "le palier restreint exige la liste des types")
    if tier is not Tier.RESTREINT and restricted_to:
        raise CatalogueError(where, "restricted_to", "réservé au palier « restreint »")
    return restricted_to


def _parse_ratio_terms(
    raw: Mapping[str, Any], where: str, kind: Kind
) -> tuple[str | None, str | None, float | None]:
    if kind is not Kind.RATIO:
        extra = sorted(_RATIO_KEYS & raw.keys())
        if extra:
            raise CatalogueError(where, extra[0], "réservé aux indicateurs de type ratio")
        return None, None, None
    numerator = _text(raw, "numerator", where)
    denominator = _text(raw, "denominator", where)
    multiplier = raw.get("multiplier", 0)
    if not _is_number(multiplier) or multiplier <= 0:
        raise CatalogueError(where, "multiplier", "nombre strictement positif attendu")
    return numerator, denominator, float(multiplier)


def _parse_relation(raw: Any, where: str) -> Relation | None:
    """Read `relation: {category_of: X, category: c}` or `relation: {sum_of: [X, Y]}`."""
    if raw is None:
        return None
    field = f"{where}, relation"
    _check_keys(raw, field, required=frozenset(), optional=_RELATION_KEYS)
    if ("category_of" in raw) == ("sum_of" in raw):
        raise CatalogueError(where, "relation", "category_of ou sum_of attendu (l’un des deux)")
    if "sum_of" in raw:
        if "category" in raw:
            raise CatalogueError(where, "relation.category", "réservé à category_of")
        terms = _list(raw, "sum_of", field, non_empty=True)
        if len(terms) < 2 or not all(isinstance(t, str) for t in terms):
            raise CatalogueError(where, "relation.sum_of", "au moins deux codes d’indicateurs")
        if len(set(terms)) != len(terms):
            raise CatalogueError(where, "relation.sum_of", "indicateur cité deux fois")
        return Relation(sum_of=tuple(terms))
    base = _text(raw, "category_of", field)
    category = raw.get("category", _TOTAL_WORD)
    if not isinstance(category, str):
        raise CatalogueError(where, "relation.category", "code de catégorie (entre guillemets)")
    return Relation(category_of=base, category=TOTAL if category == _TOTAL_WORD else category)


def _relation_to_data(relation: Relation) -> dict[str, Any]:
    if relation.sum_of:
        return {"sum_of": list(relation.sum_of)}
    category = _TOTAL_WORD if relation.category == TOTAL else relation.category
    return {"category_of": relation.category_of, "category": category}


def _parse_secrecy(raw: Any, where: str, kind: Kind) -> SecrecyParams:
    _check_keys(raw, f"{where}, secrecy", required=frozenset({"rules"}), optional=_SECRECY_KEYS)
    rules = tuple(
        _parse_rule(rule, where, f"secrecy.rules[{index}]")
        for index, rule in enumerate(_list(raw, "rules", f"{where}, secrecy"))
    )
    # A ratio has no cells of its own: its numerator's and denominator's rules protect it.
    if kind is not Kind.RATIO and not rules:
        raise CatalogueError(where, "secrecy.rules", "au moins une règle exigée")
    # An amount needs a rule that reads the largest contributions, not only their number.
    if kind is Kind.AMOUNT and not any(rule.top_units for rule in rules):
        raise CatalogueError(where, "secrecy.rules", "un montant exige une règle NK ou P")
    zero_unsafe = raw.get("zero_unsafe", False)
    if not isinstance(zero_unsafe, bool):
        raise CatalogueError(where, "secrecy.zero_unsafe", "booléen attendu (true/false)")
    interval = raw.get("interval_percent", 10.0)
    if not _is_number(interval) or not 0 < interval <= 100:
        raise CatalogueError(where, "secrecy.interval_percent", "pourcentage dans ]0, 100] attendu")
    return SecrecyParams(rules, zero_unsafe, float(interval))


def _parse_rule(text: Any, where: str, field: str) -> Rule:
    """Read a rule with the engine's parser; the catalogue writes it as the field does."""
    malformed = f"règle mal écrite {text!r} ({', '.join(RULE_NOTATIONS)})"
    if not isinstance(text, str):
        raise CatalogueError(where, field, malformed)
    try:
        rule = parse_rule(text)
    except MalformedRule:
        raise CatalogueError(where, field, malformed) from None
    except UnsupportedRule as error:
        raise CatalogueError(
            where, field, f"paramètres hors bornes dans {text!r} ({error.hint})"
        ) from None
    if rule.top_units > STORE_TOPS:
        raise CatalogueError(
            where,
            field,
            f"Règle non prise en charge : paramètres hors bornes dans {text!r} (la base ne "
            f"conserve que les {STORE_TOPS} plus grosses contributions de chaque cellule : "
            "NK(1,k), NK(2,k) ou P(p,1))",
        )
    # Spaces aside, the catalogue holds the rule as str(rule) writes it back: NK(1,85).
    if "".join(text.split()) != str(rule):
        raise CatalogueError(where, field, f"règle mal écrite {text!r} (écrire {rule})")
    return rule


def _parse_fiche(raw: Any, where: str) -> Fiche:
    _check_keys(raw, f"{where}, fiche", required=frozenset(FICHE_FIELDS))
    values = {}
    for name in FICHE_FIELDS:
        value = raw[name]
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(where, f"fiche.{name}", "texte vide")
        values[name] = " ".join(value.split())
    return Fiche(**values)


def _check_ratio(ratio: Indicator, indicators: Mapping[str, Indicator]) -> None:
    where = f"Indicateur {ratio.code}"
    terms = []
    for field, code in (("numerator", ratio.numerator), ("denominator", ratio.denominator)):
        term = indicators.get(code or "")
        if term is None:
            raise CatalogueError(where, field, f"indicateur non déclaré « {code} »")
        if term.is_ratio:
            raise CatalogueError(where, field, f"« {code} » est lui-même un ratio")
        terms.append(term)
    numerator, denominator = terms
    shared = set(numerator.breakdowns) & set(denominator.breakdowns)
    if not set(ratio.breakdowns) <= shared:
        raise CatalogueError(where, "breakdowns", "seules les ventilations des deux termes valent")
    if not set(numerator.sources) | set(denominator.sources) <= set(ratio.sources):
        raise CatalogueError(where, "sources", "doit reprendre les sources des deux termes")
    if _TIER_RANK[ratio.tier] < max(_TIER_RANK[t.tier] for t in terms):
        raise CatalogueError(where, "tier", "moins restrictif que l’un de ses termes")
    if ratio.unit != numerator.unit:
        raise CatalogueError(where, "unit", "doit être l’unité contributrice du numérateur")


def _check_relation(
    indicator: Indicator, indicators: Mapping[str, Indicator], breakdowns: Mapping[str, Breakdown]
) -> None:
    """A relation ties stored indicators protected as one table: same unit, kind and rules.

    Two shapes only, so that every related set is one table with one category dimension:
    aliases of a category (or the total) of one indicator, or one sum of indicators without
    breakdown. No chains: a term is never itself defined by a relation, nor in two sums.
    """
    where = f"Indicateur {indicator.code}"
    relation = indicator.relation
    assert relation is not None
    if indicator.is_ratio:
        raise CatalogueError(where, "relation", "un ratio se déclare par numerator/denominator")
    if indicator.breakdowns:
        raise CatalogueError(
            where, "relation", "un indicateur défini par une relation n’a pas de ventilation"
        )
    for term_code in relation.terms:
        _check_relation_term(indicator, indicators.get(term_code), term_code)
    if relation.category_of and relation.category != TOTAL:
        base = indicators[relation.category_of]
        codes = breakdowns[base.breakdowns[0]].category_codes if base.breakdowns else ()
        if relation.category not in codes:
            raise CatalogueError(
                where,
                "relation.category",
                f"catégorie inconnue de {base.code} : {relation.category}",
            )
    for other in indicators.values():
        if other is indicator or other.relation is None:
            continue
        shared = set(other.relation.terms) & set(relation.terms)
        if shared and (relation.sum_of or other.relation.sum_of):
            raise CatalogueError(
                where,
                "relation",
                f"« {sorted(shared)[0]} » figure déjà dans la relation de {other.code}",
            )


def _check_relation_term(indicator: Indicator, term: Indicator | None, term_code: str) -> None:
    where = f"Indicateur {indicator.code}"
    if term is None or term_code == indicator.code:
        raise CatalogueError(where, "relation", f"indicateur non déclaré « {term_code} »")
    if term.is_ratio or term.relation is not None:
        raise CatalogueError(
            where, "relation", f"« {term_code} » est un ratio ou défini par une relation"
        )
    for name in ("kind", "unit", "secrecy"):
        if getattr(term, name) != getattr(indicator, name):
            raise CatalogueError(where, "relation", f"« {term_code} » n’a pas le même champ {name}")
    if indicator.relation and indicator.relation.sum_of and term.breakdowns:
        raise CatalogueError(where, "relation.sum_of", f"« {term_code} » a une ventilation")


# --- small readers ----------------------------------------------------------------------


def _where(noun: str, raw: Any, position: int) -> str:
    code = raw.get("code") if isinstance(raw, Mapping) else None
    return f"{noun} {code}" if isinstance(code, str) and code else f"{noun} n°{position}"


def _check_keys(
    raw: Any, where: str, required: frozenset[str], optional: frozenset[str] = frozenset()
) -> None:
    if not isinstance(raw, Mapping):
        raise CatalogueError(where, "*", "dictionnaire attendu")
    missing = sorted(required - raw.keys())
    if missing:
        raise CatalogueError(where, missing[0], "champ manquant")
    unknown = sorted(raw.keys() - required - optional, key=str)
    if unknown:
        raise CatalogueError(where, str(unknown[0]), "champ inconnu")


def _code(raw: Mapping[str, Any], where: str, pattern: re.Pattern[str]) -> str:
    code = raw["code"]
    if not isinstance(code, str) or not pattern.fullmatch(code):
        hint = " (mettre les codes entre guillemets en YAML)" if not isinstance(code, str) else ""
        raise CatalogueError(where, "code", f"code invalide {code!r}{hint}")
    return code


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(where, key, "texte non vide attendu")
    return " ".join(value.split())


def _list(raw: Mapping[str, Any], key: str, where: str, *, non_empty: bool = False) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list) or (non_empty and not value):
        raise CatalogueError(
            where, key, "liste non vide attendue" if non_empty else "liste attendue"
        )
    return value


def _enum(enum: type[E], value: Any, where: str, field: str) -> E:
    try:
        return enum(value)
    except (ValueError, TypeError):
        allowed = ", ".join(member.value for member in enum)
        raise CatalogueError(where, field, f"valeur inconnue {value!r} ({allowed})") from None


def _enums(
    enum: type[E], raw: Mapping[str, Any], key: str, where: str, *, non_empty: bool = False
) -> tuple[E, ...]:
    values = tuple(_enum(enum, v, where, key) for v in _list(raw, key, where, non_empty=non_empty))
    if len(set(values)) != len(values):
        raise CatalogueError(where, key, "valeur citée deux fois")
    return values


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
