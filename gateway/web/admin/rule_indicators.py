"""Each indicator's diffusion tier and secrecy rules: read by every administrator, changed by a
national one through `update_indicator` (the API twin: PATCH /admin/indicators/{code})."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request

from gateway.services.catalogue import editing
from gateway.services.catalogue.views import catalogue_in_force
from gateway.state import request_session
from gateway.web.account.forms import Errors, page, see_other
from gateway.web.admin.common import actor_id, admin_gate, is_national, national, write
from gateway.web.labels import REQUESTER_LABELS, TIER_EXPLANATIONS, TIER_LABELS
from policies.access import Action
from policies.catalogue import CatalogueError, Indicator
from policies.domain import RequesterType, Tier
from policies.errors import InvalidInput
from policies.secrecy.rules import RULE_NOTATIONS, Rule, RuleError, parse_rule

#: The rule fields a form shows beyond the indicator's own rules (to add one).
SPARE_RULES = 1
MAX_RULES = 10
TYPE_OPTIONS = [(t.value, REQUESTER_LABELS[t]) for t in RequesterType if not t.is_admin]
TIER_OPTIONS = [(t.value, TIER_LABELS[t]) for t in Tier]


def explained(rule: Rule) -> str:
    return rule.explain_fr()


@admin_gate(Action.POLICY_READ)
def rule_indicators() -> Response:
    """List the catalogue with each indicator's tier and secrecy rules, explained."""
    catalogue = catalogue_in_force(request_session())
    return page(
        "admin/rules/indicators.html",
        private=True,
        console_section="administration.rules",
        indicators=list(catalogue.indicators.values()),
        tier_labels=TIER_LABELS,
        type_labels=REQUESTER_LABELS,
        explained=explained,
        editable=is_national(),
    )


@admin_gate(Action.POLICY_READ)
def rule_indicator(code: str) -> Response:
    """Show one indicator's rules; a national administrator gets them as a form."""
    indicator = catalogue_in_force(request_session()).get(code)
    return _page(indicator, _values_of(indicator), {})


@admin_gate(Action.CATALOGUE_UPDATE, caf=national)
def rule_indicator_save(code: str) -> Response:
    """Check the posted tier and rules, then save them through the catalogue's one edit."""
    indicator = catalogue_in_force(request_session()).get(code)
    values, changes, errors = _read(indicator)
    if errors:
        return _page(indicator, values, errors, 422)
    try:
        write(editing.update_indicator, actor_id(), code, changes)
    except CatalogueError as error:
        return _page(indicator, values, {_field_of(error.field): error.detail}, 422)
    except InvalidInput as error:
        return _page(indicator, values, {"": error.detail}, 422)
    flash(
        f"Règles de l’indicateur {code} enregistrées : elles s’appliquent dès la demande suivante.",
        "succes",
    )
    return see_other("administration.rule_indicator", code=code)


def _page(
    indicator: Indicator, values: dict[str, Any], errors: Errors, status: int = 200
) -> Response:
    return page(
        "admin/rules/indicator.html",
        status,
        private=True,
        console_section="administration.rules",
        indicator=indicator,
        values=values,
        errors=errors,
        editable=is_national(),
        tier_options=TIER_OPTIONS,
        tier_labels=TIER_LABELS,
        tier_explanations=TIER_EXPLANATIONS,
        type_options=TYPE_OPTIONS,
        type_labels=REQUESTER_LABELS,
        explained=explained,
        notations=", ".join(RULE_NOTATIONS),
    )


def _values_of(indicator: Indicator) -> dict[str, Any]:
    rules = [str(rule) for rule in indicator.secrecy.rules]
    return {
        "tier": indicator.tier.value,
        "restricted_to": [t.value for t in indicator.restricted_to],
        "rules": rules + [""] * SPARE_RULES,
        "zero_unsafe": "oui" if indicator.secrecy.zero_unsafe else "",
        "interval_percent": _french(indicator.secrecy.interval_percent),
    }


def _read(indicator: Indicator) -> tuple[dict[str, Any], dict[str, Any], Errors]:
    """Read the posted form into the changes `update_indicator` takes; errors by field."""
    count = min(
        MAX_RULES, int(request.form.get("regles", "0") or 0) or len(indicator.secrecy.rules) + 1
    )
    values: dict[str, Any] = {
        "tier": request.form.get("tier", ""),
        "restricted_to": request.form.getlist("restricted_to"),
        "rules": [request.form.get(f"rule_{i}", "").strip() for i in range(1, count + 1)],
        "zero_unsafe": request.form.get("zero_unsafe", ""),
        "interval_percent": request.form.get("interval_percent", "").strip(),
    }
    errors: Errors = {}
    if values["tier"] not in dict(TIER_OPTIONS):
        errors["tier"] = "Choisissez un palier de diffusion dans la liste."
    if any(t not in dict(TYPE_OPTIONS) for t in values["restricted_to"]):
        errors["restricted_to"] = "Cochez des types de demandeur de la liste."
    rules: list[str] = []
    for index, text in enumerate(values["rules"], start=1):
        if not text:
            continue
        try:
            rules.append(str(parse_rule(text)))
        except RuleError as error:
            errors[f"rule_{index}"] = f"Règle {index} : {error.detail}"
    if not rules and not any(k.startswith("rule_") for k in errors):
        errors["rule_1"] = (
            f"Saisissez au moins une règle, par exemple FREQ(5,10) ({RULE_NOTATIONS[0]})."
        )
    interval = _percent(values["interval_percent"])
    if interval is None:
        errors["interval_percent"] = (
            "Saisissez un pourcentage d’au moins 0 et de moins de 100, par exemple 10."
        )
    changes: dict[str, Any] = {
        "tier": values["tier"],
        "secrecy": {
            "rules": rules,
            "zero_unsafe": bool(values["zero_unsafe"]),
            "interval_percent": interval,
        },
    }
    if values["tier"] == Tier.RESTREINT.value:
        changes["restricted_to"] = values["restricted_to"]
    return values, changes, errors


def _percent(text: str) -> float | None:
    try:
        number = float(text.replace(",", ".").replace("%", "").strip())
    except ValueError:
        return None
    return number if 0 <= number < 100 else None


def _french(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _field_of(field: str) -> str:
    """Place a catalogue error beside the field it names."""
    if field.startswith("secrecy.rules"):
        return "rule_1"
    if field.startswith("secrecy.interval"):
        return "interval_percent"
    return {"tier": "tier", "restricted_to": "restricted_to"}.get(field, "")


#: (rule, endpoint, view, methods)
ROUTES = (
    ("/regles/indicateurs", "rule_indicators", rule_indicators, ("GET",)),
    ("/regles/indicateurs/<code>", "rule_indicator", rule_indicator, ("GET",)),
    ("/regles/indicateurs/<code>", "rule_indicator_save", rule_indicator_save, ("POST",)),
)
