"""Each persona's journey, played over HTTP against the served gateway, as its user would.

gunicorn with 2 workers on a fresh `init --demo` instance, on SQLite and on PostgreSQL
(`served_gateway`). Files are downloaded and parsed back with their own readers, then
compared with the JSON of the same extract. Issue 11: these journeys broke at the seams
between parts that were each tested alone.
"""

from __future__ import annotations

import copy
import re
import subprocess
import time
from datetime import date
from typing import Any

import pytest
import requests

from gateway.config import REPO_ROOT
from tests.gateway.delivery.readers import pdf_text, read_csv, read_jsonstat, read_xlsx
from tests.support.served import Served
from tests.support.tariffs import default_schedule_mapping

PROBLEM = "application/problem+json"
TIMEOUT = 300
CD_COMMUNES = {
    "indicators": ["ENF_MOINS_6"],
    "use": "usage_final",
    "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
    "periods": [2024],
    "breakdowns": ["age_jeune_enfant"],
    "totals": True,
}


def _get(served: Served, path: str, slug: str | None = None, **params: Any) -> requests.Response:
    headers = served.headers(slug) if slug else {}
    return requests.get(served.url(path), headers=headers, params=params, timeout=TIMEOUT)


def _post(
    served: Served, path: str, slug: str | None, body: Any = None, **headers: str
) -> requests.Response:
    sent = {**(served.headers(slug) if slug else {}), **headers}
    return requests.post(served.url(path), json=body, headers=sent, timeout=TIMEOUT)


def _paid(served: Served, path: str, slug: str, body: Any) -> requests.Response:
    """Ask; when the convention prices it (402), accept the one quote and ask again."""
    response = _post(served, path, slug, body)
    if response.status_code == 402:
        _ok(_post(served, response.json()["devis"]["accepter"], slug), 201)
        response = _post(served, path, slug, body)
    return response


def _ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:500]
    return response.json() if "json" in response.headers.get("Content-Type", "") else None


def _problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["detail"]
    return problem


def test_the_public_reads_the_socle_and_the_documentation(served_gateway: Served) -> None:
    socle = _get(served_gateway, "/api/v1/socle/ALLOC", level="departement", codes="13")
    cells = _ok(socle)["cellules"]
    assert cells and all(c["code_territoire"] == "13" for c in cells)
    again = requests.get(
        socle.url, headers={"If-None-Match": socle.headers["ETag"]}, timeout=TIMEOUT
    )
    assert again.status_code == 304
    csv = _get(served_gateway, "/api/v1/socle/ALLOC", level="departement", codes="13", format="csv")
    table = read_csv(csv.content)
    assert list(table["code_territoire"]) == [c["code_territoire"] for c in cells]
    docs = _get(served_gateway, "/api/v1/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/api/v1/docs/assets/") for a in assets)
    assert all(_get(served_gateway, a).status_code == 200 for a in assets)
    # What the public may not read is refused with a reason, never a traceback.
    _problem(_post(served_gateway, "/api/v1/extracts", None, CD_COMMUNES), 401)
    _problem(_get(served_gateway, "/api/v1/socle/ALLOC", level="commune", codes="13005"), 403)


def test_a_conseil_departemental_pulls_its_communes_in_every_format(
    served_gateway: Served,
) -> None:
    extract = _ok(_post(served_gateway, "/api/v1/extracts", "conseil_departemental", CD_COMMUNES))
    extract_id = extract["extrait"]["identifiant"]
    by_key = {
        (c["code_territoire"], c["categories"]["age_jeune_enfant"]): (c["valeur"], c["statut"])
        for c in extract["cellules"]
    }
    assert len(by_key) == extract["extrait"]["nombre_cellules"]
    download = f"/api/v1/extracts/{extract_id}/download"

    def fetched(format_name: str) -> bytes:
        response = _get(served_gateway, download, "conseil_departemental", format=format_name)
        assert response.status_code == 200, (format_name, response.text[:300])
        return response.content

    for format_name, french in (("csv", False), ("csv-fr", True)):
        table = read_csv(fetched(format_name), french=french)
        codes = set(table["code_territoire"]) - {"ensemble"}  # the total's row
        assert all(c.startswith("13") and len(c) == 5 for c in codes)  # codes stay text
        for row in table.itertuples():
            value, status = by_key[(row.code_territoire, row.age_jeune_enfant)]
            assert row.statut == status
            assert (value is None) == (row.valeur != row.valeur)  # NaN when withheld
            if value is not None:
                assert row.valeur == pytest.approx(value)
    sheets = read_xlsx(fetched("xlsx"))
    data = next(rows for rows in sheets.values() if "code_territoire" in rows[0])
    header = data[0]
    code, category, value, status = (
        header.index(n) for n in ("code_territoire", "age_jeune_enfant", "valeur", "statut")
    )
    assert len(data) - 1 == len(by_key)
    for row in data[1:]:
        assert isinstance(row[code], str)  # a code cell is text, "01" stays "01"
        expected, symbol = by_key[(row[code], row[category])]
        assert (row[status] or "") == symbol
        assert row[value] == (None if expected is None else pytest.approx(expected))
    dataset, frame = read_jsonstat(fetched("jsonstat"))
    assert len(frame) == len(by_key) and dataset["version"] == "2.0"
    note = pdf_text(fetched("pdf"))
    assert not note or "secret statistique" in note.lower()
    # The same request again is the same extract (same mask), and its history lists it.
    again = _ok(_post(served_gateway, "/api/v1/extracts", "conseil_departemental", CD_COMMUNES))
    assert again["extrait"]["identifiant"] == extract_id
    listed = _ok(_get(served_gateway, "/api/v1/me/extracts", "conseil_departemental"))
    assert extract_id in {item["id"] for item in listed["items"]}
    conventions = _ok(_get(served_gateway, "/api/v1/me/conventions", "conseil_departemental"))
    assert conventions["items"] and all(c["signatories"] for c in conventions["items"])


