"""Sign-in and the signed-in user's own profile."""

from flask import current_app
from flask_smorest import Blueprint

from api.accounts import services
from api.accounts.schemas import (
    MeSchema,
    PasswordLoginSchema,
    TokenSchema,
    VolunteerRegistrationSchema,
    WeChatLoginSchema,
)
from api.auth.current import require_user
from api.auth.tokens import issue_token
from api.extensions import limiter
from api.wechat.client import WeChatClient

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="登录与个人资料")


def _token_answer(user) -> dict:
    token, expires_at = issue_token(user)
    return {"token": token, "expires_at": expires_at, "user": user}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/wechat", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(WeChatLoginSchema)
@blp.response(200, TokenSchema)
def login_wechat(body):
    """Sign in with a wx.login code."""
    return _token_answer(services.login_with_wechat(body["code"], WeChatClient.from_app()))


@blp.route("/auth/password", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(PasswordLoginSchema)
@blp.response(200, TokenSchema)
def login_password(body):
    """Sign in a staff member with username and password."""
    return _token_answer(services.login_with_password(body["username"], body["password"]))


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """Show the signed-in user."""
    return require_user()


@blp.route("/me/volunteer", methods=["PUT"])
@blp.arguments(VolunteerRegistrationSchema)
@blp.response(200, MeSchema)
def register_volunteer(body):
    """Register (or update) the signed-in user as a volunteer.

    An ID number another account already holds is answered like any other (the answer never
    tells whether a number is registered); it is kept as a claim for staff to verify.
    """
    user = require_user()
    services.register_volunteer(user, **body)
    return user
