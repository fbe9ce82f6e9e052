"""Services: one call per action of the API, the pages and the command line, by subject.

Each subject is a package: its service functions (what a door calls, one per action) and
its repository, `queries.py` (the reads and writes of its tables). Imports go one way:

    gateway.api, gateway.web  ->  services  ->  gateway.state, gateway.pipeline
    gateway.pipeline          ->  <subject>.queries (never a service function)
    <subject>.queries         ->  other repositories, gateway.db, policies, tariffs

A service may reach the app's state (`gateway.state.app_state()`); the pipeline and the
repositories never do: they are handed what they need (caches included).
"""
