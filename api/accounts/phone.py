"""A volunteer's phone number, replaced by the one WeChat verified (``getPhoneNumber``)."""

import logging

from api.accounts.identity import normalize_phone
from api.accounts.models import User
from api.accounts.services import NotAVolunteer, WeChatDown
from api.auth.tokens import end_other_sessions
from api.errors import BadRequest
from api.personal_data import encrypt, lookup_hash, mask_phone
from api.transactions import atomic
from api.wechat.client import WatermarkMismatch, WeChatClient, WeChatError, WeChatUnavailable

log = logging.getLogger(__name__)

_MAINLAND_ONLY = "目前仅支持中国大陆手机号"


class InvalidPhoneCode(BadRequest):
    error, message = "invalid_phone_code", "手机号授权已失效，请重新授权"


class PhoneNotVerified(BadRequest):
    error, message = "phone_not_verified", "手机号校验未通过"


def _verified_phone(user: User, code: str, client: WeChatClient) -> str:
    """The mainland mobile number WeChat verified for ``code``, normalized.

    :raises InvalidPhoneCode: :raises PhoneNotVerified: :raises WeChatDown:
    """
    try:
        number = client.get_phone_number(code)
    except WatermarkMismatch as exc:
        log.warning("phone number of user %s carries another appid", user.id)
        raise PhoneNotVerified() from exc
    except WeChatUnavailable as exc:
        raise WeChatDown() from exc
    except WeChatError as exc:
        if exc.errcode > 0:
            raise InvalidPhoneCode() from exc
        raise WeChatDown() from exc
    if number.country_code != "86":
        raise PhoneNotVerified(_MAINLAND_ONLY)
    try:
        return normalize_phone(number.pure_phone_number)
    except ValueError as exc:
        raise PhoneNotVerified(_MAINLAND_ONLY) from exc


def bind_phone(user: User, code: str, client: WeChatClient, session_id: str | None = None) -> str:
    """Replace the volunteer's phone with the one WeChat verified (``getPhoneNumber``);
    returns it masked.

    :raises NotAVolunteer: :raises InvalidPhoneCode: :raises PhoneNotVerified: the number
        belongs to another mini-program or is not a mainland mobile number.
    :raises WeChatDown:
    """
    profile = user.volunteer
    if profile is None:
        raise NotAVolunteer()
    phone = _verified_phone(user, code, client)  # asked before the unit: no network inside it
    with atomic():
        if profile.phone_hash != lookup_hash(phone):
            end_other_sessions(user, session_id)  # the number recovers accounts: sign in again
        profile.phone_encrypted = encrypt(phone)
        profile.phone_hash = lookup_hash(phone)
    return mask_phone(phone)
