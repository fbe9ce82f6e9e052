"""The gateway: the only package that knows HTTP, pages, the database, the queue and files.

Its layers, and the one way imports go (a module imports only from its layer or below):

    gateway.app, gateway.cli(_store, _subscriptions)  assembly (`create_app`), command line
    gateway.api, gateway.web               the two doors: parse, validate, gate(action)
    gateway.services.<subject>             one service call per action (and
      gateway.notify.subscription            the announcement of a subscription's delivery)
    gateway.state                          the app's state, built once by `create_app`
    gateway.pipeline                       the steps of an extract, handed what they need
    gateway.services.<subject>.queries     repositories: each subject's reads and writes
    gateway.store, .delivery, .reference,  cells, files, geography, catalogue file,
      .catalogue, .cache, .db, .config,    caches, models and sessions, settings, logs,
      .logs, .notify                       e-mails and webhooks
    policies, tariffs                      pure: values in, values out

The pipeline reads and writes the database only through repositories, which never lead
back to the services above them or to the pipeline. Nothing below imports this package
root; `create_app` lives in `gateway.app`. `tests/test_architecture.py` checks every rule.
"""
