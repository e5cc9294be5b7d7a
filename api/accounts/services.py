"""Accounts: signing in (WeChat, password), volunteer registration, staff users."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.accounts import roles
from api.accounts.identity import birth_date_from_id
from api.accounts.models import RoleGrant, User, VolunteerProfile
from api.audit.services import record as audit
from api.auth.tokens import end_other_sessions, revoke_all_tokens
from api.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from api.extensions import db
from api.personal_data import encrypt, lookup_hash
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.models import Unit
from api.wechat.client import (
    CODE_USED,
    INVALID_CODE,
    RATE_LIMITED,
    WeChatClient,
    WeChatError,
    WeChatUnavailable,
)

_password_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _password_hasher.hash("not-a-real-password")


class InvalidCode(Unauthorized):
    error, message = "invalid_code", "微信登录凭证无效，请重新登录"


class CodeUsed(Unauthorized):
    error, message = "code_used", "该微信授权已使用，请重新登录"


class UserInfoRequired(Conflict):
    error, message = "wechat_userinfo_required", "首次在网页登录需授权微信昵称，请重新登录"


class WeChatRateLimited(TooManyRequests):
    error, message = "wechat_rate_limited", "登录过于频繁，请稍后再试"


class WeChatDown(ServiceUnavailable):
    error, message = "wechat_unavailable", "微信服务暂时不可用，请稍后再试"


class InvalidCredentials(Unauthorized):
    error, message = "invalid_credentials", "用户名或密码错误"


class UnknownUnit(ValidationFailed):
    error, message = "unknown_unit", "所选单位不存在"


class NotAVolunteer(Conflict):
    """The user (the caller, or the one a staff member names) has not registered as a
    volunteer, and the request needs one."""

    error, message = "not_a_volunteer", "请先注册为志愿者"


class VolunteersOnly(Forbidden):
    """Only a registered volunteer may do this: sign up for a volunteers-only activity, hold a
    service certificate. Raise it with the message of the case."""

    error, message = "volunteers_only", "请先注册为志愿者"


def login_with_wechat(code: str, client: WeChatClient) -> User:
    """Exchange a ``wx.login`` code; create the user on first login.

    :raises InvalidCode: WeChat refused the code (40029 and other caller errors).
    :raises WeChatRateLimited: WeChat's 45011.
    :raises WeChatDown: WeChat unreachable, too slow, or busy (-1).
    """
    try:
        session = client.code_to_session(code)
    except WeChatUnavailable as exc:
        raise WeChatDown() from exc
    except WeChatError as exc:
        if exc.errcode == RATE_LIMITED:
            raise WeChatRateLimited() from exc
        if exc.errcode == INVALID_CODE or exc.errcode > 0:
            raise InvalidCode() from exc
        raise WeChatDown() from exc
    with atomic():  # after the call to WeChat: a unit never waits on the network
        return _wechat_user(session)


def _wechat_user(session) -> User:
    """The user of a ``code2Session`` answer, created on first login, with the new session
    key and login time (the caller's unit)."""
    user = db.session.scalar(select(User).where(User.openid == session.openid))
    if user is None and session.unionid:
        # Signed in on the web first: the same person, found by the unionid.
        user = db.session.scalar(
            select(User).where(User.unionid == session.unionid, User.openid.is_(None))
        )
    if user is None:
        user = User(openid=session.openid)
        db.session.add(user)
    user.openid = session.openid
    if (
        user.unionid is None
        and session.unionid
        and db.session.scalar(select(User.id).where(User.unionid == session.unionid)) is None
    ):
        user.unionid = session.unionid
    user.wechat_session_key = encrypt(session.session_key)
    user.last_login_at = utcnow()
    return user


def _exchange_web_code(code: str, client: WeChatClient) -> tuple[str, str | None, str]:
    """``(official-account openid, unionid or None, nickname)`` of a web authorization code.

    :raises InvalidCode, CodeUsed, WeChatDown:
    """
    try:
        authorization = client.oauth_access_token(code)
        unionid, nickname = authorization.unionid, ""
        if authorization.scope == "snsapi_userinfo":
            info = client.oauth_userinfo(authorization.access_token, authorization.openid)
            unionid, nickname = info.get("unionid") or unionid, info.get("nickname") or ""
    except WeChatUnavailable as exc:
        raise WeChatDown() from exc
    except WeChatError as exc:
        if exc.errcode == CODE_USED:
            raise CodeUsed() from exc
        if exc.errcode > 0:
            raise InvalidCode() from exc
        raise WeChatDown() from exc
    return authorization.openid, unionid, nickname


def login_with_wechat_web(code: str, client: WeChatClient) -> User:
    """Sign a resident in on the web with a code of the official account's web authorization
    (网页授权): the same user as in the mini-program, matched by the unionid.

    :raises InvalidCode: 40029 and other refusals. :raises CodeUsed: 40163.
    :raises UserInfoRequired: a first sign-in with ``snsapi_base`` (no unionid to match).
    :raises WeChatDown:
    """
    oa_openid, unionid, nickname = _exchange_web_code(code, client)
    try:
        return _web_user(oa_openid, unionid, nickname)
    except IntegrityError:
        # The same person's first sign-in twice at once: the other request created the user.
        # Our unit (the outermost: a view calls this) rolled back whole; read theirs.
        user = db.session.scalar(select(User).where(User.oa_openid == oa_openid))
        if user is None:
            raise
        return user


@atomic()
def _web_user(oa_openid: str, unionid: str | None, nickname: str) -> User:
    """The user of a web authorization, created on first sign-in (its own unit).

    :raises UserInfoRequired: a first sign-in without a unionid.
    """
    user = None
    if unionid:
        user = db.session.scalar(select(User).where(User.unionid == unionid))
    if user is None:
        user = db.session.scalar(select(User).where(User.oa_openid == oa_openid))
    if user is None:
        if not unionid:
            raise UserInfoRequired()
        user = User(unionid=unionid, nickname=nickname)
        db.session.add(user)
    user.oa_openid = oa_openid
    user.unionid = user.unionid or unionid
    user.last_login_at = utcnow()
    return user


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _password_hasher.hash(password)


@atomic()
def login_with_password(username: str, password: str) -> User:
    """Check a staff login. :raises InvalidCredentials: for unknown user or wrong password
    alike (same message, same work)."""
    user = db.session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _password_hasher.verify(stored, password)
    except (VerificationError, InvalidHashError) as exc:
        raise InvalidCredentials() from exc
    if user is None or not user.password_hash or not user.is_active:
        raise InvalidCredentials()
    if _password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def register_volunteer(
    user: User,
    *,
    real_name: str,
    phone: str,
    unit_id: int,
    id_number: str | None = None,
    birth_date=None,
    skills: list[str] | None = None,
    session_id: str | None = None,
) -> VolunteerProfile:
    """Register ``user`` as a volunteer, or update their registration.

    Inputs are already normalised by the schema. Phone and ID number are stored encrypted
    with keyed hashes beside them. A changed phone number signs out every other session of
    the user (``session_id`` is the one making the change, which stays signed in).

    An ID number another account already holds is not refused: a refusal would tell anyone
    whether a number is registered. The answer is the same as for a free number, but the
    number is only kept as a claim (``id_number_claim_encrypted``: no hash, unused by
    lookups, certificates and exports) and an audit entry ``volunteer.id_number_conflict``
    asks staff to settle who owns it.

    :raises UnknownUnit: when ``unit_id`` names no unit.
    :raises ValidationFailed: when the birth date contradicts the ID number.
    """
    fields = {
        "real_name": real_name,
        "phone": phone,
        "unit_id": unit_id,
        "id_number": id_number,
        "birth_date": birth_date,
        "skills": skills,
        "session_id": session_id,
    }
    try:
        return _register(user, **fields)
    except IntegrityError:
        # The unique index on id_number_hash decided a race between two registrations: the
        # other one holds the number now. Our unit rolled back whole (it is the outermost
        # one: the view's or a seed's), and a new unit answers this one as a claim.
        if not id_number:
            raise
        return _register(user, **fields)


@atomic()
def _register(
    user: User,
    *,
    real_name: str,
    phone: str,
    unit_id: int,
    id_number: str | None,
    birth_date,
    skills: list[str] | None,
    session_id: str | None,
) -> VolunteerProfile:
    """One attempt of :func:`register_volunteer`, its own unit of work."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise UnknownUnit(errors={"unit_id": ["所选单位不存在"]})
    holder = None
    if id_number:
        id_birth_date = birth_date_from_id(id_number)
        if birth_date is not None and birth_date != id_birth_date:
            raise ValidationFailed(errors={"birth_date": ["出生日期与身份证号码不一致"]})
        birth_date = id_birth_date
        holder = db.session.scalar(
            select(VolunteerProfile.user_id).where(
                VolunteerProfile.id_number_hash == lookup_hash(id_number)
            )
        )
    conflict = holder is not None and holder != user.id

    profile = user.volunteer
    is_new = profile is None
    if is_new:
        profile = VolunteerProfile(user=user)
        db.session.add(profile)
    elif profile.phone_hash != lookup_hash(phone):
        end_other_sessions(user, session_id)
    profile.real_name = real_name
    profile.phone_encrypted = encrypt(phone)
    profile.phone_hash = lookup_hash(phone)
    bound = None if conflict else id_number
    profile.id_number_encrypted = encrypt(bound) if bound else None
    profile.id_number_hash = lookup_hash(bound) if bound else None
    profile.id_number_claim_encrypted = encrypt(id_number) if conflict else None
    profile.birth_date = birth_date
    profile.unit = unit
    profile.skills = skills or []
    audit(
        user,
        "volunteer.register" if is_new else "volunteer.update",
        "user",
        user.id,
        details={"role": roles.VOLUNTEER, "unit": unit.code},
    )
    if conflict:
        audit(
            user,
            "volunteer.id_number_conflict",
            "user",
            user.id,
            details={"holder_user_id": holder},
            reason="身份证号码已被其他账号登记，待工作人员核实",
        )
    return profile


def grant_role(
    actor: User | None, user: User, role: str, unit: Unit | None, reason: str = ""
) -> RoleGrant:
    """Give ``user`` a role on ``unit`` (audit-logged); an existing identical grant is kept.
    Part of the caller's unit of work."""
    if role not in roles.ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    for grant in user.grants:
        if grant.role == role and grant.unit_id == (unit.id if unit else None):
            return grant
    grant = RoleGrant(role=role, unit=unit)
    if user.id is not None:
        revoke_all_tokens(user)  # a change of roles: sign in again
    user.grants.append(grant)
    audit(
        actor,
        "role.grant",
        "user",
        user.id if user.id else "new",
        details={"role": role, "unit": unit.code if unit else None},
        reason=reason,
    )
    return grant


def revoke_role(
    actor: User | None, user: User, role: str, unit: Unit | None, reason: str = ""
) -> bool:
    """Take a role on ``unit`` from ``user`` (audit-logged) and end all their sessions.

    Returns whether the user held it. Part of the caller's unit of work.
    """
    unit_id = unit.id if unit else None
    for grant in list(user.grants):
        if grant.role == role and grant.unit_id == unit_id:
            user.grants.remove(grant)
            revoke_all_tokens(user)
            audit(
                actor,
                "role.revoke",
                "user",
                user.id,
                details={"role": role, "unit": unit.code if unit else None},
                reason=reason,
            )
            return True
    return False


def set_password(user: User, password: str) -> None:
    """Set (or reset) ``user``'s password; every earlier sign-in ends. Part of the caller's
    unit of work."""
    if user.id is not None and user.password_hash:
        revoke_all_tokens(user)
    user.password_hash = hash_password(password)


@atomic()
def create_staff_user(
    username: str, password: str, role: str, unit_code: str | None, actor: User | None = None
) -> User:
    """Create (or update the password and add a role of) a staff account.

    :raises NotFound: when ``unit_code`` names no unit.
    """
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFound(f"单位 {unit_code} 不存在")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, nickname=username)
        db.session.add(user)
    set_password(user, password)
    db.session.flush()
    grant_role(actor, user, role, unit, reason="flask users create")
    return user
