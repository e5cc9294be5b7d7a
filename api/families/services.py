"""Family members: add a child with consent, withdraw or renew consent, act for the child.

Every function takes the guardian and a member id and finds the member among the guardian's
own: anyone else's member is "not found", so nothing tells whether it exists.
"""

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.accounts.identity import birth_date_from_id
from api.accounts.models import User
from api.activities.lookup import get_activity, lock_activity
from api.activities.models import Activity
from api.audit.services import record as audit
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.extensions import db
from api.families.consent import CONSENT_VERSION
from api.families.models import FamilyMember
from api.hours import certificates, totals
from api.hours.models import RecordStatus, ServiceRecord
from api.personal_data import decrypt, encrypt, lookup_hash, mask_name
from api.signups.models import Signup, SignupStatus
from api.signups.services import active_signup, cancel_signup, promote_waitlist, sign_up
from api.signups.services import my_signups_query as signups_of
from api.timeutil import local_today, utcnow
from api.transactions import atomic

ADULT_AGE = 18
HIDDEN_NAME = "未成年人"


class FamilyMemberNotFound(NotFound):
    error, message = "family_member_not_found", "没有找到该家庭成员"


class ConsentWithdrawn(Forbidden):
    error, message = "consent_withdrawn", "监护人已撤回同意，该家庭成员的信息不再显示"


class ConsentVersionOutdated(Conflict):
    error, message = "consent_version_outdated", "同意书已更新，请阅读最新版本后再确认"


class DuplicateChild(Conflict):
    error, message = "duplicate_family_member", "该身份证号码已被登记为家庭成员"


class NoHoursYet(Conflict):
    error, message = "no_approved_hours", "该家庭成员还没有审核通过的服务时长，暂不能开具证明"


