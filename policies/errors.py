"""Domain errors: plain exceptions with a stable code and reasons; the HTTP layer maps them once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policies.refusals import Refusal

#: One reason of a refusal, as a problem document writes it: a sentence, or a refusal's member
#: {"regle", "message", "solution"} (`Refusal.problem_member`).
ProblemReason = str | Mapping[str, str]


class DomainError(Exception):
    """Base of every error the gateway's domain raises on purpose."""

    code = "erreur_domaine"
    title = "Erreur"
    http_status = 400

    def __init__(self, detail: str, reasons: Sequence[ProblemReason | Refusal] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reasons: tuple[ProblemReason, ...] = tuple(
            r.problem_member() if isinstance(r, Refusal) else r for r in reasons
        )


class NotFound(DomainError):
    code = "introuvable"
    title = "Ressource introuvable"
    http_status = 404


class InvalidInput(DomainError):
    code = "entree_invalide"
    title = "Entrée invalide"
    http_status = 422

    def __init__(
        self,
        detail: str,
        reasons: Sequence[ProblemReason | Refusal] = (),
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(detail, reasons)
        #: Messages per request field, shown as the problem's `errors` member.
        self.errors = {field: list(messages) for field, messages in (errors or {}).items()}


class Conflict(DomainError):
    code = "conflit"
    title = "Conflit"
    http_status = 409


class AccessDenied(DomainError):
    code = "acces_refuse"
    title = "Accès refusé"
    http_status = 403


class ConventionRequired(AccessDenied):
    code = "convention_requise"
    title = "Convention requise"


class SecrecyRefusal(DomainError):
    code = "refus_secret_statistique"
    title = "Refus au titre du secret statistique"
    http_status = 422


class PaymentRequired(DomainError):
    code = "paiement_requis"
    title = "Devis à accepter"
    http_status = 402


class QuoteExpired(DomainError):
    code = "devis_expire"
    title = "Devis expiré"
    http_status = 409


class QuotaExceeded(DomainError):
    code = "quota_depasse"
    title = "Quota dépassé"
    http_status = 429
