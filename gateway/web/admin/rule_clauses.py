"""The mandatory clauses of every convention: read by every administrator (as GET
/admin/conventions/clauses), changed by a national one (`replace_clauses`)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request

from gateway.services.conventions.clauses import (
    clause_problems,
    mandatory_clauses,
    replace_clauses,
)
from gateway.state import request_session
from gateway.web.account.forms import Errors, page, see_other
from gateway.web.admin.common import actor_id, admin_gate, is_national, national, write
from policies.access import Action
from policies.conventions import MandatoryClause
from policies.errors import InvalidInput

NEW = "nouveau"


@admin_gate(Action.CONVENTION_READ)
def rule_clauses() -> Response:
    """List the clauses a convention must contain; a national administrator edits them."""
    clauses = mandatory_clauses(request_session())
    rows = [_row(str(i), c.code, c.label_fr, c.description_fr, "") for i, c in enumerate(clauses)]
    return _page(rows, _row(NEW, "", "", "", ""), {})


@admin_gate(Action.CLAUSE_UPDATE, caf=national)
def rule_clauses_save() -> Response:
    """Save the edited list; retiring a clause asks for confirmation first."""
    rows = [_posted(str(i)) for i in range(_count())]
    new = _posted(NEW)
    kept = [r for r in rows if not r["retirer"]]
    if new["code"] or new["libelle"]:
        kept.append(new)
    clauses = [MandatoryClause(r["code"], r["libelle"], r["description"]) for r in kept]
    try:
        if any(r["retirer"] for r in rows) and request.form.get("etape") != "confirmer":
            _check(clauses)
            return page(
                "admin/rules/clauses_check.html",
                private=True,
                console_section="administration.rules",
                retired=[r for r in rows if r["retirer"]],
                hidden=[(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"],
            )
        write(replace_clauses, actor_id(), clauses)
    except InvalidInput as error:
        return _page(rows, new, _placed(error, kept), 422)
    flash(
        "Clauses obligatoires enregistrées : elles s’appliquent aux prochaines activations.",
        "succes",
    )
    return see_other("administration.rule_clauses")


def _check(clauses: list[MandatoryClause]) -> None:
    """Raise the service's own errors before asking for confirmation."""
    problems = clause_problems(clauses)
    if problems:
        raise InvalidInput("Liste des clauses obligatoires invalide.", errors=problems)


def _page(
    rows: list[dict[str, Any]], new: dict[str, Any], errors: Errors, status: int = 200
) -> Response:
    return page(
        "admin/rules/clauses.html",
        status,
        private=True,
        console_section="administration.rules",
        rows=rows,
        new=new,
        errors=errors,
        editable=is_national(),
    )


def _row(key: str, code: str, label: str, description: str, retire: str) -> dict[str, Any]:
    return {
        "key": key,
        "code": code,
        "libelle": label,
        "description": description,
        "retirer": retire,
    }


def _posted(key: str) -> dict[str, Any]:
    form = request.form
    return _row(
        key,
        form.get(f"code_{key}", "").strip(),
        form.get(f"libelle_{key}", "").strip(),
        form.get(f"description_{key}", "").strip(),
        form.get(f"retirer_{key}", ""),
    )


def _count() -> int:
    text = request.form.get("lignes", "0")
    return min(int(text), 200) if text.isdigit() else 0


def _placed(error: InvalidInput, kept: list[dict[str, Any]]) -> Errors:
    """Put "clauses.2.libelle" beside the form's field of the third clause kept."""
    placed: Errors = {}
    for where, messages in error.errors.items():
        parts = where.split(".")
        field = ""
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(kept):
            field = f"{parts[2]}_{kept[int(parts[1])]['key']}"
        placed[field] = " ".join(messages)
    return placed or {"": error.detail}


#: (rule, endpoint, view, methods)
ROUTES = (
    ("/regles/clauses", "rule_clauses", rule_clauses, ("GET",)),
    ("/regles/clauses", "rule_clauses_save", rule_clauses_save, ("POST",)),
)
