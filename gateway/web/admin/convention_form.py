"""A draft convention's form: what it offers (chosen from lists), read back into the service's
fields (`drafts.update_convention`), with French errors beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.requesters.territory import home_departement
from gateway.state import app_state
from gateway.web.demande.choices import USE_LABELS
from gateway.web.espace.convention_pages import PRICING_LABELS
from gateway.web.labels import AXIS_LABELS
from policies.access.values import LEVEL_LABELS, TIER_LABELS
from policies.conventions import Party
from policies.domain import PERIODS, Axis, GeoLevel, Tier, Use
from policies.errors import DomainError

Option = tuple[str, str]
#: The levels a convention's finest level may be (a custom zone is made of communes).
LEVELS = (GeoLevel.COMMUNE, GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION)
PARTY_NAMES = {Party.CAF.value: "La Caf", Party.DEMANDEUR.value: "Le demandeur"}
LIST_FIELDS = ("uses", "tiers", "indicators", "breakdowns", "periods", "clauses", "territories")
FLAGS = ("own_territory", "epci_a_cheval", "derogation_niveau")
TEXTS = ("finalite", "notes", "finest_level", "pricing", "start", "end")
QUOTAS = ("extracts_per_month", "cells_per_month")
MAX_SIGNATORIES = 12
NOT_OFFERED = "Choix qui ne figure pas dans la liste proposée : {}."


@dataclass(frozen=True)
class EditChoices:
    """Every list the draft's form offers."""

    axes: tuple[tuple[str, str, tuple[Option, ...]], ...]  # (axis, label, indicators)
    tiers: tuple[Option, ...]
    territories: tuple[tuple[str, tuple[Option, ...]], ...]  # select groups of the Caf
    territory_names: dict[str, str]
    levels: tuple[Option, ...]
    periods: tuple[Option, ...]
    breakdowns: tuple[Option, ...]
    uses: tuple[Option, ...]
    pricing: tuple[Option, ...]
    clauses: tuple[tuple[str, str, str], ...]  # (code, label, description)
    parties: tuple[Option, ...]

    @property
    def clause_options(self) -> tuple[Option, ...]:
        return tuple((code, f"{label} (obligatoire)") for code, label, _ in self.clauses)

    def name_of(self, value: str) -> str:
        return self.territory_names.get(value) or territory_name(value)


def stored_periods() -> tuple[int, ...]:
    """Return the periods the cell store holds (the served periods if it holds none)."""
    store = app_state().store
    try:
        found = {p for code in store.indicators() for p in store.periods(code)}
    except (DomainError, OSError, ValueError):
        found = set()
    return tuple(sorted(found)) or PERIODS


def territory_name(value: str) -> str:
    """Name a territory given as "level:code" ("Commune Aubagne (13005)")."""
    level, _, code = value.partition(":")
    try:
        found = GeoLevel(level)
        return (
            f"{LEVEL_LABELS[found].capitalize()} {app_state().geography.name(found, code)} ({code})"
        )
    except (ValueError, DomainError):
        return value


def caf_territories(session: Session, caf_code: str) -> tuple[tuple[str, tuple[Option, ...]], ...]:
    """Return the territories of a Caf: its département, its EPCI, its communes."""
    geography = app_state().geography
    dep = next((d.code for d in geography.departements if d.caf.code == caf_code), None)
    if dep is None:
        return ()

    def options(level: GeoLevel, codes: tuple[str, ...]) -> tuple[Option, ...]:
        named = ((c, geography.name(level, c)) for c in codes)
        return tuple((f"{level.value}:{c}", f"{n} ({c})") for c, n in sorted(named, key=_by_name))

    straddling = [
        code
        for code in geography.straddling(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, dep)
        if home_departement(session, GeoLevel.EPCI, code) == dep
    ]
    epcis = (*geography.within(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, dep), *straddling)
    return (
        ("Département", options(GeoLevel.DEPARTEMENT, (dep,))),
        ("Intercommunalités (EPCI)", options(GeoLevel.EPCI, tuple(epcis))),
        ("Communes", options(GeoLevel.COMMUNE, geography.within(GeoLevel.COMMUNE, *_dep(dep)))),
    )


