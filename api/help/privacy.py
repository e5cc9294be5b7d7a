"""我来帮: what each viewer sees of a help request.

The requester's name, phone and address are stored encrypted and decrypted by
:func:`present` only for the dispatchers in scope and the assignee; the requester sees their
name and phone masked and their own address in full; anyone else sees the public board:
category, township and status (no address).
"""

from api.accounts.models import User
from api.help.access import DISPATCHER, REQUESTER, Standing
from api.help.errors import HelpRequestNotFound
from api.help.models import HelpRequest
from api.help.ratings import show_effective_rating
from api.help.states import HelpStatus
from api.personal_data import decrypt, mask_name, mask_phone


def present(
    help_request: HelpRequest, viewer: User | None, standing: Standing | None = None
) -> HelpRequest:
    """Fill the request's per-viewer fields: contact data decrypted for dispatchers in scope
    and the assignee, masked for the requester.

    :raises HelpRequestNotFound: for anybody else (they have the public board).
    """
    show_effective_rating(help_request)
    standing = standing or Standing(viewer)
    role = standing.role(help_request)
    if role is None:
        raise HelpRequestNotFound()
    name = decrypt(help_request.contact_name_encrypted)
    phone = decrypt(help_request.phone_encrypted)
    address = decrypt(help_request.address_encrypted)
    if role == REQUESTER:
        # Their own request: the address in full, so they can check where help will come;
        # name and phone masked, as on every screen that may be seen over a shoulder.
        name, phone = mask_name(name), mask_phone(phone)
    help_request.contact_name, help_request.phone, help_request.address = name, phone, address
    help_request.viewer_role = role
    help_request.actions = standing.next_actions(help_request)
    return help_request


def present_all(help_requests: list[HelpRequest], viewer: User | None) -> list[HelpRequest]:
    """:func:`present` for a page of requests (the viewer's teams read once)."""
    standing = Standing(viewer)
    return [present(help_request, viewer, standing) for help_request in help_requests]


def rejected_reason_visible(help_request: HelpRequest) -> bool:
    """The reason of a rejection is for the requester (and the dispatchers who wrote it)."""
    return help_request.status == HelpStatus.REJECTED and help_request.viewer_role in (
        REQUESTER,
        DISPATCHER,
    )
