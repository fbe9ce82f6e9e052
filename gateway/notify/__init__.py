"""Notifications the gateway sends: e-mails (SMTP, or the log) and signed webhooks.

`mail` carries every message to a person (invitations, password links, refusals, deliveries);
`webhook` posts signed events to a requester's address; `notice` writes a subscription
delivery's e-mail and event and sends them; `subscription` builds that notice from a recorded
delivery (the subscriptions service's `notify_delivery`).
"""
