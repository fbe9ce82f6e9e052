"""The administration console (`/administration`): the admin API's services, on pages.

A Caf administrator sees and changes only their Caf; a national administrator sees every
Caf and edits what is national. Each page has the gate of its API twin (same action, same
target Caf), and each change goes through the same service, in one transaction.
"""
