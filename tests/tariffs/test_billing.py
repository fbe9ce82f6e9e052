"""Invoice terms from the schedule's `facturation` section: one payment term, one VAT status."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from policies.domain import RequesterType, Use
from policies.errors import InvalidInput
from tariffs import (
    Party,
    PricingRequest,
    billing_terms,
    invoice_from_mapping,
    invoice_from_quote,
    invoice_to_mapping,
    price,
    schedule_from_mapping,
    schedule_to_mapping,
)
from tests.support.tariffs import default_schedule_mapping

DAY = date(2026, 3, 2)
ASKED = PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES, cells_per_zone=10, zones=2)


def _schedule(**billing: object) -> dict[str, object]:
    mapping = copy.deepcopy(default_schedule_mapping())
    mapping["caf"] = "13"
    mapping["facturation"].update(billing)  # type: ignore[attr-defined]
    return mapping


def test_a_caf_publishes_its_identity_and_vat_status() -> None:
    exempt = "TVA non applicable, article 261, 4, 4° du code général des impôts."
    mapping = _schedule(
        siret="12345678901234",
        adresse=["2 rue de la Caf", "13000 Marseille"],
        mention_tva_non_applicable=exempt,
    )
    mapping["tva"] = {"applicable": False, "taux": "0"}
    schedule = schedule_from_mapping(mapping)
    assert schedule_to_mapping(schedule) == mapping
    quote = price(ASKED, schedule, DAY, caf_code="13")
    invoice = invoice_from_quote(
        quote,
        number="13-2026-000001",
        caf=Party("Caf des Bouches-du-Rhône", schedule.billing.address, "SIRET 12345678901234"),
        requester=Party("Cabinet"),
        issued_on=DAY,
        billing=schedule.billing,
        subject=(("Indicateurs", "ALLOC"),),
        extract_ref="e1",
    )
    assert invoice.due_on == date(2026, 4, 1)
    assert invoice.terms[:2] == (
        "Paiement par virement à 30 jours, au plus tard le 01/04/2026 ; "
        "pas d'escompte pour paiement anticipé.",
        exempt,
    )
    assert invoice_from_mapping(invoice_to_mapping(invoice)) == invoice


def test_payment_on_receipt_is_said_once() -> None:
    schedule = schedule_from_mapping(_schedule(delai_paiement_jours=0, numero_tva="FR00123456789"))
    quote = price(ASKED, schedule, DAY, caf_code="13")
    payment, vat, *_ = billing_terms(schedule.billing, quote.vat, DAY, DAY)
    assert payment == "Paiement à réception de la facture, par virement."
    assert vat == "TVA au taux de 20 % ; n° de TVA intracommunautaire : FR00123456789."


@pytest.mark.parametrize(
    ("billing", "field"),
    [
        ({"delai_paiement_jours": 90}, "facturation.delai_paiement_jours"),
        ({"siret": "1234"}, "facturation.siret"),
        ({"inconnu": 1}, "facturation.inconnu"),
    ],
)
def test_billing_is_checked(billing: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedule_from_mapping(_schedule(**billing))
    assert any(str(r).startswith(field) for r in raised.value.reasons), raised.value.reasons
