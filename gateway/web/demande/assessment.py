"""The builder's form, assessed: its errors, or the preview of what submitting it would do.

One path for the page, the preview fragment and the check page: the form's body loaded by
the API's schema, then `gateway.services.extracts.preview.preview` (what
`POST /api/v1/extracts/preview` answers). An invalid request's errors go beside the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.services.extracts.preview import Preview, preview
from gateway.state import request_session
from gateway.web.account.current import SignedInPerson
from gateway.web.demande.form import BuilderForm, field_errors, loaded_body
from gateway.web.twin import curl_command
from policies.errors import DomainError, InvalidInput

#: The API calls a page's request makes, in the order the builder shows them.
API_CALLS = (
    ("Aperçu : cellules, décision et prix (rien n’est enregistré)", "/api/v1/extracts/preview"),
    ("Demande de l’extrait", "/api/v1/extracts"),
)


@dataclass(frozen=True)
class Assessed:
    """The form with its errors; its body and preview when it is a valid request."""

    form: BuilderForm
    body: dict[str, Any] | None = None
    preview: Preview | None = None

    @property
    def complete(self) -> bool:
        return self.preview is not None


def assess(form: BuilderForm, person: SignedInPerson) -> Assessed:
    """Load the form's request and preview it for the person's organisation."""
    body, errors = loaded_body(form)
    if errors:
        return Assessed(form.with_errors(errors))
    if body is None:
        return Assessed(form)
    today = datetime.now(UTC).date()
    try:
        found = preview(request_session(), person.caller, body, today)
    except InvalidInput as error:
        return Assessed(form.with_errors(field_errors(error.errors) or {"": error.detail}), body)
    except DomainError as error:  # an unknown zone or territory, say: about the whole request
        return Assessed(form.with_errors({"": error.detail}), body)
    return Assessed(form, body, found)


@dataclass(frozen=True)
class ApiCall:
    label: str
    curl: str


def api_calls(body: dict[str, Any]) -> tuple[ApiCall, ...]:
    """Return the `curl` commands that send this request to the API (the page's data twin)."""
    return tuple(
        ApiCall(label, curl_command(path, method="POST", body=body)) for label, path in API_CALLS
    )
