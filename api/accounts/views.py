"""Sign-in and the signed-in user's own profile."""

from flask import after_this_request, current_app, request

from api.accounts import phone, services, web_oauth
from api.accounts.schemas import (
    MeSchema,
    PasswordLoginSchema,
    PhoneCodeSchema,
    PhoneSchema,
    RefreshSchema,
    SessionModeSchema,
    TokenSchema,
    VolunteerRegistrationSchema,
    WeChatLoginSchema,
    WeChatWebLoginSchema,
)
from api.auth import web_session
from api.auth.credentials import request_credential
from api.auth.current import current_claims, current_session_id, require_user
from api.auth.tokens import (
    InvalidToken,
    end_session,
    refresh_session,
    sign_out_everywhere,
    start_session,
)
from api.blueprint import Blueprint
from api.extensions import configured_limit, limiter
from api.wechat.client import WeChatClient

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="登录与个人资料")


def _token_answer(user, issued, mode: str) -> dict:
    answer = {
        "expires_at": issued.expires_at,
        "refresh_expires_at": issued.refresh_expires_at,
        "user": user,
    }
    if mode == "cookie":
        after_this_request(lambda response: web_session.set_cookies(response, issued))
    else:
        answer.update(token=issued.token, refresh_token=issued.refresh_token)
    return answer


def _signed_in(user, mode: str) -> dict:
    return _token_answer(user, start_session(user), mode)


def _clear_cookies_if_web() -> None:
    credential = request_credential()
    if credential is not None and credential.from_cookie:
        after_this_request(web_session.clear_cookies)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/wechat", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(SessionModeSchema, location="query", as_kwargs=True)
@blp.arguments(WeChatLoginSchema)
@blp.response(200, TokenSchema)
def login_wechat(body, session):
    """Sign in with a wx.login code."""
    user = services.login_with_wechat(body["code"], WeChatClient.from_app())
    return _signed_in(user, session)


@blp.route("/auth/wechat-web", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(SessionModeSchema, location="query", as_kwargs=True)
@blp.arguments(WeChatWebLoginSchema)
@blp.response(200, TokenSchema)
def login_wechat_web(body, session):
    """Sign in on the web with the code of the official account's web authorization."""
    web_oauth.check_state(body["state"], request.cookies.get(web_oauth.STATE_COOKIE))
    client = WeChatClient.for_official_account()
    return _signed_in(services.login_with_wechat_web(body["code"], client), session)


@blp.route("/auth/password", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(SessionModeSchema, location="query", as_kwargs=True)
@blp.arguments(PasswordLoginSchema)
@blp.response(200, TokenSchema)
def login_password(body, session):
    """Sign in a staff member with username and password."""
    return _signed_in(services.login_with_password(body["username"], body["password"]), session)


@blp.route("/auth/refresh", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(SessionModeSchema, location="query", as_kwargs=True)
@blp.arguments(RefreshSchema, required=False)
@blp.response(200, TokenSchema)
def refresh(body, session):
    """Trade a refresh token (once) for a new access token and a new refresh token."""
    token = body["refresh_token"]
    if session == "cookie":
        token = token or web_session.refreshing_token()
    if not token:
        raise InvalidToken()
    user, issued = refresh_session(token)
    return _token_answer(user, issued, session)


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """Sign out this session: its access and refresh tokens stop working."""
    require_user()  # first: a write refused for want of the CSRF token keeps its cookies
    _clear_cookies_if_web()
    end_session(current_claims()["sid"])


@blp.route("/auth/logout-all", methods=["POST"])
@blp.response(204)
def logout_all():
    """Sign out everywhere: every token of the signed-in user stops working."""
    user = require_user()
    _clear_cookies_if_web()
    sign_out_everywhere(user)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """Show the signed-in user."""
    return require_user()


@blp.route("/me/volunteer", methods=["PUT"])
@limiter.limit(configured_limit("VOLUNTEER_RATE_LIMIT"))
@blp.arguments(VolunteerRegistrationSchema)
@blp.response(200, MeSchema)
def register_volunteer(body):
    """Register (or update) the signed-in user as a volunteer.

    An ID number another account already holds is answered like any other (the answer never
    tells whether a number is registered); it is kept as a claim for staff to verify.
    """
    user = require_user()
    services.register_volunteer(user, **body, session_id=current_session_id())
    return user


# operationId kept from the blueprint it was first served by: the mini-program's client names it.
@blp.route("/me/phone", methods=["POST"])
@blp.doc(operationId="wechat_bind_phone")
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneSchema)
def bind_phone(body):
    """Replace my volunteer phone number with the one WeChat verified."""
    return {
        "phone": phone.bind_phone(
            require_user(), body["code"], WeChatClient.from_app(), session_id=current_session_id()
        )
    }
