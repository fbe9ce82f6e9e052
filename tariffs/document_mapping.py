"""Quotes and invoices as JSON-ready mappings, for persistence (exact numbers as strings)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from policies.domain import PricingMode, RequesterType, Use
from tariffs.components import QuoteLine
from tariffs.exemptions import Exemption, Waiver
from tariffs.invoice import Invoice, Party
from tariffs.quote import Quote, QuoteMode
from tariffs.schedule import PricingCategory
from tariffs.serial import Reader, dec, read_document


def line_to_mapping(line: QuoteLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "libelle": line.label,
        "quantite": dec(line.quantity),
        "unite": line.unit,
        "prix_unitaire": dec(line.unit_price),
        "montant": dec(line.amount),
        "explication": line.explanation,
    }


def _line(r: Reader, path: str) -> QuoteLine:
    return QuoteLine(
        code=r.text(f"{path}.code"),
        label=r.text(f"{path}.libelle"),
        quantity=r.decimal(f"{path}.quantite"),
        unit=r.text(f"{path}.unite"),
        unit_price=r.decimal(f"{path}.prix_unitaire"),
        amount=r.decimal(f"{path}.montant"),
        explanation=r.text(f"{path}.explication"),
    )


def _lines(r: Reader, path: str) -> tuple[QuoteLine, ...]:
    value = r.raw(path)
    if not isinstance(value, list):
        r.errors.append(f"{path}: liste attendue")
        return ()
    return tuple(_line(r, f"{path}.{i}") for i in range(len(value)))


def quote_to_mapping(q: Quote) -> dict[str, Any]:
    """Write a quote as a JSON-ready mapping."""
    return {
        "caf": q.caf_code,
        "bareme_caf": q.schedule_caf_code,
        "bareme_version": q.schedule_version,
        "date_devis": q.made_on.isoformat(),
        "valide_jusqu_au": q.valid_until.isoformat(),
        "type_demandeur": q.requester_type.value,
        "categorie": q.category.value,
        "usage": q.use.value,
        "convention_ref": q.convention_ref,
        "convention_tarification": q.convention_pricing.quote_code,
        "mode": q.mode.value,
        "lignes": [line_to_mapping(line) for line in q.lines],
        "sous_total": dec(q.subtotal),
        "ajustements": [line_to_mapping(line) for line in q.adjustments],
        "net_ht": dec(q.net),
        "tva": line_to_mapping(q.vat),
        "total_ttc": dec(q.total),
        "gratuite": _waiver_to_mapping(q.waiver),
        "motif_gratuite": q.zero_reason,
        "devise": q.currency,
    }


def quote_from_mapping(data: Mapping[str, Any]) -> Quote:
    """Read back a quote written by `quote_to_mapping`."""
    return read_document(data, "Devis", _quote_fields)


def _quote_fields(r: Reader) -> Callable[[], Quote]:
    return partial(
        Quote,
        caf_code=r.text("caf"),
        schedule_caf_code=r.text("bareme_caf"),
        schedule_version=r.text("bareme_version"),
        made_on=r.day("date_devis"),
        valid_until=r.day("valide_jusqu_au"),
        requester_type=r.choice("type_demandeur", RequesterType),
        category=r.choice("categorie", PricingCategory),
        use=r.choice("usage", Use),
        convention_ref=r.optional_text("convention_ref"),
        convention_pricing=r.coded("convention_tarification", PricingMode.quote_codes()),
        mode=r.choice("mode", QuoteMode),
        lines=_lines(r, "lignes"),
        subtotal=r.decimal("sous_total"),
        adjustments=_lines(r, "ajustements"),
        net=r.decimal("net_ht"),
        vat=_line(r, "tva"),
        total=r.decimal("total_ttc"),
        waiver=_waiver(r),
        zero_reason=r.optional_text("motif_gratuite"),
        currency=r.text("devise", "EUR"),
    )


def _waiver_to_mapping(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    exemption = waiver.exemption.value if waiver.exemption else None
    return {"code": waiver.code, "motif": waiver.reason, "exoneration": exemption}


def _waiver(r: Reader) -> Waiver | None:
    if r.raw("gratuite", None) is None:
        return None
    exemption = None
    if r.raw("gratuite.exoneration", None) is not None:
        exemption = r.choice("gratuite.exoneration", Exemption)
    return Waiver(r.text("gratuite.code"), r.text("gratuite.motif"), exemption)


def _party_to_mapping(p: Party) -> dict[str, Any]:
    return {
        "nom": p.name,
        "adresse": list(p.address),
        "identifiant": p.identifier,
        "courriel": p.email,
    }


def _party(r: Reader, path: str) -> Party:
    return Party(
        name=r.text(f"{path}.nom"),
        address=r.texts(f"{path}.adresse", []),
        identifier=r.optional_text(f"{path}.identifiant"),
        email=r.optional_text(f"{path}.courriel"),
    )


def invoice_to_mapping(i: Invoice) -> dict[str, Any]:
    """Write an invoice as a JSON-ready mapping."""
    return {
        "numero": i.number,
        "caf": _party_to_mapping(i.caf),
        "demandeur": _party_to_mapping(i.requester),
        "date_emission": i.issued_on.isoformat(),
        "date_echeance": i.due_on.isoformat(),
        "bareme_version": i.schedule_version,
        "convention_ref": i.convention_ref,
        "devis_ref": i.quote_ref,
        "lignes": [line_to_mapping(line) for line in i.lines],
        "net_ht": dec(i.net),
        "tva": line_to_mapping(i.vat),
        "total_ttc": dec(i.total),
        "mentions_legales": list(i.legal_mentions),
        "devise": i.currency,
        "objet": subject_to_mapping(i.subject),
        "extrait": i.extract_ref,
        "conditions": list(i.terms),
    }


def subject_to_mapping(subject: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """Write what is bought, line by line: [{"rubrique": ..., "valeur": ...}]."""
    return [{"rubrique": name, "valeur": value} for name, value in subject]


def _subject(r: Reader) -> tuple[tuple[str, str], ...]:
    value = r.raw("objet", [])
    if not isinstance(value, list):
        r.errors.append("objet: liste attendue")
        return ()
    return tuple(
        (r.text(f"objet.{n}.rubrique"), r.text(f"objet.{n}.valeur")) for n in range(len(value))
    )


def invoice_from_mapping(data: Mapping[str, Any]) -> Invoice:
    """Read back an invoice written by `invoice_to_mapping`."""
    return read_document(data, "Facture", _invoice_fields)


def _invoice_fields(r: Reader) -> Callable[[], Invoice]:
    return partial(
        Invoice,
        number=r.text("numero"),
        caf=_party(r, "caf"),
        requester=_party(r, "demandeur"),
        issued_on=r.day("date_emission"),
        due_on=r.day("date_echeance"),
        schedule_version=r.text("bareme_version"),
        convention_ref=r.optional_text("convention_ref"),
        quote_ref=r.optional_text("devis_ref"),
        lines=_lines(r, "lignes"),
        net=r.decimal("net_ht"),
        vat=_line(r, "tva"),
        total=r.decimal("total_ttc"),
        legal_mentions=r.texts("mentions_legales", []),
        currency=r.text("devise", "EUR"),
        subject=_subject(r),
        extract_ref=r.optional_text("extrait"),
        terms=r.texts("conditions", []),
    )
