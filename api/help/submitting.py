"""我来帮: how a request comes in, from a resident in the mini-program (its free text checked
by WeChat first) or from hotline staff for a caller, and at which unit it waits."""

from api.accounts.models import User
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.errors import ValidationFailed
from api.extensions import db
from api.help import moderation
from api.help.errors import ContentRefused
from api.help.models import HelpRequest
from api.help.states import APP, HOTLINE, HelpStatus
from api.personal_data import encrypt, lookup_hash
from api.transactions import atomic
from api.units.models import Unit
from api.wechat.client import SCENE_FORUM


def township_of(unit: Unit) -> Unit | None:
    """The township institute (所) of a unit: itself, a station's parent, or none (center)."""
    if unit.level == "institute":
        return unit
    if unit.level == "station":
        return unit.parent
    return None


def checked_unit(unit_id: int) -> Unit:
    """The unit a request is for. :raises ValidationFailed: unknown unit."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
    return unit


def _new_request(values: dict, unit: Unit, **fields) -> HelpRequest:
    return HelpRequest(
        category=values["category"],
        description=values["description"],
        preferred_time=values.get("preferred_time", ""),
        contact_name_encrypted=encrypt(values["contact_name"]),
        phone_encrypted=encrypt(values["phone"]),
        phone_hash=lookup_hash(values["phone"]),
        address_encrypted=encrypt(values["address"]),
        unit=unit,
        township=township_of(unit),
        **fields,
    )


def submit(user: User, values: dict) -> HelpRequest:
    """A resident asks for help in the mini-program. The free text is checked by WeChat
    first: refused when risky, held for a dispatcher when WeChat wants a person to look.

    :raises ContentRefused: :raises ValidationFailed: unknown unit.
    """
    unit = checked_unit(values["unit_id"])
    # Before any write: the check is an HTTP call, no transaction waits on it.
    verdict = moderation.verdict(
        user,
        [
            values["description"],
            values["address"],
            values.get("preferred_time", ""),
            values["contact_name"],
        ],
        SCENE_FORUM,
    )
    if verdict == moderation.RISKY:
        raise ContentRefused()
    status = HelpStatus.HELD if verdict == moderation.REVIEW else HelpStatus.SUBMITTED
    help_request = _new_request(
        values, unit, channel=APP, status=status, requester_id=user.id, moderation=verdict
    )
    with atomic():
        db.session.add(help_request)
        db.session.flush()
        audit(
            user,
            "help_request.submit",
            "help_request",
            help_request.id,
            details={
                "channel": APP,
                "status": status,
                "moderation": verdict,
                "unit": unit.code,
                "category": help_request.category,
            },
        )
    return help_request


def enter_hotline(actor: User, values: dict) -> HelpRequest:
    """Hotline staff (a dispatcher of the unit) enter a caller's request; staff typed the
    text, so it goes straight to the queue.

    :raises Forbidden: outside the actor's subtree. :raises ValidationFailed: unknown unit.
    """
    unit = checked_unit(values["unit_id"])
    ensure_manages(actor, unit)
    help_request = _new_request(
        values,
        unit,
        channel=HOTLINE,
        status=HelpStatus.SUBMITTED,
        entered_by_id=actor.id,
        moderation="staff",
    )
    with atomic():
        db.session.add(help_request)
        db.session.flush()
        audit(
            actor,
            "help_request.submit",
            "help_request",
            help_request.id,
            details={
                "channel": HOTLINE,
                "status": HelpStatus.SUBMITTED,
                "unit": unit.code,
                "category": help_request.category,
            },
        )
    return help_request