def _age(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _check_consent_version(version: str) -> None:
    if version != CONSENT_VERSION:
        raise ConsentVersionOutdated()


@atomic()
def add_member(
    guardian: User,
    *,
    real_name: str,
    birth_date: date,
    relation: str,
    consent_version: str,
    id_number: str | None = None,
) -> FamilyMember:
    """Add a child under 18 with the guardian's consent to ``consent_version`` (the current
    text). The child gets a user of its own without a sign-in.

    :raises ConsentVersionOutdated, ValidationFailed, DuplicateChild:
    """
    _check_consent_version(consent_version)
    today = local_today()
    if birth_date > today or _age(birth_date, today) >= ADULT_AGE:
        raise ValidationFailed(errors={"birth_date": ["家庭成员须未满 18 周岁"]})
    if id_number and birth_date_from_id(id_number) != birth_date:
        raise ValidationFailed(errors={"id_number": ["身份证号码中的出生日期与填写的不一致"]})
    id_hash = lookup_hash(id_number) if id_number else None
    if id_hash and db.session.scalar(
        select(FamilyMember.id).where(FamilyMember.id_number_hash == id_hash)
    ):
        raise DuplicateChild()
    now = utcnow()
    child = User(nickname=mask_name(real_name))
    db.session.add(child)
    db.session.flush()
    member = FamilyMember(
        guardian_id=guardian.id,
        child_id=child.id,
        real_name=real_name,
        birth_date=birth_date,
        relation=relation,
        id_number_encrypted=encrypt(id_number) if id_number else None,
        id_number_hash=id_hash,
        consent_version=consent_version,
        consent_given_at=now,
    )
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same ID number added at the same moment
        raise DuplicateChild() from exc  # still an exception: the unit rolls back
    audit(
        guardian,
        "family.consent_given",
        "family_member",
        member.id,
        details={"consent_version": consent_version, "child_user_id": child.id},
    )
    return member


def members_query(guardian: User) -> Select:
    """The guardian's family members, in the order they were added."""
    return (
        select(FamilyMember)
        .where(FamilyMember.guardian_id == guardian.id)
        .order_by(FamilyMember.id)
    )


def get_member(guardian: User, member_id: int, *, consented: bool = True) -> FamilyMember:
    """One of the guardian's members. :raises FamilyMemberNotFound: for anyone else's.
    :raises ConsentWithdrawn: when ``consented`` is asked and consent was withdrawn."""
    member = db.session.get(FamilyMember, member_id)
    if member is None or member.guardian_id != guardian.id:
        raise FamilyMemberNotFound()
    if consented and not member.consented:
        raise ConsentWithdrawn()
    return member


def is_hidden_child(user_id: int) -> bool:
    """Whether ``user_id`` is a child whose guardian withdrew consent: shown to nobody."""
    return (
        db.session.scalar(
            select(FamilyMember.id).where(
                FamilyMember.child_id == user_id, FamilyMember.consent_withdrawn_at.is_not(None)
            )
        )
        is not None
    )


@atomic()
def withdraw_consent(guardian: User, member_id: int) -> FamilyMember:
    """Withdraw consent: the child's sign-ups for activities not yet started are cancelled
    (their places go to the waitlist), and its data is no longer shown. Idempotent."""
    member = get_member(guardian, member_id, consented=False)
    if not member.consented:
        return member
    now = utcnow()
    upcoming = list(
        db.session.scalars(
            select(Signup.activity_id)
            .join(Signup.activity)
            .where(
                Signup.user_id == member.child_id,
                Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
                Activity.starts_at > now,
            )
            .order_by(Signup.activity_id)
        )
    )
    # One transaction; activities locked in id order, as every multi-activity change does.
    for activity_id in upcoming:
        activity = lock_activity(activity_id)
        signup = db.session.scalar(
            select(Signup).where(
                Signup.user_id == member.child_id,
                Signup.activity_id == activity_id,
                Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
            )
        )
        if signup is None:
            continue
        if signup.status == SignupStatus.CONFIRMED:
            activity.confirmed_count -= 1
        else:
            activity.waitlist_count -= 1
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
        db.session.flush()
        promote_waitlist(activity)
    member.consent_withdrawn_at = now
    member.child.nickname = HIDDEN_NAME
    audit(
        guardian,
        "family.consent_withdrawn",
        "family_member",
        member.id,
        details={"cancelled_activity_ids": upcoming},
    )
    return member


@atomic()
def renew_consent(guardian: User, member_id: int, consent_version: str) -> FamilyMember:
    """Give consent again (to the current text) after a withdrawal.

    :raises ConsentVersionOutdated:"""
    _check_consent_version(consent_version)
    member = get_member(guardian, member_id, consented=False)
    member.consent_version, member.consent_given_at = consent_version, utcnow()
    member.consent_withdrawn_at = None
    member.child.nickname = mask_name(member.real_name)
    audit(
        guardian,
        "family.consent_given",
        "family_member",
        member.id,
        details={"consent_version": consent_version, "child_user_id": member.child_id},
    )
    return member


def sign_up_member(guardian: User, member_id: int, activity_id: int) -> Signup:
    """Sign the child up (and the guardian with it where the guardian must come)."""
    member = get_member(guardian, member_id)
    get_activity(activity_id, guardian)
    return sign_up(member.child, activity_id, guardian=guardian)


def guardian_signup(guardian: User, activity_id: int) -> Signup | None:
    """The guardian's own active sign-up for the activity, if any (shown with the child's)."""
    return active_signup(guardian.id, activity_id)


def cancel_member_signup(guardian: User, member_id: int, activity_id: int) -> None:
    """Cancel the child's sign-up (the guardian's own stays until cancelled on its own)."""
    member = get_member(guardian, member_id)
    cancel_signup(member.child, activity_id)


def member_signups_query(guardian: User, member_id: int) -> Select:
    """The child's sign-ups, latest activities first."""
    return signups_of(get_member(guardian, member_id).child)


def member_hours(guardian: User, member_id: int, page: int, per_page: int, status=None):
    """The child's hours, as a volunteer sees their own."""
    return totals.my_hours(get_member(guardian, member_id).child, page, per_page, status)


def member_certificates_query(guardian: User, member_id: int):
    """The child's certificates, latest first."""
    return certificates.my_certificates_query(get_member(guardian, member_id).child)


def member_certificate(guardian: User, member_id: int, code: str):
    """One of the child's certificates. :raises CertificateNotFound: for anyone else's."""
    child_id = get_member(guardian, member_id).child_id
    certificate = certificates.get_certificate(code)
    if certificate.user_id != child_id:
        raise certificates.CertificateNotFound()
    return certificate


def issue_member_certificate(guardian: User, member_id: int):
    """A certificate of the child's approved hours, issued by the unit that recorded the
    latest of them. :raises NoHoursYet:"""
    member = get_member(guardian, member_id)
    latest = db.session.scalar(
        select(ServiceRecord)
        .where(
            ServiceRecord.user_id == member.child_id, ServiceRecord.status == RecordStatus.APPROVED
        )
        .order_by(ServiceRecord.id.desc())
        .limit(1)
    )
    if latest is None:
        raise NoHoursYet()
    id_number = decrypt(member.id_number_encrypted) if member.id_number_encrypted else None
    holder = certificates.Holder(member.real_name, id_number, latest.unit)
    return certificates.issue_certificate(member.child, holder=holder, actor=guardian)
