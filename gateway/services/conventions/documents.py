"""The signed document of a convention: a PDF, size- and type-checked, kept with its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy.orm import Session

from gateway.db.models import ConventionDocument, ConventionRecord
from gateway.services.conventions.drafts import record_convention_change
from gateway.services.conventions.queries import get_record
from gateway.services.conventions.values import snapshot, store_value, to_value
from policies.access import Action
from policies.conventions import ConventionStatus
from policies.errors import Conflict, DomainError, NotFound

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF_TYPES = ("application/pdf",)
PDF_MAGIC = b"%PDF-"


class DocumentRejected(DomainError):
    code = "document_refuse"
    title = "Document refusé"
    http_status = 415


class DocumentTooLarge(DomainError):
    code = "contenu_trop_volumineux"
    title = "Contenu trop volumineux"
    http_status = 413


def check_pdf(content: bytes, content_type: str, max_bytes: int) -> None:
    """Refuse anything but a PDF (declared type and magic bytes), within the size limit."""
    if len(content) > max_bytes:
        raise DocumentTooLarge(f"Document de {len(content)} octets : {max_bytes} octets au plus.")
    if not content:
        raise DocumentRejected("Document vide.")
    declared = content_type.split(";", maxsplit=1)[0].strip().lower()
    if declared not in PDF_TYPES:
        raise DocumentRejected(f"Type déclaré « {declared or 'aucun'} » : PDF attendu.")
    if not content.startswith(PDF_MAGIC):
        raise DocumentRejected("Le contenu n'est pas un PDF (signature %PDF- absente).")


def upload_document(
    session: Session,
    actor_id: int | None,
    convention_id: int,
    *,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ConventionRecord:
    """Attach the signed PDF to a draft and record its SHA-256 on the convention."""
    record = get_record(session, convention_id)
    if record.status != ConventionStatus.BROUILLON:
        raise Conflict(
            f"La convention {record.reference} v{record.version} n'est plus un brouillon : "
            "son document signé ne se remplace pas.",
            ["renouveler la convention pour signer un nouveau document"],
        )
    check_pdf(content, content_type, max_bytes)
    before = snapshot(record)
    sha256 = hashlib.sha256(content).hexdigest()
    document = session.get(ConventionDocument, record.id) or ConventionDocument(
        convention_id=record.id
    )
    document.filename = (filename or "convention.pdf")[:200]
    document.content_type = "application/pdf"
    document.size = len(content)
    document.sha256 = sha256
    document.content = content
    document.uploaded_by = actor_id
    session.add(document)
    store_value(record, replace(to_value(record), document_sha256=sha256))
    session.flush()
    record_convention_change(session, actor_id, Action.CONVENTION_DOCUMENT, record, before)
    return record


def get_document(session: Session, convention_id: int) -> ConventionDocument:
    get_record(session, convention_id)
    document = session.get(ConventionDocument, convention_id)
    if document is None:
        raise NotFound(f"La convention n° {convention_id} n'a pas de document signé.")
    return document


def document_of(session: Session, convention_id: int) -> ConventionDocument | None:
    return session.get(ConventionDocument, convention_id)
