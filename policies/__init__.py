"""Pure decision logic of the gateway: access, conventions and the secret statistique.

Nothing here imports Flask or opens a database: functions take values and return
values (or raise a domain error from `policies.errors`).
"""
