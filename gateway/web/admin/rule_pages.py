"""The console's rule pages: the policy matrix (read by every administrator, changed by a
national one), each indicator's tier and secrecy rules, the mandatory clauses.

Twins of `gateway/api/admin/audit.py` (`/admin/policy-matrix`: `policy_read`,
`policy_update`), `gateway/api/admin/catalogue.py` (`catalogue_update`) and the clause list
of `gateway/api/admin/conventions.py`; the same services.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request

from gateway.services.access import matrix as policy_matrix
from gateway.services.access import queries as matrix_queries
from gateway.state import request_session
from gateway.web.account.forms import Errors, page, see_other
from gateway.web.admin import rule_clauses, rule_indicators
from gateway.web.admin.common import actor_id, admin_gate, is_national, national, write
from gateway.web.espace.common import api_call
from gateway.web.labels import SOURCE_LABELS, TIER_LABELS
from policies.access import Access, Action, policy_matrix_from_mapping
from policies.access.values import TYPE_LABELS
from policies.domain import GeoLevel, RequesterType, Source, Tier
from policies.errors import Conflict, InvalidInput

#: The tiers an administrator sets (internal indicators never leave: always "interdit").
TIERS = tuple(t for t in Tier if t is not Tier.INTERNE)
LEVELS = tuple(level for level in GeoLevel if level is not GeoLevel.ZONE)
ACCESS_LABELS = {
    Access.LIBRE: "Libre, sans convention",
    Access.CONVENTION: "Sous convention",
    Access.INTERDIT: "Interdit",
}
LEVEL_NAMES = {
    GeoLevel.COMMUNE: "Commune",
    GeoLevel.EPCI: "EPCI",
    GeoLevel.DEPARTEMENT: "Département",
    GeoLevel.REGION: "Région",
    GeoLevel.FRANCE: "France",
}


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _access_field(rtype: RequesterType, tier: Tier) -> str:
    return f"acces__{rtype.value}__{tier.value}"


@admin_gate(Action.POLICY_READ)
def rules() -> Response:
    """Show the policy matrix in force; a national administrator gets it as a form."""
    version, document = matrix_queries.current_document(request_session())
    return _matrix_page(version, _form_of(document), {})


def _matrix_page(
    version: int, values: dict[str, Any], errors: Errors, status: int = 200
) -> Response:
    return page(
        "admin/rules/index.html",
        status,
        private=True,
        console_section="administration.rules",
        version=version,
        values=values,
        errors=errors,
        editable=is_national(),
        types=[(t.value, _first_up(TYPE_LABELS[t])) for t in RequesterType],
        tiers=[(t.value, TIER_LABELS[t]) for t in TIERS],
        access_options=[(a.value, label) for a, label in ACCESS_LABELS.items()],
        access_labels={a.value: label for a, label in ACCESS_LABELS.items()},
        level_options=[(level.value, LEVEL_NAMES[level]) for level in LEVELS],
        level_labels={level.value: LEVEL_NAMES[level] for level in LEVELS},
        sources=[(s.value, SOURCE_LABELS[s]) for s in Source],
        api=api_call("/api/v1/admin/policy-matrix"),
    )


def _form_of(document: dict[str, Any]) -> dict[str, Any]:
    """The matrix document as the form's values (one per cell)."""
    values: dict[str, Any] = {}
    for rtype in RequesterType:
        row = document.get("types", {}).get(rtype.value, {})
        for tier in TIERS:
            values[_access_field(rtype, tier)] = row.get("acces", {}).get(tier.value, "")
        finest = row.get("niveau_le_plus_fin", "")
        values[f"fin__{rtype.value}"] = finest
        values[f"libre__{rtype.value}"] = row.get("niveau_libre_le_plus_fin", finest)
    restricted = document.get("sources_restreintes") or {}
    for source in Source:
        values[f"source__{source.value}"] = restricted.get(source.value)
    return values


@admin_gate(Action.POLICY_UPDATE, caf=national)
def rules_matrix() -> Response:
    """Check a new matrix, show what changes, then store it as the next version."""
    session = request_session()
    version, current = matrix_queries.current_document(session)
    read = request.form.get("version", "")
    values, document, errors = _read_matrix(current)
    if errors:
        return _matrix_page(version, values, errors, 422)
    changes = _changes(current, document)
    if not changes:
        return _matrix_page(
            version, values, {"": "Aucune case n’a changé : rien à enregistrer."}, 422
        )
    if request.form.get("etape") != "enregistrer":
        return page(
            "admin/rules/matrix_check.html",
            private=True,
            console_section="administration.rules",
            changes=changes,
            hidden=_hidden(values),
            read_version=read,
        )
    try:
        stored, _ = write(
            policy_matrix.replace_matrix,
            actor_id(),
            document,
            int(read) if read.isdigit() else None,
        )
    except Conflict as error:
        return _matrix_page(version, values, {"": error.detail}, 409)
    flash(
        f"Matrice d’accès enregistrée (version {stored}) : elle s’applique dès maintenant.",
        "succes",
    )
    return see_other("administration.rules")


