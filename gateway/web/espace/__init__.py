"""Mon espace: a signed-in person's extracts, quotes, invoices, custom zones and conventions.

Every page calls what the matching API route calls (`/api/v1/me/...`, `/extracts/{id}`,
`/quotes/{id}`, `/invoices/{n}`, `/zones`), with the person's organisation as the caller.
"""
