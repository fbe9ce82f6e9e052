"""Twenty requests released together against the served gateway (gunicorn, 2 workers).

Issue 11: a convention allowing 3 extracts a month delivered 4 to 8 (the quota read in one
transaction, the delivery committed in another); identical requests gave several extracts;
the first concurrent uses of a new set of communes answered 500. Each test releases 20
requests at once over HTTP, on SQLite and on PostgreSQL, then reads the database.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy import create_engine, text

from tests.support.served import Served, released_together

PROBLEM = "application/problem+json"
BURST = 20


def _body(indicator: str, period: int, **extra: Any) -> dict[str, Any]:
    return {
        "indicators": [indicator],
        "use": "usage_final",
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
        "periods": [period],
        "totals": True,
        **extra,
    }


def _post(served: Served, slug: str, body: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(
        served.url("/api/v1/extracts"),
        json=body,
        headers=served.headers(slug, **headers),
        timeout=300,
    )


def _sql(served: Served, query: str, **params: Any) -> list[Any]:
    engine = create_engine(served.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(query), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def _no_server_error(answers: list[requests.Response]) -> None:
    errors = [(a.status_code, a.text[:300]) for a in answers if a.status_code >= 500]
    assert not errors, errors


EPCI_13 = ("241300417", "241300375", "200035087")  # wholly inside the Bouches-du-Rhône


def test_first_concurrent_uses_of_new_commune_sets_answer(served_gateway: Served) -> None:
    """Two requesters, several families: many ledger partitions store the same new sets at once.

    Runs first in this module: no commune or EPCI set has been stored yet (the socle holds
    départements, régions and France).
    """
    calls = [
        lambda epci=epci, slug=slug, indicator=indicator: _post(
            served_gateway,
            slug,
            {
                "indicators": [indicator],
                "territories": {"parent_level": "epci", "parent_code": epci, "level": "commune"},
                "periods": [2021],
                "use": "usage_final",
                "totals": True,
            },
        )
        for epci in EPCI_13
        for slug in ("service_etat", "conseil_departemental")
        for indicator in ("ALLOC", "RSA", "PPA")
    ]
    calls += calls[: BURST - len(calls)]
    answers = released_together(calls)
    _no_server_error(answers)
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {200, 422}, statuses  # 422: a table too fine to publish
    assert statuses[200] >= BURST // 2, statuses
    duplicated = _sql(
        served_gateway,
        "SELECT digest FROM territory_definition GROUP BY digest HAVING count(*) > 1",
    )
    assert duplicated == []


def test_a_monthly_quota_holds_when_twenty_extracts_come_at_once(served_gateway: Served) -> None:
    slug = "organisme_mission_publique"  # a flat-fee convention: no quote to accept
    requester = served_gateway.requester_id(slug)
    _sql(
        served_gateway,
        "UPDATE convention SET extracts_per_month = 3 WHERE requester_id = :r",
        r=requester,
    )
    bodies = [
        _body(indicator, period)
        for indicator in ("ENF_MOINS_6", "ALLOC", "RSA", "PPA")
        for period in (2019, 2020, 2021, 2022, 2023)
    ]
    answers = released_together([lambda b=b: _post(served_gateway, slug, b) for b in bodies])
    _no_server_error(answers)
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {200: 3, 429: BURST - 3}, statuses
    refusals = [a for a in answers if a.status_code == 429]
    assert {a.headers["Content-Type"] for a in refusals} == {PROBLEM}
    assert {a.json()["code"] for a in refusals} == {"quota_depasse"}
    delivered = _sql(
        served_gateway,
        "SELECT count(*) FROM extract WHERE requester_id = :r AND status = 'livre'",
        r=requester,
    )
    counted = _sql(
        served_gateway,
        "SELECT count(*) FROM audit_entry WHERE requester_id = :r AND action = 'extract_create' "
        "AND decision = 'allowed'",
        r=requester,
    )
    assert delivered == counted == [(3,)]


def test_twenty_identical_requests_give_one_extract_and_one_ledger_copy(
    served_gateway: Served,
) -> None:
    slug = "conseil_departemental"
    requester = served_gateway.requester_id(slug)
    # The output format is not part of the request: csv and json share the extract.
    bodies = [_body("ENF_MOINS_3", 2022, format="csv" if i % 2 else "json") for i in range(BURST)]
    answers = released_together([lambda b=b: _post(served_gateway, slug, b) for b in bodies])
    _no_server_error(answers)
    assert {a.status_code for a in answers} == {200}
    extract_ids = {a.headers["X-Extrait"] for a in answers}
    assert len(extract_ids) == 1, extract_ids
    (extract_id,) = extract_ids
    (fingerprint,) = _sql(
        served_gateway, "SELECT fingerprint FROM extract WHERE id = :e", e=extract_id
    )[0]
    same_request = _sql(
        served_gateway,
        "SELECT count(*) FROM extract WHERE requester_id = :r AND fingerprint = :f",
        r=requester,
        f=fingerprint,
    )
    assert same_request == [(1,)]
    copies = _sql(
        served_gateway,
        "SELECT DISTINCT c.extract_id FROM released_cell c JOIN extract e ON e.id = c.extract_id "
        "WHERE e.requester_id = :r AND e.fingerprint = :f",
        r=requester,
        f=fingerprint,
    )
    assert copies == [(extract_id,)]
    actions = _sql(
        served_gateway,
        "SELECT action, count(*) FROM audit_entry WHERE requester_id = :r AND fingerprint = :f "
        "GROUP BY action",
        r=requester,
        f=fingerprint,
    )
    assert dict(actions) == {"extract_create": 1, "extract_read": BURST - 1}


def _accepted_order(served: Served, slug: str, body: dict[str, Any]) -> int:
    """Ask once (402 and a quote), accept the quote; return the quote id."""
    asked = _post(served, slug, body)
    assert asked.status_code == 402, asked.text[:300]
    quote = asked.json()["devis"]
    accepted = requests.post(
        served.url(quote["accepter"]), headers=served.headers(slug), timeout=60
    )
    assert accepted.status_code in (200, 201), accepted.text[:300]
    return int(quote["id"])


def test_paid_orders_are_delivered_once_and_invoiced_without_gaps(served_gateway: Served) -> None:
    slug = "commune"  # Aubagne, priced per extract
    requester = served_gateway.requester_id(slug)
    bodies = [
        {
            "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
            "territories": {"level": "commune", "codes": ["13005"]},
            "periods": [period],
            "use": "usage_final",
        }
        for period in (2019, 2020, 2021, 2022)
    ]
    quotes = [_accepted_order(served_gateway, slug, body) for body in bodies]
    # Five copies of each paid request, each copy with its request's Idempotency-Key.
    calls = [
        lambda i=i: _post(served_gateway, slug, bodies[i], **{"Idempotency-Key": f"commande-{i}"})
        for i in range(len(bodies))
        for _ in range(BURST // len(bodies))
    ]
    answers = released_together(calls)
    _no_server_error(answers)
    assert {a.status_code for a in answers} == {200}, [a.text[:200] for a in answers]
    by_request: dict[int, set[str]] = {}
    for call_index, answer in enumerate(answers):
        by_request.setdefault(call_index // 5, set()).add(answer.headers["X-Extrait"])
    assert all(len(ids) == 1 for ids in by_request.values()), by_request
    assert len(set().union(*by_request.values())) == len(bodies)
    orders = _sql(
        served_gateway,
        "SELECT o.quote_id, o.status, count(i.number) FROM purchase_order o "
        "LEFT JOIN invoice i ON i.order_id = o.id WHERE o.requester_id = :r "
        "GROUP BY o.id, o.quote_id, o.status",
        r=requester,
    )
    assert sorted(orders) == [(q, "livree", 1) for q in sorted(quotes)], orders
    year = datetime.now(UTC).year
    sequences = sorted(
        row[0]
        for row in _sql(
            served_gateway,
            "SELECT sequence FROM invoice WHERE caf_code = '13' AND year = :y",
            y=year,
        )
    )
    assert sequences == list(range(1, len(sequences) + 1))  # gapless, whoever came first
    delivered = _sql(
        served_gateway,
        "SELECT count(*) FROM extract WHERE requester_id = :r AND status = 'livre'",
        r=requester,
    )
    assert delivered == [(len(bodies),)]
    # The key names its extract: the same key on another request is refused, not served.
    reused = _post(served_gateway, slug, bodies[1], **{"Idempotency-Key": "commande-0"})
    assert reused.status_code == 422
    assert reused.headers["Content-Type"] == PROBLEM
    assert reused.json()["code"] == "cle_idempotence_reutilisee"