def test_an_epci_requests_a_custom_zone_and_compares_it(served_gateway: Served) -> None:
    zone = {"name": f"Huveaune {served_gateway.base[-5:]}", "communes": ["13005", "13070", "13007"]}
    created = _ok(_post(served_gateway, "/api/v1/zones", "epci", zone), 201)
    body = {
        "indicators": ["ENF_MOINS_3"],
        "zones": [created["id"]],
        "territories": {"level": "commune", "codes": zone["communes"]},
        "periods": [2024],
        "use": "usage_final",
    }
    delivered = _paid(served_gateway, "/api/v1/extracts", "epci", body)
    if delivered.status_code != 200:  # the zone's communes may be too fine to deliver
        assert _problem(delivered, 422)["reasons"][0]["regle"].startswith("secret.")
    else:
        assert "zone" in {c["niveau"] for c in delivered.json()["cellules"]}
    comparison = {
        "indicator": "ENF_MOINS_3",
        "study": {"zone": created["id"]},
        "reference": {"level": "epci", "codes": ["200054807"]},  # the EPCI's own territory
        "period": 2024,
        "use": "usage_final",
    }
    screen = _ok(_paid(served_gateway, "/api/v1/imaje/comparison", "epci", comparison))
    assert set(screen["tableau"]) == {"etude", "reference"}
    # Another requester does not see the zone; a zone under the minimum size is refused.
    assert _get(served_gateway, f"/api/v1/zones/{created['id']}", "commune").status_code == 404
    small = {"name": "Trop petite", "communes": ["48001"]}
    assert (
        "communes" in _problem(_post(served_gateway, "/api/v1/zones", "epci", small), 422)["errors"]
    )


def test_a_cabinet_pays_a_quote_and_gets_its_extract_and_invoice(served_gateway: Served) -> None:
    body = {
        "indicators": ["PLACES_EAJE"],
        "use": "etudes",
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "epci"},
        "periods": [2023, 2024],
        "totals": True,
    }
    payment = _problem(_post(served_gateway, "/api/v1/extracts", "cabinet_prive", body), 402)
    quote = payment["devis"]
    pdf = _get(served_gateway, quote["document"], "cabinet_prive")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert not pdf_text(pdf.content) or "PLACES_EAJE" in pdf_text(pdf.content)
    _ok(_post(served_gateway, quote["accepter"], "cabinet_prive"), 201)
    workbook = _post(
        served_gateway, "/api/v1/extracts", "cabinet_prive", {**body, "format": "xlsx"}
    )
    assert workbook.status_code == 200 and read_xlsx(workbook.content)
    extract = _ok(_post(served_gateway, "/api/v1/extracts", "cabinet_prive", body))  # the same
    assert extract["extrait"]["identifiant"] == workbook.headers["X-Extrait"]
    assert extract["extrait"]["prix_eur"] == quote["total"]
    invoices = _ok(_get(served_gateway, "/api/v1/me/invoices", "cabinet_prive"))["items"]
    (invoice,) = [i for i in invoices if i["extrait"] == extract["extrait"]["identifiant"]]
    assert invoice["total_ttc"] == quote["total"]
    invoice_pdf = _get(served_gateway, invoice["liens"]["pdf"], "cabinet_prive")
    text = pdf_text(invoice_pdf.content)
    assert not text or (invoice["numero"] in text and "TVA" in text)
    quotes = _ok(_get(served_gateway, "/api/v1/me/quotes", "cabinet_prive"))["items"]
    assert any(q["id"] == quote["id"] and q["commande"]["statut"] == "livree" for q in quotes)
    # Delivered once: asked again in two formats, one extract and one invoice.
    assert len(_ok(_get(served_gateway, "/api/v1/me/invoices", "cabinet_prive"))["items"]) == 1


