"""Submitting a request: free and delivered, priced and quoted, accepted, then delivered."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.test import TestResponse

from tests.web.demande.conftest import Person, text_of

AUBAGNE = "commune:13005"


def request_of(territory: str = AUBAGNE, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("indicators", "ENF_MOINS_3"),
        ("territory", territory),
        ("periods", "2023"),
        ("periods", "2024"),
        ("use", "usage_final"),
        *extra,
    ]


def follow(person: Person, response: TestResponse) -> TestResponse:
    assert response.status_code == 303, text_of(response)[:1000]
    return person.get(response.headers["Location"])


def test_a_priced_request_becomes_a_quote_accepted_then_delivered(commune: Person) -> None:
    sent = commune.post("/demande/envoyer", request_of(AUBAGNE, ("options", "totals")))
    assert re.fullmatch(r"/demande/devis/\d+", sent.headers["Location"])
    quote_path = sent.headers["Location"]
    page = follow(commune, sent)
    body, text = page.get_data(as_text=True), text_of(page)
    assert "Proposé, à accepter" in text and "Total TTC" in text
    assert "Accepter le devis" in text and 'name="csrf_token"' in body
    pdf = commune.get(f"{quote_path}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    accepted = follow(commune, commune.post(f"{quote_path}/accepter"))
    assert "Devis accepté : vous pouvez obtenir l’extrait." in text_of(accepted)
    assert 'data-statut-devis="accepte"' in accepted.get_data(as_text=True)
    # The builder now says the accepted quote covers this very request.
    preview = commune.get(
        "/demande/apercu", query_string=request_of(AUBAGNE, ("options", "totals"))
    )
    assert f"couvert par le devis accepté n° {quote_path.rsplit('/', 1)[1]}" in text_of(preview)

    result = follow(commune, commune.post(f"{quote_path}/extrait"))
    body, text = result.get_data(as_text=True), text_of(result)
    assert "Extrait prêt : 100 %" in text
    assert 'data-statut="livre"' in body
    assert "Facture : n° 13-" in text
    csv = commune.get(re.search(r'href="([^"]+format=csv)"', body).group(1).replace("&amp;", "&"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    invoice = commune.get(re.search(r'href="(/demande/factures/[^"]+\.pdf)"', body).group(1))
    assert invoice.status_code == 200 and invoice.data.startswith(b"%PDF")


def test_a_free_request_is_delivered_at_once(departement: Person) -> None:
    free = [
        ("indicators", "ENF_MOINS_6"),
        ("territory", "departement:13"),
        ("level", "epci"),
        ("periods", "2024"),
        ("use", "usage_final"),
    ]
    check = departement.get("/demande/verifier", query_string=free)
    assert "Envoyer la demande" in text_of(check) and "gratuite" in text_of(check)
    result = follow(departement, departement.post("/demande/envoyer", free))
    body = result.get_data(as_text=True)
    assert 'data-statut="livre"' in body
    for name in ("csv", "csv-fr", "xlsx", "pdf", "json", "jsonstat"):
        assert f"format={name}" in body
    assert "Facture" not in text_of(result)  # free: no invoice


def test_a_refused_request_is_not_sent_and_says_why(commune: Person) -> None:
    check = commune.get("/demande/verifier", query_string=request_of("departement:13"))
    text = text_of(check)
    assert check.status_code == 200 and "Convention requise" in text
    assert "Envoyer la demande" not in text and "Modifier la demande" in text
    sent = commune.post("/demande/envoyer", request_of("departement:13"))
    assert sent.status_code == 403
    assert "Pour obtenir ces données :" in text_of(sent)


def test_a_form_posted_without_its_token_is_refused(demo_app: Flask, commune: Person) -> None:
    refused = commune.client.post("/demande/envoyer", data=dict(request_of()))
    assert refused.status_code == 400
    assert "<html" in refused.get_data(as_text=True)  # a French page, not a traceback


def test_someone_elses_extract_and_quote_are_not_found(
    commune: Person, departement: Person
) -> None:
    sent = commune.post("/demande/envoyer", request_of(AUBAGNE, ("periods", "2021")))
    quote_path = sent.headers["Location"]
    assert departement.get(quote_path).status_code == 404
    assert commune.get("/demande/resultat/inconnu").status_code == 404


def test_sending_the_same_request_twice_gives_one_extract(departement: Person) -> None:
    free = [
        ("indicators", "ALLOC"),
        ("territory", "departement:13"),
        ("level", "epci"),
        ("periods", "2023"),
        ("use", "usage_final"),
    ]
    first = departement.post("/demande/envoyer", free)
    again = departement.post("/demande/envoyer", free)  # a second click
    assert first.headers["Location"] == again.headers["Location"]


def test_a_table_too_fine_is_refused_at_delivery_with_its_remedy(commune: Person) -> None:
    """Few places in one commune: the protection would mask most cells (known only then)."""
    places = [("indicators", "PLACES_EAJE"), *request_of()[1:]]
    quote_path = commune.post("/demande/envoyer", places).headers["Location"]
    commune.post(f"{quote_path}/accepter")
    refused = commune.post(f"{quote_path}/extrait")
    text = text_of(refused)
    assert refused.status_code == 422
    assert "Refus au titre du secret statistique" in text and "Tableau trop fin" in text
    assert "Pour obtenir ces données : niveau géographique suggéré : epci" in text
    assert "Accepté" in text  # the quote stays accepted: a coarser request is another quote
