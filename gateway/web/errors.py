"""Error pages: French HTML for pages, the API's problem documents for API paths.

The API registers its handlers first (`gateway.api.problems`, flask-smorest); this module
wraps each of them: a request under `/api/` still gets its problem document, any other gets
a page. A page never shows a stack trace or a JSON document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, render_template, request
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from gateway.web.assets import reason_items
from policies.errors import DomainError

Handler = Callable[[Any], Any]
API_PATHS = ("/api/",)

#: French titles and explanations of the HTTP errors a visitor can meet on a page.
_PAGE_TEXTS = {
    400: ("Requête invalide", "La page n'a pas pu lire cette demande."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: (
        "Page introuvable",
        "Aucune page ne correspond à cette adresse. Vérifiez l'adresse saisie, ou repartez "
        "de l'accueil.",
    ),
    405: ("Méthode non autorisée", "Cette page ne s'utilise pas ainsi."),
    413: ("Contenu trop volumineux", "Le fichier ou le formulaire envoyé est trop volumineux."),
    414: ("Adresse trop longue", "L'adresse demandée est trop longue."),
    429: ("Trop de demandes", "Trop de demandes en peu de temps : réessayez dans un moment."),
    500: (
        "Erreur du service",
        "Une erreur inattendue est survenue. Elle a été enregistrée ; réessayez plus tard.",
    ),
    503: (
        "Service momentanément indisponible",
        "Le service est momentanément indisponible : réessayez dans quelques minutes.",
    ),
}


def is_api_request() -> bool:
    """Tell whether the request addresses the API (problem documents) rather than a page."""
    return request.path == "/api" or request.path.startswith(API_PATHS)


def error_page(
    status: int, title: str | None = None, detail: str | None = None, reasons: Any = ()
) -> Response:
    """Render the French error page for `status`; fall back to plain HTML if rendering fails."""
    default_title, default_detail = _PAGE_TEXTS.get(status, _PAGE_TEXTS[500])
    context = {
        "status": status,
        "title": title or default_title,
        "detail": detail or default_detail,
        "reasons": reason_items(reasons),
        "request_id": g.get("request_id", "-"),
    }
    template = "errors/404.html" if status == 404 else "errors/error.html"
    if status >= 500:
        template = "errors/500.html"
    try:
        body = render_template(template, **context)
    except Exception:  # the error page must not fail in turn (a broken template, no database)
        logging.getLogger("gateway.errors").exception("page d'erreur impossible à afficher")
        title, detail = escape(context["title"]), escape(context["detail"])
        body = (
            '<!doctype html><html lang="fr"><meta charset="utf-8">'
            f"<title>{title}</title><h1>{title}</h1><p>{detail}</p></html>"
        )
    return Response(body, status=status, mimetype="text/html")


def _http_page(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_page(status)
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _domain_page(error: DomainError) -> Response:
    return error_page(error.http_status, error.title, error.detail, error.reasons)


def _database_page(error: OperationalError) -> Response:
    logging.getLogger("gateway.errors").error("base de données injoignable : %s", error.orig)
    return error_page(503)


def _unexpected_page(_error: Exception) -> Response:
    logging.getLogger("gateway.errors").exception("erreur inattendue (page)")
    return error_page(500)


_PAGE_HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (HTTPException, _http_page),
    (DomainError, _domain_page),
    (OperationalError, _database_page),
    (Exception, _unexpected_page),
)


def _either(api_handler: Handler | None, page_handler: Handler) -> Handler:
    def handle(error: Any) -> Any:
        if api_handler is not None and is_api_request():
            return api_handler(error)
        return page_handler(error)

    return handle


def register_error_pages(app: Flask) -> None:
    """Wrap the app's error handlers: problem documents under /api/, French pages elsewhere."""
    registered = app.error_handler_spec[None][None]
    for error_class, page_handler in _PAGE_HANDLERS:
        app.register_error_handler(error_class, _either(registered.get(error_class), page_handler))