def _read_matrix(current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Errors]:
    """Read the posted cells into a matrix document; errors name the faulty cell."""
    values: dict[str, Any] = {}
    errors: Errors = {}
    types: dict[str, Any] = {}
    levels = {level.value for level in LEVELS}
    for rtype in RequesterType:
        label = _first_up(TYPE_LABELS[rtype])
        access: dict[str, str] = {}
        for tier in TIERS:
            name = _access_field(rtype, tier)
            values[name] = request.form.get(name, "")
            if values[name] not in {a.value for a in Access}:
                errors[name] = f"{label}, palier « {TIER_LABELS[tier]} » : choisissez un accès."
            access[tier.value] = values[name]
        access[Tier.INTERNE.value] = Access.INTERDIT.value
        row = {"acces": access}
        for prefix, key, what in (
            ("fin", "niveau_le_plus_fin", "niveau le plus fin"),
            ("libre", "niveau_libre_le_plus_fin", "niveau libre le plus fin"),
        ):
            name = f"{prefix}__{rtype.value}"
            values[name] = request.form.get(name, "")
            if values[name] not in levels:
                errors[name] = f"{label} : choisissez le {what}."
            row[key] = values[name]
        types[rtype.value] = row
    restricted: dict[str, list[str]] = {}
    for source in Source:
        name = f"source__{source.value}"
        chosen = set(request.form.getlist(name))
        if request.form.get(f"restreinte__{source.value}"):
            restricted[source.value] = [t.value for t in RequesterType if t.value in chosen]
        values[name] = restricted.get(source.value)
    document = {
        **{k: v for k, v in current.items() if k != "version"},
        "types": types,
        "sources_restreintes": restricted,
    }
    if not errors:
        try:
            policy_matrix_from_mapping(document)
        except InvalidInput as error:
            errors[_faulty_cell(error.detail)] = error.detail
    return values, document, errors


def _faulty_cell(detail: str) -> str:
    """Name the field a matrix error is about ("types.commune : niveau..."), if one."""
    where = detail.partition(" ")[0].split(".")
    if len(where) >= 2 and where[0] == "types":
        return f"libre__{where[1]}" if "niveau" in detail else f"fin__{where[1]}"
    return ""


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Say in French what the new matrix changes, cell by cell."""
    said: list[str] = []
    old_types, new_types = before.get("types", {}), after["types"]
    for rtype in RequesterType:
        old, new = old_types.get(rtype.value, {}), new_types[rtype.value]
        label = _first_up(TYPE_LABELS[rtype])
        for tier in TIERS:
            was, now = old.get("acces", {}).get(tier.value), new["acces"][tier.value]
            if was != now:
                said.append(
                    f"{label}, palier « {TIER_LABELS[tier]} » : "
                    f"{_access_text(was)} → {_access_text(now)}."
                )
        for key, what in (
            ("niveau_le_plus_fin", "niveau le plus fin"),
            ("niveau_libre_le_plus_fin", "niveau libre le plus fin"),
        ):
            was = old.get(key, old.get("niveau_le_plus_fin"))
            if was != new[key]:
                said.append(f"{label}, {what} : {_level_text(was)} → {_level_text(new[key])}.")
    old_sources = before.get("sources_restreintes") or {}
    for source in Source:
        was, now = old_sources.get(source.value), after["sources_restreintes"].get(source.value)
        if (set(was) if was is not None else None) != (set(now) if now is not None else None):
            said.append(f"Source « {SOURCE_LABELS[source]} » : {_audience(now)}.")
    return said


def _access_text(value: str | None) -> str:
    return ACCESS_LABELS[Access(value)].lower() if value in {a.value for a in Access} else "—"


def _level_text(value: str | None) -> str:
    return LEVEL_NAMES[GeoLevel(value)] if value in {v.value for v in LEVELS} else "—"


def _audience(types: list[str] | None) -> str:
    if types is None:
        return "ouverte à tous les types de demandeur"
    names = [TYPE_LABELS[RequesterType(t)] for t in types]
    return "réservée à : " + ", ".join(names) if names else "fermée à tous"


def _hidden(values: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if name.startswith("source__"):
            source = name.removeprefix("source__")
            if value is not None:
                pairs.append((f"restreinte__{source}", "oui"))
                pairs += [(name, one) for one in value]
        else:
            pairs.append((name, str(value)))
    return pairs


#: (rule, endpoint, view, methods)
ROUTES = (
    ("/regles", "rules", rules, ("GET",)),
    ("/regles/matrice", "rules_matrix", rules_matrix, ("POST",)),
    *rule_indicators.ROUTES,
    *rule_clauses.ROUTES,
)
