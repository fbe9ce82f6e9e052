"""How a finished delivery is announced: the narrow interface this service calls.

The transports (e-mail through SMTP or the log, signed webhooks) live in `gateway.notify`;
`gateway.notify.subscription.notify_delivery(state, subscription, delivery)` composes them for
a subscription. A notification that fails is logged and leaves `notified_at` empty; it never
undoes the delivery, which the requester finds in the history and downloads as any extract.
A failure worth retrying is tried again by later runs (`runner.announce_pending`), with a
growing wait, up to `runner.NOTIFY_ATTEMPTS` attempts in all.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Protocol

from gateway.db.models import Subscription, SubscriptionDelivery
from gateway.notify.subscription import NotificationFailed, notify_delivery
from gateway.state import AppState

LOG = logging.getLogger("gateway.abonnements")


class DeliveryNotifier(Protocol):
    """Announce one finished delivery (delivered, refused or failed) to its requester."""

    def __call__(
        self, state: AppState, subscription: Subscription, delivery: SubscriptionDelivery
    ) -> None: ...


class Announced(Enum):
    """What became of one announcement attempt."""

    SENT = "sent"
    RETRY = "retry"  # failed; a later run tries again (runner.announce_pending)
    ABANDONED = "abandoned"  # failed for good (an address refused, a webhook answering 4xx)


def announce(
    state: AppState,
    subscription: Subscription,
    delivery: SubscriptionDelivery,
    notify: DeliveryNotifier = notify_delivery,
) -> Announced:
    """Announce a delivery; say what became of it (a failure is logged, never raised)."""
    try:
        notify(state, subscription, delivery)
    except Exception as error:  # a transport's failure must not undo a committed delivery
        LOG.exception(
            "abonnement %s, échéance %s : notification non envoyée", subscription.id, delivery.due
        )
        if isinstance(error, NotificationFailed) and not error.retryable:
            return Announced.ABANDONED
        return Announced.RETRY
    return Announced.SENT
