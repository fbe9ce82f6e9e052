"""People's accounts on the portal: sign-in, links, access requests, the organisation's keys.

For other page blueprints: `current_person()` (the signed-in person, or None) and
`login_required`; a signed-in person acts as their requester (`current_person().caller`, the
same "who asks" the API builds from a key).
"""

from gateway.web.account.current import SignedInPerson, current_person, login_required

__all__ = ["SignedInPerson", "current_person", "login_required"]
