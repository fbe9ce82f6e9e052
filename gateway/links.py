"""The addresses of the API's resources, built from one prefix (for responses, PDFs and notes)."""

from __future__ import annotations

API_PREFIX = "/api/v1"


def api_url(path: str) -> str:
    """Return the address of an API path: "/quotes/12" -> "/api/v1/quotes/12"."""
    return API_PREFIX + path


def extract_url(extract_id: str) -> str:
    """Return the address of an extract's status."""
    return api_url(f"/extracts/{extract_id}")


def download_url(extract_id: str, format_name: str) -> str:
    """Return the address of an extract's file in one format."""
    return f"{extract_url(extract_id)}/download?format={format_name}"


def quote_url(quote_id: int) -> str:
    """Return the address of a quote (add ".pdf" for its document, "/accept" to accept it)."""
    return api_url(f"/quotes/{quote_id}")


def invoice_url(number: str) -> str:
    """Return the address of an invoice (add ".pdf" for its document)."""
    return api_url(f"/invoices/{number}")


def socle_url(indicator: str) -> str:
    """Return the address of an indicator's slice of the socle commun publication."""
    return api_url(f"/socle/{indicator}")


def socle_bulk_url(publication_id: str | None = None) -> str:
    """Return the address of the whole socle commun as one file: of the current vintage,
    or of one publication (that address never changes content)."""
    return api_url("/socle/bulk" + (f"/{publication_id}" if publication_id else ""))
