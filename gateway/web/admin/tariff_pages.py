"""The console's tariff pages: a Caf's schedule in force and its versions, and a new version
tried on a sample request and on the last quotes before it is published.

Twins of `gateway/api/admin_tariffs/routes.py`: the same actions on the Caf of the path
(`tariff_read`, `tariff_update`), the same services (`gateway.services.pricing`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash, request

from gateway.services.pricing import reports, schedules
from gateway.services.pricing.queries import current_record, require_caf
from gateway.services.pricing.samples import Compared, compare_sample
from gateway.services.territories.queries import caf_name
from gateway.state import request_session
from gateway.web.account.forms import Errors, page, see_other
from gateway.web.admin import tariff_fields as fields
from gateway.web.admin import tariff_sample as sample
from gateway.web.admin.common import admin, admin_gate, caf_scope, is_national, write
from gateway.web.espace.common import api_call
from policies.access import Action
from policies.access.values import TYPE_LABELS, USE_LABELS
from policies.errors import Conflict, InvalidInput
from tariffs import DEFAULT_CAF_CODE

#: How many of the Caf's last quotes a preview prices again.
LAST_QUOTES = 10


def _path_caf(caf: str, **_values: Any) -> str:
    return caf


@admin_gate(Action.TARIFF_READ)
def tariffs() -> Response:
    """Open the Caf's tariff; a national administrator first chooses the Caf."""
    own = caf_scope()
    chosen = request.args.get("caf", "").strip()
    if own is not None:
        return see_other("administration.tariff", caf=own)
    listed = schedules.cafs_and_schedules(request_session())
    if chosen:
        if chosen not in {code for code, _, _ in listed}:
            return page(
                "admin/tariffs/choose.html", 422, private=True, cafs=listed, chosen=chosen,
                errors={"caf": "Choisissez une Caf dans la liste."},
            )  # fmt: skip
        return see_other("administration.tariff", caf=chosen)
    return page("admin/tariffs/choose.html", private=True, cafs=listed, chosen="", errors={})


@admin_gate(Action.TARIFF_READ, caf=_path_caf)
def tariff(caf: str) -> Response:
    """Show the Caf's schedule in force, line by line, and every version it published."""
    session, today = request_session(), date.today()
    require_caf(session, caf)
    record = current_record(session, caf, today)
    return page(
        "admin/tariffs/index.html",
        private=True,
        console_section="administration.tariffs",
        caf=caf,
        caf_name=caf_name(session, caf) or caf,
        in_force=record.document,
        default=record.caf_code == DEFAULT_CAF_CODE,
        versions=schedules.version_history(session, caf),
        sections=fields.SECTIONS,
        shown=fields.shown,
        value_at=fields.value_at,
        labels=_choice_labels(),
        api=api_call(f"/api/v1/admin/tariffs/{caf}/versions"),
        national=is_national(),
        fr_day=_fr_day,
    )


@admin_gate(Action.TARIFF_READ, caf=_path_caf)
def tariff_new_form(caf: str) -> Response:
    """Show the form of a new version, prefilled with the one in force (showing is reading)."""
    session, today = request_session(), date.today()
    require_caf(session, caf)
    base = current_record(session, caf, today).document
    values = {**fields.form_of(base), **sample.SAMPLE_DEFAULTS}
    values["version"] = _next_version(base, today)
    values["en_vigueur_du"] = _next_month(today).isoformat()
    return _form(caf, values, {})


@admin_gate(Action.TARIFF_UPDATE, caf=_path_caf)
def tariff_new(caf: str) -> Response:
    """Check a new version, preview it on a sample and the last quotes, then publish it."""
    session, today = request_session(), date.today()
    require_caf(session, caf)
    base = current_record(session, caf, today).document
    values = _posted()
    step = request.form.get("etape", "apercu")
    document, errors = fields.document_from_form(values, base, caf)
    chosen, sample_errors = sample.read_sample(values)
    errors |= sample_errors
    if step == "modifier" or errors:
        return _form(caf, values, errors, 422 if errors else 200)
    try:
        schedule = schedules.candidate_schedule(caf, document)
        schedules.check_publishable(session, schedule, today=today)
        assert chosen is not None
        compared = compare_sample(session, caf, document, chosen, today=today)
    except InvalidInput as error:
        return _form(caf, values, fields.field_errors(error), 422)
    except Conflict as error:
        return _form(caf, values, {"en_vigueur_du": error.detail}, 409)
    if step != "publier":
        return _preview(caf, values, document, compared)
    return _publish(caf, values, document)


