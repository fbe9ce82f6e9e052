"""The audit chain checked for an administrator: the first altered entry, told as they may read it.

There is one chain for every Caf: it is verified whole, whoever asks. What it says about the
first altered entry depends on who asks: a national administrator reads it all; a Caf
administrator reads the entry's content only when it is their Caf's, and otherwise only its
id (ids are already seen in their own listing: the id tells nothing new; another Caf's
requester, time, action or details would).

Where heads are exported (`GATEWAY_AUDIT_HEAD_EXPORT`), the chain is also checked against
them: a rewrite made with the key is named at the exported entry it no longer reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.db.models import AuditEntry, Requester
from gateway.services.audit.heads import HEADS_FILE, read_checkpoints
from gateway.services.audit.queries import session_keys, utc, verify
from gateway.state import app_state
from policies.audit_keys import AuditKeyError


@dataclass(frozen=True)
class AlteredEntry:
    """The first entry the chain breaks at; `entry` is None when not the reader's to see."""

    id: int | str
    reason: str
    entry: AuditEntry | None
    requester_name: str | None = None

    @property
    def at(self) -> datetime | None:
        return None if self.entry is None else utc(self.entry.at)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int  # entries found sound before the first altered one (all of them when ok)
    reason: str  # what is wrong, in French ("" when ok)
    altered: AlteredEntry | None  # None when ok, or when the end of the log was cut off


def check_chain(session: Session, caf_code: str | None) -> ChainCheck:
    """Verify the whole chain; name its first altered entry as `caf_code`'s admin may see it.

    `caf_code` None: a national administrator, who sees every entry. An altered row's own
    columns cannot be trusted, so a Caf administrator sees its content only when both its
    Caf and its requester's current Caf are theirs (a row moved to their Caf by editing its
    `caf_code` alone stays hidden).
    """
    directory = app_state().settings.audit_head_export
    try:
        exported = (
            read_checkpoints(session_keys(session), directory / HEADS_FILE) if directory else []
        )
    except AuditKeyError as error:
        return ChainCheck(False, 0, str(error), None)
    report = verify(session, exported)
    if report.ok or report.first_bad_id is None:
        return ChainCheck(report.ok, report.checked, report.reason, None)
    entry = session.get(AuditEntry, report.first_bad_id)
    requester = (
        session.get(Requester, entry.requester_id)
        if entry is not None and entry.requester_id is not None
        else None
    )
    visible = entry is not None and (
        caf_code is None
        or (entry.caf_code == caf_code and requester is not None and requester.caf_code == caf_code)
    )
    altered = AlteredEntry(
        id=report.first_bad_id,
        reason=report.reason,
        entry=entry if visible else None,
        requester_name=requester.name if visible and requester is not None else None,
    )
    return ChainCheck(False, report.checked, report.reason, altered)