def test_a_caf_administrator_registers_a_commune_under_a_signed_convention(
    served_gateway: Served,
) -> None:
    admin = "admin_caf"
    requester = {
        "name": f"Ville d'Aubagne ({served_gateway.base[-5:]})",
        "type": "commune",
        "territory_level": "commune",
        "territory_code": "13005",
        "contact_email": "dgs@aubagne.example",
    }
    created = _ok(_post(served_gateway, "/api/v1/admin/requesters", admin, requester), 201)
    assert created["caf_code"] == "13"
    key = _ok(
        _post(served_gateway, f"/api/v1/admin/requesters/{created['id']}/keys", admin, {}), 201
    )
    clauses = [
        c["code"]
        for c in _ok(_get(served_gateway, "/api/v1/admin/conventions/clauses", admin))["items"]
    ]
    convention = {
        "caf_code": "13",
        "requester_id": created["id"],
        "finalite": "Diagnostic petite enfance",
        "uses": ["usage_final"],
        "scope": {
            "tiers": ["convention"],
            "territories": [{"level": "commune", "code": "13005"}],
            "finest_level": "commune",
            "periods": [2023, 2024],
        },
        "start": "2026-01-01",
        "end": "2027-12-31",
        "pricing": "gratuit_exoneration",
        "clauses": clauses,
        "signatories": [
            {"name": "M. le Maire", "party": "demandeur", "signed_on": "2026-11-20"},
            {"name": "Mme la Directrice", "party": "caf"},
        ],
    }
    draft = _ok(_post(served_gateway, "/api/v1/admin/conventions", admin, convention), 201)
    path = f"/api/v1/admin/conventions/{draft['id']}"
    refused = _problem(_post(served_gateway, f"{path}/activate", admin), 409)
    assert "Mme la Directrice" in refused["detail"] and "document signé" in refused["detail"]
    signed = [
        *convention["signatories"][:1],
        {**convention["signatories"][1], "signed_on": "2026-11-25"},
    ]
    patched = requests.patch(
        served_gateway.url(path),
        json={"signatories": signed},
        headers=served_gateway.headers(admin),
        timeout=TIMEOUT,
    )
    _ok(patched)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    uploaded = requests.put(
        served_gateway.url(f"{path}/document"),
        files={"document": ("convention-signee.pdf", pdf, "application/pdf")},
        headers=served_gateway.headers(admin),
        timeout=TIMEOUT,
    )
    assert _ok(uploaded)["document"]["sha256"]
    assert _ok(_post(served_gateway, f"{path}/activate", admin))["status"] == "active"
    commune = {"Authorization": f"Bearer {key['key']}"}
    mine = requests.get(
        served_gateway.url("/api/v1/me/conventions"), headers=commune, timeout=TIMEOUT
    )
    assert [c["label"] for c in _ok(mine)["items"]] == [draft["label"]]
    body = {
        "indicators": ["PLACES_EAJE"],  # a "convention" tier indicator
        "use": "usage_final",
        "territories": {"level": "commune", "codes": ["13005"]},
        "periods": [2024],
    }
    asked = requests.post(
        served_gateway.url("/api/v1/extracts"), json=body, headers=commune, timeout=TIMEOUT
    )
    assert asked.status_code in (200, 422), asked.text[:300]  # delivered, or too fine
    _ok(_post(served_gateway, f"{path}/suspend", admin, {"reason": "contrôle"}))
    suspended = requests.post(
        served_gateway.url("/api/v1/extracts"),
        json={**body, "periods": [2023]},
        headers=commune,
        timeout=TIMEOUT,
    )
    assert "suspendue" in _problem(suspended, 403)["detail"]
    renewed = _ok(
        _post(served_gateway, f"{path}/renew", admin, {"start": "2028-01-01", "end": "2029-12-31"}),
        201,
    )
    assert renewed["label"].endswith("v2") and renewed["status"] == "brouillon"
    # A tariff version for the Caf, priced on a sample before it applies.
    schedule = copy.deepcopy(default_schedule_mapping())
    schedule.update(version="2027.1", en_vigueur_du=date(2027, 1, 1).isoformat(), caf="13")
    versions = "/api/v1/admin/tariffs/13/versions"
    _ok(_post(served_gateway, versions, admin, {"bareme": schedule}), 201)
    assert "2027.1" in {
        v["version"] for v in _ok(_get(served_gateway, versions, admin))["versions"]
    }
    # Confined to its Caf: another Caf's territory is refused, with the rule named.
    lille = {**requester, "name": "Ville de Lille", "territory_code": "59350"}
    refusal = _problem(_post(served_gateway, "/api/v1/admin/requesters", admin, lille), 403)
    assert refusal["reasons"][0]["regle"] == "autorisation.territoire_caf"


