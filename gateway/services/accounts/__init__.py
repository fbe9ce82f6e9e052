"""People's accounts on the portal: invitations, access requests, passwords, sign-in.

A person belongs to one requester organisation and acts as it; administrators invite
people (`people`) or approve an organisation's request (`access_requests`); single-use
links (`tokens`, `links`) set and reset passwords (`passwords`); `signin` checks them.
"""
