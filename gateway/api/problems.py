"""The one error body of the gateway: RFC 9457 problem details, in French, built here only."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import marshmallow as ma
from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from gateway.api.schemas import Schema
from policies.errors import DomainError

PROBLEM_MIME = "application/problem+json"
TYPE_PREFIX = "urn:passerelle-caf:probleme:"

# French titles for the HTTP errors raised by Flask/werkzeug themselves.
_HTTP_TITLES = {
    400: ("requete_invalide", "Requête invalide"),
    401: ("non_authentifie", "Authentification requise"),
    403: ("acces_refuse", "Accès refusé"),
    404: ("introuvable", "Ressource introuvable"),
    405: ("methode_non_autorisee", "Méthode non autorisée"),
    406: ("format_non_disponible", "Format non disponible"),
    409: ("conflit", "Conflit"),
    413: ("contenu_trop_volumineux", "Contenu trop volumineux"),
    414: ("adresse_trop_longue", "Adresse trop longue"),
    415: ("type_de_contenu_non_pris_en_charge", "Type de contenu non pris en charge"),
    417: ("attente_impossible", "Attente impossible"),
    422: ("entree_invalide", "Entrée invalide"),
    429: ("trop_de_requetes", "Trop de requêtes"),
    431: ("en_tetes_trop_volumineux", "En-têtes trop volumineux"),
    500: ("erreur_interne", "Erreur interne"),
    501: ("non_implemente", "Non implémenté"),
    503: ("service_indisponible", "Service indisponible"),
}
_HTTP_DETAILS = {
    400: "La requête est mal formée.",
    401: "Une clé d'API valide est requise (en-tête Authorization: Bearer <clé>).",
    404: "Aucune ressource ne correspond à cette adresse.",
    405: "Cette méthode n'est pas permise sur cette ressource.",
    413: "Le contenu envoyé dépasse la taille autorisée.",
    414: "L'adresse demandée est trop longue : utilisez moins de paramètres ou un POST.",
    415: "Le corps de la requête doit être du JSON (Content-Type: application/json).",
    422: "Certains champs sont invalides.",
    429: "Trop de requêtes : réessayez plus tard.",
    431: "Les en-têtes de la requête dépassent la taille autorisée.",
    500: "Une erreur inattendue est survenue ; elle a été journalisée.",
    503: "Le service est momentanément indisponible.",
}


class ProblemSchema(Schema):
    """RFC 9457 problem details as the gateway emits them (documentation only).

    Open to extension members, as the RFC allows (a 402 carries its quote).
    """

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"description": "URI du type de problème"})
    title = ma.fields.String(metadata={"description": "Intitulé court, en français"})
    status = ma.fields.Integer(metadata={"description": "Code HTTP"})
    detail = ma.fields.String(metadata={"description": "Explication, en français"})
    instance = ma.fields.String(metadata={"description": "Chemin de la requête"})
    code = ma.fields.String(metadata={"description": "Code stable du problème"})
    request_id = ma.fields.String(metadata={"description": "Identifiant de la requête"})
    errors = ma.fields.Dict(metadata={"description": "Erreurs par champ (422)"})
    reasons = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Motifs d'un refus, règle par règle"}
    )


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: Mapping[str, Any] | None = None,
    reasons: Sequence[Any] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Build the problem-details response every error of the gateway goes through."""
    body = problem_document(status, code, title, detail, request.path, g.get("request_id", "-"))
    if errors:
        body["errors"] = dict(errors)
    if reasons:
        body["reasons"] = [r if isinstance(r, Mapping) else {"message": r} for r in reasons]
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIME
    response.headers.update(dict(headers or {}))
    return response


def problem_document(
    status: int, code: str, title: str, detail: str, instance: str, request_id: str
) -> dict[str, Any]:
    """Return the members every problem document has (the app's and the server's alike)."""
    return {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id,
    }


def server_problem(status: int, instance: str, request_id: str) -> dict[str, Any]:
    """The problem document for a request the server refuses before the app sees it."""
    code, title = _HTTP_TITLES.get(status, ("erreur_http", "Erreur"))
    detail = _HTTP_DETAILS.get(status, "Le serveur n'a pas pu lire cette requête.")
    return problem_document(status, code, title, detail, instance, request_id)


def http_problem(error: HTTPException) -> Response:
    """Map a werkzeug/flask-smorest HTTP exception (incl. 422 from schemas) to a problem."""
    status = error.code or 500
    code, title = _HTTP_TITLES.get(status, ("erreur_http", "Erreur"))
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = data.get("message") or _HTTP_DETAILS.get(status, title)
    return problem(status, code, title, detail, errors=_flatten(errors), headers=headers)


def domain_problem(error: DomainError) -> Response:
    """Map a domain error (refusal, not found, conflict...) to a problem."""
    headers = getattr(error, "headers", None)
    extra = getattr(error, "extra", None)
    return problem(
        error.http_status,
        error.code,
        error.title,
        error.detail,
        errors=getattr(error, "errors", None),
        reasons=error.reasons,
        headers=headers,
        extra=extra,
    )


def _flatten(errors: Any) -> dict[str, Any] | None:
    """Drop webargs' location level ('json', 'query') so field names are at the top."""
    if not isinstance(errors, Mapping):
        return None
    flat: dict[str, Any] = {}
    for location, fields in errors.items():
        if isinstance(fields, Mapping) and location in ("json", "query", "form", "files"):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def register_error_handlers(app: Flask) -> None:
    """Route every error, from every layer, through `problem`."""
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(DomainError, domain_problem)

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError) -> Response:
        logging.getLogger("gateway.errors").error("base de données injoignable : %s", error.orig)
        code, title = _HTTP_TITLES[503]
        return problem(503, code, title, "La base de données est momentanément injoignable.")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        logging.getLogger("gateway.errors").exception("erreur inattendue")
        code, title = _HTTP_TITLES[500]
        return problem(500, code, title, _HTTP_DETAILS[500])