def test_a_national_administrator_reads_and_sends_back_the_policy_matrix(
    served_gateway: Served,
) -> None:
    matrix = _ok(_get(served_gateway, "/api/v1/admin/policy-matrix", "admin_national"))
    sent = requests.put(
        served_gateway.url("/api/v1/admin/policy-matrix"),
        json=matrix,
        headers=served_gateway.headers("admin_national"),
        timeout=TIMEOUT,
    )
    assert sent.status_code in (200, 201), sent.text[:300]
    audit = _ok(_get(served_gateway, "/api/v1/admin/audit", "admin_national", verify="true"))
    assert audit["items"]
    by_caf = requests.put(
        served_gateway.url("/api/v1/admin/policy-matrix"),
        json=matrix,
        headers=served_gateway.headers("admin_caf"),
        timeout=TIMEOUT,
    )
    _problem(by_caf, 403)  # a Caf administrator reads the national matrix, never edits it


def test_the_readme_quickstart_runs_as_written(served_gateway: Served) -> None:
    """The README's "Try it" block, run by bash against this instance, answers data."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Try it:", 1)[1].split("```", 2)[1].strip("\n")
    script = block.replace("http://127.0.0.1:8000", served_gateway.base).replace(
        "instance/demo-keys.json", str(served_gateway.instance_dir / "demo-keys.json")
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"extrait"' in done.stdout  # the socle's JSON
    assert "code_territoire" in done.stdout  # the extract's CSV header
    assert "urn:passerelle-caf:probleme" not in done.stdout


#: Path parameters of the sweep: an existing id where one exists in a fresh instance.
SWEEP_VALUES = {
    "requester_id": "1",
    "convention_id": "1",
    "prefix": "inconnu",
    "caf": "13",
    "indicator": "ALLOC",
    "code": "13",
    "level": "departement",
    "extract_id": "inconnu",
    "quote_id": "1",
    "number": "13-2026-000001",
    "zone_id": "1",
    "order_id": "1",
    "request_id": "1",
    "person_id": "1",
    "publication_id": "inconnue",
    "subscription_id": "1",
}


def test_every_get_route_with_every_demo_key_answers_without_a_server_error(
    served_gateway: Served,
) -> None:
    """The sweep: every GET of the OpenAPI document, anonymous and with each demo key."""
    spec = _ok(_get(served_gateway, "/api/v1/openapi.json"))
    paths = []
    for template, operations in spec["paths"].items():
        if "get" in operations:
            path = re.sub(r"\{(\w+)\}", lambda m: SWEEP_VALUES[m.group(1)], template)
            paths.append(path)
    callers: list[str | None] = [None, *served_gateway.keys]
    failures = []
    for path in paths:
        for caller in callers:
            response = _get(served_gateway, path, caller)
            problem = response.headers.get("Content-Type", "").startswith(PROBLEM)
            if response.status_code >= 500 or (response.status_code >= 400 and not problem):
                failures.append((path, caller, response.status_code, response.text[:200]))
    assert len(paths) >= 20 and not failures, failures


def test_a_conseil_departemental_subscribes_and_is_delivered_by_the_web_workers(
    served_gateway: Served,
) -> None:
    """SQLite (`make serve`): no queue, so each gunicorn worker checks the subscriptions due
    every minute, and at once after a subscription was created in it: the first delivery
    comes in seconds, without anyone running `run-subscriptions`."""
    if not served_gateway.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL : les travailleurs de la file livrent (test_queue_periodic)")
    headers = served_gateway.headers("conseil_departemental")
    body = {
        "rythme": "mensuel",
        "nom": "Enfants de l'EPCI",
        "demande": {**CD_COMMUNES, "format": "csv-fr"},
    }
    created = requests.post(
        served_gateway.url("/api/v1/abonnements"), json=body, headers=headers, timeout=30
    )
    assert created.status_code == 201, created.text[:500]
    history = created.json()["liens"]["livraisons"]
    deadline = time.monotonic() + 30  # not the minute of the periodic check
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not (items and items[0]["statut"] != "en_cours"):
        time.sleep(0.5)
        answer = requests.get(served_gateway.url(history), headers=headers, timeout=TIMEOUT)
        items = answer.json()["items"]
    (delivery,) = items
    assert delivery["statut"] == "livre", delivery
    download = requests.get(
        served_gateway.url(delivery["liens"]["telechargement"]), headers=headers, timeout=30
    )
    assert download.status_code == 200 and "ENF_MOINS_6" in download.text
