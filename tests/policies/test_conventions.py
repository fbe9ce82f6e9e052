"""Conventions: the lifecycle table, activation refusals, expiry and renewal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from gateway.reference.seeds import read_mandatory_clauses
from policies.conventions import (
    TRANSITIONS,
    Convention,
    ConventionStatus,
    Party,
    Signatory,
    activate,
    effective_status,
    expire_if_due,
    in_force,
    mandatory_clauses_from_mapping,
    renew,
    resume,
    suspend,
    terminate,
)
from policies.domain import Tier
from policies.errors import Conflict, InvalidInput
from tests.policies.access_fakes import CLAUSES, active, draft, scoped

S = ConventionStatus
DAY = date(2026, 3, 1)


def test_mandatory_clauses_seed_has_the_domain_chapters() -> None:
    assert [c.code for c in read_mandatory_clauses()] == [
        "parties",
        "finalite_usages",
        "donnees_couvertes",
        "duree",
        "secret_statistique",
        "protection_donnees",
        "citation_source",
        "tarification",
        "resiliation",
    ]
    assert all(c.label_fr and c.description_fr for c in CLAUSES)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({}, "clauses"),
        ({"clauses": [{"code": "parties"}]}, "clauses[0]"),
        ({"clauses": [{"code": "a", "libelle": "A"}, {"code": "a", "libelle": "B"}]}, "double"),
    ],
)
def test_invalid_clause_list_names_the_entry(raw: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInput, match=named.replace("[", r"\[")):
        mandatory_clauses_from_mapping(raw)


def _in(status: ConventionStatus) -> Convention:
    return replace(active(), status=status)


ACTIONS = {
    S.ACTIVE: lambda c: activate(c, DAY, CLAUSES),
    S.SUSPENDUE: lambda c: suspend(c, DAY, "impayé"),
    S.RESILIEE: lambda c: terminate(c, DAY, "fin de partenariat"),
}

# from status, action -> resulting status (None: refused with Conflict)
TABLE = [
    (S.BROUILLON, S.ACTIVE, S.ACTIVE),
    (S.BROUILLON, S.SUSPENDUE, None),
    (S.BROUILLON, S.RESILIEE, S.RESILIEE),
    (S.ACTIVE, S.ACTIVE, None),
    (S.ACTIVE, S.SUSPENDUE, S.SUSPENDUE),
    (S.ACTIVE, S.RESILIEE, S.RESILIEE),
    (S.SUSPENDUE, S.ACTIVE, S.ACTIVE),
    (S.SUSPENDUE, S.SUSPENDUE, None),
    (S.SUSPENDUE, S.RESILIEE, S.RESILIEE),
    (S.EXPIREE, S.ACTIVE, None),
    (S.EXPIREE, S.SUSPENDUE, None),
    (S.EXPIREE, S.RESILIEE, None),
    (S.RESILIEE, S.ACTIVE, None),
    (S.RESILIEE, S.SUSPENDUE, None),
    (S.RESILIEE, S.RESILIEE, None),
]


@pytest.mark.parametrize(("start", "target", "result"), TABLE)
def test_transition_table(
    start: ConventionStatus, target: ConventionStatus, result: ConventionStatus | None
) -> None:
    assert (target in TRANSITIONS[start]) is (result is not None)
    conv = _in(start)
    if result is None:
        with pytest.raises(Conflict):
            ACTIONS[target](conv)
        return
    moved = ACTIONS[target](conv)
    assert moved.status is result
    assert moved.history[-1].from_status is start and moved.history[-1].on == DAY
    assert conv.status is start  # values, not mutation


def test_resume_is_the_way_back_from_suspension() -> None:
    suspended = suspend(active(), DAY)
    assert resume(suspended, DAY).status is S.ACTIVE
    with pytest.raises(Conflict):
        resume(active(), DAY)


def test_activation_lists_every_missing_piece() -> None:
    empty = draft(
        clauses=frozenset({"parties", "duree"}),
        signatories=(Signatory("Mme Directrice", "directrice", Party.CAF),),
        start=None,
        end=None,
        document_sha256=None,
        uses=frozenset(),
        scope=scoped(periods=frozenset(), tiers=frozenset({Tier.INTERNE})),
    )
    with pytest.raises(InvalidInput) as caught:
        activate(empty, DAY, CLAUSES)
    reasons = caught.value.reasons
    missing_clauses = {c.code for c in CLAUSES} - {"parties", "duree"}
    assert {f"clause obligatoire non cochée : {c}" for c in missing_clauses} <= set(reasons)
    for expected in (
        "signataire manquant pour la partie « demandeur »",
        "date de début manquante",
        "date de fin manquante",
        "document signé manquant (empreinte SHA-256)",
        "aucun usage autorisé",
        "périmètre : aucune période",
        "périmètre : le palier interne ne peut pas être conventionné",
    ):
        assert expected in reasons
    assert "CONV-13-2026-004" in caught.value.detail


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"end": date(2025, 12, 31)}, "date de fin antérieure à la date de début"),
        ({"start": date(2025, 1, 1), "end": date(2025, 12, 31)}, "date de fin déjà passée"),
        ({"document_sha256": "pas-une-empreinte"}, "document signé manquant"),
        ({"finalite": "  "}, "finalité manquante"),
    ],
)
def test_activation_refuses_inconsistent_terms(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        activate(draft(**overrides), DAY, CLAUSES)
    assert any(r.startswith(reason) for r in caught.value.reasons)


def test_complete_draft_activates() -> None:
    conv = activate(draft(), DAY, CLAUSES)
    assert conv.status is S.ACTIVE and in_force(conv, DAY)


@pytest.mark.parametrize(
    ("status", "today", "effective"),
    [
        (S.ACTIVE, date(2026, 12, 31), S.ACTIVE),
        (S.ACTIVE, date(2027, 1, 1), S.EXPIREE),
        (S.SUSPENDUE, date(2027, 1, 1), S.EXPIREE),
        (S.BROUILLON, date(2027, 1, 1), S.BROUILLON),
        (S.RESILIEE, date(2027, 1, 1), S.RESILIEE),
    ],
)
def test_effective_status_expires_past_end_date(
    status: ConventionStatus, today: date, effective: ConventionStatus
) -> None:
    conv = _in(status)
    assert effective_status(conv, today) is effective
    assert expire_if_due(conv, today).status is effective


def test_not_in_force_before_start() -> None:
    conv = active(start=date(2026, 6, 1))
    assert not in_force(conv, date(2026, 5, 31))
    assert in_force(conv, date(2026, 6, 1))


def test_suspended_past_end_cannot_resume() -> None:
    suspended = suspend(active(), DAY)
    with pytest.raises(Conflict):
        resume(suspended, date(2027, 2, 1))


def test_renewal_is_a_new_draft_version_to_sign_again() -> None:
    old = expire_if_due(active(), date(2027, 1, 5))
    new = renew(old, date(2027, 1, 1), date(2027, 12, 31), new_id="c-2")
    assert (new.id, new.version, new.status, new.previous_id) == ("c-2", 2, S.BROUILLON, "c-1")
    assert new.reference == old.reference and new.scope == old.scope
    assert not new.signatories and new.document_sha256 is None and not new.clauses
    assert new.label == "CONV-13-2026-004 v2"
    with pytest.raises(Conflict):
        renew(terminate(active(), DAY), date(2027, 1, 1), date(2027, 12, 31), new_id="c-3")
    with pytest.raises(InvalidInput):
        renew(old, date(2027, 12, 31), date(2027, 1, 1), new_id="c-3")
