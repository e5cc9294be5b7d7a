"""An activity's 小程序码: the image a share poster carries, made by WeChat once per activity."""

import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from api.accounts.models import User
from api.accounts.services import WeChatDown
from api.activities.lookup import get_activity
from api.extensions import db
from api.transactions import atomic
from api.wechat.client import WeChatClient, WeChatError, WeChatUnavailable
from api.wechat.models import WxaCodeImage

log = logging.getLogger(__name__)

_NOT_NOW = "暂时无法生成小程序码，请稍后再试"


def _image_type(image: bytes) -> str:
    return "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"


def activity_wxacode(activity_id: int, viewer: User | None) -> WxaCodeImage:
    """The 小程序码 of an activity the viewer may see: fetched once, then served from the
    database (the same page and scene always give the same code).

    :raises ActivityNotFound: :raises WeChatDown: WeChat could not make it.
    """
    activity = get_activity(activity_id, viewer)
    config = current_app.config
    scene, page = f"id={activity.id}", config["WECHAT_WXACODE_PAGE"]
    env = config["WECHAT_WXACODE_ENV"]
    key = f"{env}:{page}?{scene}"
    cached = db.session.get(WxaCodeImage, key)
    if cached is not None:
        return cached
    try:  # the network call comes before the unit of work, never inside it
        image = WeChatClient.from_app().get_unlimited_wxacode(scene, page, env_version=env)
    except WeChatError as exc:
        log.warning("getwxacodeunlimit refused %s: %s", key, exc)
        raise WeChatDown(_NOT_NOW) from exc
    except WeChatUnavailable as exc:
        raise WeChatDown(_NOT_NOW) from exc
    cached = WxaCodeImage(cache_key=key, image=image, content_type=_image_type(image))
    try:
        with atomic():
            db.session.add(cached)
    except IntegrityError:  # another request stored the same code first: serve that one
        cached = db.session.get(WxaCodeImage, key)
    return cached