def _publish(caf: str, values: dict[str, Any], document: dict[str, Any]) -> Response:
    try:
        record = write(
            schedules.publish_version, caf, document, today=date.today(), by=admin().requester_id
        )
    except InvalidInput as error:
        return _form(caf, values, fields.field_errors(error), 422)
    except Conflict as error:
        return _form(caf, values, {"en_vigueur_du": error.detail}, 409)
    flash(
        f"Version {record.version} du barème publiée : elle s’applique aux devis établis à "
        f"partir du {record.effective_from.strftime('%d/%m/%Y')}.",
        "succes",
    )
    return see_other("administration.tariff", caf=caf)


def _form(caf: str, values: dict[str, Any], errors: Errors, status: int = 200) -> Response:
    session = request_session()
    return page(
        "admin/tariffs/new.html",
        status,
        private=True,
        console_section="administration.tariffs",
        caf=caf,
        caf_name=caf_name(session, caf) or caf,
        values=values,
        errors=errors,
        sections=fields.SECTIONS,
        units=fields.UNITS,
        category_options=fields.CATEGORY_OPTIONS,
        exemption_options=fields.EXEMPTION_OPTIONS,
        sample_types=sample.SAMPLE_TYPES,
        sample_uses=sample.SAMPLE_USES,
        sample_levels=sample.SAMPLE_LEVELS,
        breakdowns=sample.breakdown_options(),
        today=date.today(),
    )


def _preview(
    caf: str, values: dict[str, Any], document: dict[str, Any], compared: Compared
) -> Response:
    session = request_session()
    repriced = reports.preview(session, caf, document, last=LAST_QUOTES)
    return page(
        "admin/tariffs/preview.html",
        private=True,
        console_section="administration.tariffs",
        caf=caf,
        caf_name=caf_name(session, caf) or caf,
        values=values,
        hidden=_hidden(values),
        document=document,
        compared=compared,
        repriced=repriced,
        sample_text=sample.sample_text(values),
        effective=date.fromisoformat(document["en_vigueur_du"]),
        sections=fields.SECTIONS,
        shown=fields.shown,
        value_at=fields.value_at,
        current=current_record(session, caf, date.today()).document,
        last=LAST_QUOTES,
        type_labels={t.value: label for t, label in TYPE_LABELS.items()},
        use_labels={u.value: label for u, label in USE_LABELS.items()},
    )


def _posted() -> dict[str, Any]:
    """Return the posted form: every field as text, the choice lists as lists."""
    values: dict[str, Any] = {name: request.form.get(name, "") for name in request.form}
    for name in ("categories_facturees", "exonerations"):
        values[name] = request.form.getlist(name)
    values.pop("csrf_token", None)
    values.pop("etape", None)
    return values


def _hidden(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The form's values as hidden fields, for the preview's "Publier" and "Modifier"."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return pairs


def _fr_day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _choice_labels() -> dict[str, str]:
    return dict(fields.CATEGORY_OPTIONS) | dict(fields.EXEMPTION_OPTIONS)


def _next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _next_version(base: dict[str, Any], today: date) -> str:
    """Suggest a version name: the year, then the next number of the current one's."""
    current = str(base.get("version", ""))
    year, _, number = current.partition(".")
    if year == str(today.year) and number.isdigit():
        return f"{year}.{int(number) + 1}"
    return f"{today.year}.1" if year != str(today.year) else f"{current}.1"


#: (rule, endpoint, view, methods)
ROUTES = (
    ("/tarifs", "tariffs", tariffs, ("GET",)),
    ("/tarifs/<caf>", "tariff", tariff, ("GET",)),
    ("/tarifs/<caf>/nouvelle-version", "tariff_new_form", tariff_new_form, ("GET",)),
    ("/tarifs/<caf>/nouvelle-version", "tariff_new", tariff_new, ("POST",)),
)
