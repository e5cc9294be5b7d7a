"""What the platform asks WeChat for on a user's behalf: an activity's 小程序码, a verified
phone number."""

import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from api.accounts.identity import normalize_phone
from api.accounts.models import User
from api.auth.tokens import end_other_sessions
from api.errors import BadRequest, Conflict, ServiceUnavailable
from api.extensions import db
from api.personal_data import encrypt, lookup_hash, mask_phone
from api.wechat.client import (
    WatermarkMismatch,
    WeChatClient,
    WeChatError,
    WeChatUnavailable,
)
from api.wechat.models import WxaCodeImage

log = logging.getLogger(__name__)


class WeChatDown(ServiceUnavailable):
    error, message = "wechat_unavailable", "微信服务暂时不可用，请稍后再试"


class NotAVolunteer(Conflict):
    error, message = "not_a_volunteer", "请先登记为志愿者"


class InvalidPhoneCode(BadRequest):
    error, message = "invalid_phone_code", "手机号授权已失效，请重新授权"


class PhoneNotVerified(BadRequest):
    error, message = "phone_not_verified", "手机号校验未通过"


def _image_type(image: bytes) -> str:
    return "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"


def activity_wxacode(activity_id: int, viewer: User | None) -> WxaCodeImage:
    """The 小程序码 of an activity the viewer may see: fetched once, then served from the
    database (the same page and scene always give the same code).

    :raises ActivityNotFound: :raises WeChatDown: WeChat could not make it.
    """
    from api.activities.lookup import get_activity

    activity = get_activity(activity_id, viewer)
    config = current_app.config
    scene, page, env = f"id={activity.id}", config["WECHAT_WXACODE_PAGE"], \
        config["WECHAT_WXACODE_ENV"]
    key = f"{env}:{page}?{scene}"
    cached = db.session.get(WxaCodeImage, key)
    if cached is not None:
        return cached
    try:
        image = WeChatClient.from_app().get_unlimited_wxacode(scene, page, env_version=env)
    except WeChatError as exc:
        log.warning("getwxacodeunlimit refused %s: %s", key, exc)
        raise WeChatDown("暂时无法生成小程序码，请稍后再试") from exc
    except WeChatUnavailable as exc:
        raise WeChatDown("暂时无法生成小程序码，请稍后再试") from exc
    cached = WxaCodeImage(cache_key=key, image=image, content_type=_image_type(image))
    db.session.add(cached)
    try:
        db.session.commit()
    except IntegrityError:  # another request stored the same code first
        db.session.rollback()
        cached = db.session.get(WxaCodeImage, key)
    return cached


def bind_phone(user: User, code: str, client: WeChatClient,
               session_id: str | None = None) -> str:
    """Replace the volunteer's phone with the one WeChat verified (``getPhoneNumber``);
    returns it masked.

    :raises NotAVolunteer: :raises InvalidPhoneCode: :raises PhoneNotVerified: the number
        belongs to another mini-program or is not a mainland mobile number.
    :raises WeChatDown:
    """
    profile = user.volunteer
    if profile is None:
        raise NotAVolunteer()
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
        raise PhoneNotVerified("目前仅支持中国大陆手机号")
    try:
        phone = normalize_phone(number.pure_phone_number)
    except ValueError as exc:
        raise PhoneNotVerified("目前仅支持中国大陆手机号") from exc
    if profile.phone_hash != lookup_hash(phone):
        end_other_sessions(user, session_id)  # the number recovers accounts: others sign in again
    profile.phone_encrypted = encrypt(phone)
    profile.phone_hash = lookup_hash(phone)
    db.session.commit()
    return mask_phone(phone)
