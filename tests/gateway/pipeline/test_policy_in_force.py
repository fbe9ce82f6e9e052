"""Decisions read the stored policy matrix: an administrator's change applies at once."""

from __future__ import annotations

from flask.testing import FlaskClient

BODY = {
    "indicators": ["ENF_MOINS_3"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2024],
    "use": "usage_final",
}


def test_matrix_change_applies_to_extracts(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    requester, national = keys["service_etat"], keys["admin_national"]
    assert sqlite_client.post("/api/v1/extracts", json=BODY, headers=requester).status_code == 200
    document = sqlite_client.get("/api/v1/admin/policy-matrix", headers=national).json
    document.pop("version")
    document["types"]["service_etat"]["acces"]["convention"] = "interdit"
    changed = sqlite_client.put("/api/v1/admin/policy-matrix", json=document, headers=national)
    assert changed.status_code == 200
    refused = sqlite_client.post(
        "/api/v1/extracts", json={**BODY, "periods": [2023]}, headers=requester
    )
    assert refused.status_code == 403
    assert "matrice.type_tier" in {reason["regle"] for reason in refused.json["reasons"]}