def _dep(code: str) -> tuple[GeoLevel, str]:
    return GeoLevel.DEPARTEMENT, code


def _by_name(pair: tuple[str, str]) -> str:
    return pair[1]


def edit_choices(session: Session, caf_code: str) -> EditChoices:
    """Return what a draft of this Caf may choose from."""
    catalogue = catalogue_in_force(session)
    shown = [i for i in catalogue.indicators.values() if i.tier is not Tier.INTERNE]
    axes = tuple(
        (
            axis.value,
            AXIS_LABELS[axis],
            tuple(
                (i.code, f"{i.label} ({i.code}, {TIER_LABELS[i.tier]})")
                for i in shown
                if i.axis is axis
            ),
        )
        for axis in Axis
    )
    territories = caf_territories(session, caf_code)
    return EditChoices(
        axes=tuple(a for a in axes if a[2]),
        tiers=tuple((t.value, TIER_LABELS[t]) for t in Tier if t is not Tier.INTERNE),
        territories=territories,
        territory_names={v: f"{label}" for _, group in territories for v, label in group},
        levels=tuple((lvl.value, LEVEL_LABELS[lvl]) for lvl in LEVELS),
        periods=tuple((str(p), str(p)) for p in stored_periods()),
        breakdowns=tuple((b.code, b.label) for b in catalogue.breakdowns.values()),
        uses=tuple((u.value, USE_LABELS[u]) for u in Use),
        pricing=tuple(PRICING_LABELS.items()),
        clauses=tuple((c.code, c.label_fr, c.description_fr) for c in mandatory_clauses(session)),
        parties=tuple(PARTY_NAMES.items()),
    )


def values_of(found: Mapping[str, Any]) -> dict[str, Any]:
    """Return a described convention (`views.describe`) as the form shows it."""
    scope = found.get("scope") or {}
    quotas = found.get("quotas") or {}
    return {
        "finalite": found.get("finalite") or "",
        "notes": found.get("notes") or "",
        "uses": list(found.get("uses") or ()),
        "tiers": list(scope.get("tiers", ())),
        "indicators": list(scope.get("indicators", ())),
        "breakdowns": list(scope.get("breakdowns", ())),
        "periods": [str(p) for p in scope.get("periods", ())],
        "clauses": list(found.get("clauses") or ()),
        "territories": [f"{t['level']}:{t['code']}" for t in scope.get("territories", ())],
        "own_territory": "1" if scope.get("own_territory") else "",
        "epci_a_cheval": "1" if scope.get("epci_a_cheval", True) else "",
        "derogation_niveau": "1" if scope.get("derogation_niveau") else "",
        "finest_level": scope.get("finest_level") or GeoLevel.DEPARTEMENT.value,
        "pricing": found.get("pricing") or "",
        "start": _iso(found.get("start")),
        "end": _iso(found.get("end")),
        **{q: "" if quotas.get(q) is None else str(quotas[q]) for q in QUOTAS},
        "signatories": [
            {**s, "signed_on": _iso(s.get("signed_on"))} for s in found.get("signatories") or ()
        ],
    }


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def signatory_rows(
    signatories: list[dict[str, str]], roles: Mapping[Party, str]
) -> list[dict[str, str]]:
    """Return the rows the form shows: each signatory, a row per party missing, one blank."""
    rows = [dict(s) for s in signatories]
    for party in Party:
        if not any(r.get("party") == party.value for r in rows):
            rows.append({"name": "", "role": roles.get(party, ""), "party": party.value})
    rows.append({"name": "", "role": "", "party": Party.DEMANDEUR.value})
    return [{"signed_on": "", **r} for r in rows[:MAX_SIGNATORIES]]


Errors = dict[str, str]


def read_form(
    form: MultiDict[str, str], choices: EditChoices
) -> tuple[dict[str, Any], dict[str, Any], Errors]:
    """Read the posted form: its values as shown, the service's fields, the errors by field."""
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in (*TEXTS, *QUOTAS)}
    values |= {name: [v for v in form.getlist(name) if v] for name in LIST_FIELDS}
    values |= {name: "1" if form.get(name) else "" for name in FLAGS}
    added = form.get("territory_added", "").strip()
    if added and added not in values["territories"]:
        values["territories"].append(added)
    values["signatories"] = _signatory_values(form)
    errors: Errors = {}
    _check_offered(values, choices, errors)
    return values, _fields(values, errors), errors


