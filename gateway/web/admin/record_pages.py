"""The console's record: the audit log (filtered, exported, its chain verified), the change log.

Each page is its API twin's (`/admin/audit`, `/admin/audit.csv`, `/admin/changes`): the same
action, the same target Caf, the same service call. The releases, revenue and quota pages are
in `record_reports`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from flask import Response

from gateway.api.admin.audit_schemas import AuditFilterSchema, AuditQuerySchema
from gateway.api.schemas import PageQuerySchema, one_of
from gateway.db.models import AuditEntry
from gateway.services.audit import changes as admin_changes
from gateway.services.audit import export as audit_export
from gateway.services.audit import queries as audit_log
from gateway.services.audit.integrity import check_chain
from gateway.state import request_session
from gateway.web.account.forms import page
from gateway.web.admin import record_reports
from gateway.web.admin.common import admin_gate, caf_scope, own_caf
from gateway.web.admin.record_common import query_caf, read_query, requester_choices
from gateway.web.espace.common import Filters, api_call
from gateway.web.files import attachment
from policies.access import ACTIONS, Action

AUDIT_PARAMS = ("requester_id", "caf_code", "action", "decision", "since", "until", "page")
DECISIONS = {audit_log.ALLOWED: "Autorisée", audit_log.REFUSED: "Refusée"}


def action_label(action: str) -> str:
    """The French name of an action ("Consulter le journal d'audit"), else its code."""
    rule = ACTIONS.get(action)
    return rule.label_fr[:1].upper() + rule.label_fr[1:] if rule else action


def request_line(entry: AuditEntry) -> str:
    """What an entry was asked for: its request line, its extract, else its fingerprint."""
    details = entry.details or {}
    if details.get("requete"):
        return str(details["requete"])
    if details.get("extrait"):
        return f"extrait {details['extrait']}"
    return f"empreinte {entry.fingerprint[:12]}…"


def _filters(values: Mapping[str, Any]) -> audit_log.AuditFilter:
    """The service's filter (the API's `_filters`): a Caf administrator's Caf always."""
    return audit_log.AuditFilter(
        requester_id=values.get("requester_id"),
        caf_code=values.get("caf_code") or caf_scope(),
        decision=values.get("decision"),
        action=Action(values["action"]) if values.get("action") else None,
        since=values.get("since"),
        until=values.get("until"),
    )


def _names(ids: set[int]) -> dict[int, str]:
    return audit_log.requester_names(request_session(), ids)


def _audit_page(filters: Filters, check: Any = None, status: int | None = None) -> Response:
    found = audit_log.latest_entries(
        request_session(),
        _filters(filters.values),
        filters.values["page"],
        filters.values["per_page"],
    )
    return page(
        "admin/record/audit.html",
        status or (422 if filters.errors else 200),
        private=True,
        filters=filters,
        found=found,
        names=_names({e.requester_id for e in found.items if e.requester_id is not None}),
        requesters=requester_choices(caf_scope()),
        actions=sorted(((a.value, action_label(a.value)) for a in Action), key=lambda o: o[1]),
        decisions=DECISIONS,
        action_label=action_label,
        request_line=request_line,
        national=caf_scope() is None,
        check=check,
        csv_params=[(k, v) for k, v in filters.params() if k not in ("page", "per_page")],
        console_section="administration.record",
        api=api_call("/api/v1/admin/audit", filters.params()),
    )


@admin_gate(Action.AUDIT_READ, caf=query_caf)
def record() -> Response:
    """Show the audit log, newest first, filtered as the API's `/admin/audit`."""
    return _audit_page(read_query(AuditQuerySchema, (*AUDIT_PARAMS, "per_page")))


@admin_gate(Action.AUDIT_READ, caf=query_caf)
def record_csv() -> Response:
    """Send the filtered log as the API's `/admin/audit.csv` does (an attachment, no-store)."""
    filters = read_query(AuditFilterSchema, AUDIT_PARAMS)
    if filters.errors:
        return _audit_page(read_query(AuditQuerySchema, (*AUDIT_PARAMS, "per_page")))
    lines = audit_export.csv_lines(request_session(), _filters(filters.values))
    return attachment("".join(lines).encode(), "text/csv; charset=utf-8", "journal-audit.csv")


@admin_gate(Action.AUDIT_READ, caf=own_caf)
def record_verify() -> Response:
    """Verify the whole chain; name its first altered entry as far as the reader may see it."""
    check = check_chain(request_session(), caf_scope())
    return _audit_page(read_query(AuditQuerySchema, (), {}), check=check)


class ChangeFilterSchema(PageQuerySchema):
    entity = ma.fields.String(validate=one_of(admin_changes.CHANGE_ENTITIES))
    since = ma.fields.Date()
    until = ma.fields.Date()


def diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, str, str]]:
    """(field, before, after) of each value that changed, nested fields as `a.b`, sorted."""
    old, new = _flat(before or {}), _flat(after or {})
    return [
        (key, _shown(old.get(key)), _shown(new.get(key)))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def _flat(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping) and item:
            found.update(_flat(item, path + "."))
        else:
            found[path] = item
    return found


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@admin_gate(Action.ADMIN_CHANGE_READ, caf=query_caf)
def changes() -> Response:
    """Show who changed what, with before and after, filtered by kind of object and date."""
    filters = read_query(ChangeFilterSchema, ("caf_code", "entity", "since", "until", "page"))
    values = filters.values
    found = admin_changes.changes_between(
        request_session(),
        caf_code=filters.shown["caf_code"] or caf_scope(),
        entity=values.get("entity"),
        since=values.get("since"),
        until=values.get("until"),
        page=values["page"],
        per_page=values["per_page"],
    )
    actors = {c.actor_id for c in found.items if c.actor_id is not None}
    return page(
        "admin/record/changes.html",
        422 if filters.errors else 200,
        private=True,
        filters=filters,
        found=found,
        names=_names(actors),
        entities=admin_changes.CHANGE_ENTITIES,
        diff=diff,
        action_label=action_label,
        national=caf_scope() is None,
        api=api_call(
            "/admin/changes", [(k, v) for k, v in filters.params() if k in ("entity", "page")]
        ),
    )


View = Callable[..., Any]
#: (rule, endpoint, view, methods)
ROUTES: tuple[tuple[str, str, View, tuple[str, ...]], ...] = (
    ("/registre", "record", record, ("GET",)),
    ("/registre.csv", "record_csv", record_csv, ("GET",)),
    ("/registre/verification", "record_verify", record_verify, ("POST",)),
    ("/registre/modifications", "changes", changes, ("GET",)),
    *record_reports.ROUTES,
)
