"""/imaje: the IMAJE screens for signed-in people, every page in one table.

The blueprint is `ecrans_imaje` (the API's is `imaje`): a history over five years and a
comparison of a study zone with a reference zone, each a form (GET) then the screen (POST);
the screen's table as a file; the quote of a priced screen to accept.
"""

from __future__ import annotations

from flask import Blueprint

from gateway.web.imaje import files, pages, quote

blp = Blueprint("ecrans_imaje", __name__, url_prefix="/imaje")

GET, POST = ("GET",), ("POST",)
#: (rule, endpoint, view, methods)
ROUTES = (
    ("", "index", pages.index, GET),
    ("/historique", "history", pages.history_form, GET),
    ("/historique", "history_submit", pages.history_submit, POST),
    ("/comparaison", "comparison", pages.comparison_form, GET),
    ("/comparaison", "comparison_submit", pages.comparison_submit, POST),
    ("/extraits/<string:extract_id>/<string:format_name>", "download", files.download, GET),
    ("/devis/<int:quote_id>/acceptation", "quote_accept", quote.quote_accept, POST),
)
for rule, endpoint, view, methods in ROUTES:
    blp.add_url_rule(rule, endpoint, view, methods=list(methods))
