"""Shareable 小程序码 of activities, and binding a WeChat-verified phone number."""

import hashlib

from flask import Response, request

from api.auth.current import current_session_id, optional_user, require_user
from api.blueprint import Blueprint
from api.wechat import services
from api.wechat.client import WeChatClient
from api.wechat.schemas import PhoneCodeSchema, PhoneSchema

blp = Blueprint("wechat", __name__, url_prefix="/api/v1", description="微信小程序")


@blp.route("/activities/<int:activity_id>/wxacode", methods=["GET"])
@blp.response(200, content_type="image/png")
def activity_wxacode(activity_id):
    """Get an activity's 小程序码 (an image for share posters)."""
    code = services.activity_wxacode(activity_id, optional_user())
    response = Response(code.image, content_type=code.content_type,
                        headers={"Cache-Control": "public, max-age=86400"})
    response.set_etag(hashlib.sha256(code.image).hexdigest()[:32])
    return response.make_conditional(request)


@blp.route("/me/phone", methods=["POST"])
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneSchema)
def bind_phone(body):
    """Replace my volunteer phone number with the one WeChat verified."""
    return {"phone": services.bind_phone(require_user(), body["code"], WeChatClient.from_app(),
                                         session_id=current_session_id())}