def _check_offered(values: dict[str, Any], choices: EditChoices, errors: Errors) -> None:
    """Refuse what the lists did not offer (a page edited by hand), naming the field."""
    offered = {
        "uses": choices.uses,
        "tiers": choices.tiers,
        "indicators": tuple(o for _, _, options in choices.axes for o in options),
        "breakdowns": choices.breakdowns,
        "periods": choices.periods,
        "clauses": choices.clause_options,
    }
    for name, options in offered.items():
        unknown = sorted(set(values[name]) - {value for value, _ in options})
        if unknown:
            errors[name] = NOT_OFFERED.format(", ".join(unknown))
    for name, options in (("finest_level", choices.levels), ("pricing", choices.pricing)):
        if values[name] not in {value for value, _ in options}:
            errors[name] = "Choisissez une valeur de la liste."
    bad = [t for t in values["territories"] if _territory(t) is None]
    if bad:
        errors["territory_added"] = NOT_OFFERED.format(", ".join(bad))


def _territory(value: str) -> dict[str, str] | None:
    level, _, code = value.partition(":")
    if level not in {lvl.value for lvl in GeoLevel} or not code or len(code) > 16:
        return None
    return {"level": level, "code": code}


def _fields(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Return the service's fields from the form's values (errors added when unreadable)."""
    start, end = _day(values, "start", errors), _day(values, "end", errors)
    quotas = {name: _count(values, name, errors) for name in QUOTAS}
    signatories = _signatories(values["signatories"], errors)
    return {
        "finalite": values["finalite"],
        "notes": values["notes"],
        "uses": values["uses"],
        "scope": {
            "indicators": values["indicators"],
            "tiers": values["tiers"],
            "territories": [t for t in map(_territory, values["territories"]) if t],
            "own_territory": bool(values["own_territory"]),
            "epci_a_cheval": bool(values["epci_a_cheval"]),
            "finest_level": values["finest_level"],
            "periods": [int(p) for p in values["periods"] if p.isdigit()],
            "breakdowns": values["breakdowns"],
            "derogation_niveau": bool(values["derogation_niveau"]),
        },
        "start": start,
        "end": end,
        "quotas": quotas,
        "pricing": values["pricing"],
        "clauses": values["clauses"],
        "signatories": signatories,
    }


def _day(values: Mapping[str, Any], name: str, errors: Errors) -> date | None:
    """Read a date as a date field sends it (AAAA-MM-JJ) or as written (JJ/MM/AAAA)."""
    return read_day(values[name], name, errors)


def read_day(text: str, name: str, errors: Errors) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors[name] = "Date invalide : écrivez-la au format jj/mm/aaaa."
    return None


def _count(values: Mapping[str, Any], name: str, errors: Errors) -> int | None:
    text = str(values[name]).replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    if not text.isdigit() or int(text) > 2_147_483_647:
        errors[name] = "Nombre entier positif ou nul attendu (vide : sans limite)."
        return None
    return int(text)


def _signatory_values(form: MultiDict[str, str]) -> list[dict[str, str]]:
    try:
        count = min(int(form.get("signatory_rows", "0")), MAX_SIGNATORIES)
    except ValueError:
        count = 0
    rows = [
        {k: form.get(f"sig{i}_{k}", "").strip() for k in ("name", "role", "party", "signed_on")}
        for i in range(count)
    ]
    return [r for r in rows if r["name"] or r["signed_on"]]


def _signatories(rows: list[dict[str, str]], errors: Errors) -> list[dict[str, Any]]:
    """Return the signatories as the service takes them; a row's errors name its first field."""
    found = []
    for i, row in enumerate(rows):
        if not row["name"]:
            errors[f"sig{i}_name"] = f"Signataire {i + 1} : indiquez son nom."
        if row["party"] not in PARTY_NAMES:
            errors[f"sig{i}_party"] = f"Signataire {i + 1} : choisissez sa partie."
        signed = read_day(row["signed_on"], f"sig{i}_signed_on", errors)
        found.append({**row, "signed_on": signed})
    return found
