"""Sign-ups: who may sign up, the waitlist, cancellation. Invariants 1–3 of DESIGN §4.

Capacity and uniqueness hold in the database: every change of counts first takes the
activity's row lock (:func:`api.activities.lookup.lock_activity`), and a partial unique
index refuses a second active sign-up of one user.
"""

from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, selectinload

from api.accounts.models import User
from api.activities.lookup import get_activity, get_managed_activity, lock_activity
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.errors import Conflict, Forbidden, NotFound
from api.extensions import db
from api.families.models import FamilyMember
from api.notifications import services as notifications
from api.personal_data import lookup_hash
from api.signups.models import ACTIVE_STATUSES, Signup, SignupStatus
from api.signups.no_shows import no_show_counts
from api.timeutil import to_local, utcnow

# County practice: under 14 only with a guardian's consent, under 10 only with a guardian there.
MINIMUM_AGE_WITHOUT_GUARDIAN = 14
MINIMUM_AGE_WITHOUT_COMPANION = 10


class SignupClosed(Conflict):
    error, message = "signup_closed", "该活动不在报名时间内"


class ActivityCancelled(Conflict):
    error, message = "activity_cancelled", "该活动已取消"


class TimeConflict(Conflict):
    error, message = "time_conflict", "您在该时段已报名其他活动"


class VolunteersOnly(Forbidden):
    error, message = "volunteers_only", "该活动仅限注册志愿者报名"


class GuardianConsentRequired(Forbidden):
    error, message = "guardian_consent_required", "未满 14 周岁需监护人同意后才能报名"


class BelowMinimumAge(Forbidden):
    error, message = "below_minimum_age", "未达到该活动的最低年龄要求"


class GuardianRequired(Forbidden):
    error, message = "guardian_required", "需监护人陪同参加，请由监护人为孩子报名并一同参加"


class CancelClosed(Conflict):
    error, message = "cancel_closed", "已过取消报名截止时间"


class AlreadyAttended(Conflict):
    error, message = "already_attended", "您已签到，不能取消报名"


class SignupNotFound(NotFound):
    error, message = "signup_not_found", "您没有报名该活动"


def active_signup(user_id: int, activity_id: int) -> Signup | None:
    """The user's active sign-up for the activity, if any."""
    return db.session.scalar(
        select(Signup).where(Signup.user_id == user_id, Signup.activity_id == activity_id,
                             Signup.status.in_(ACTIVE_STATUSES))
    )


def active_user_ids(activity_id: int) -> list[int]:
    """Users holding an active sign-up (confirmed, waitlisted or attended)."""
    return list(db.session.scalars(
        select(Signup.user_id).where(Signup.activity_id == activity_id,
                                     Signup.status.in_(ACTIVE_STATUSES))
    ))


def waitlist_position(signup: Signup) -> int | None:
    """1-based place in the FIFO queue, or None when not waitlisted (read from
    ``signup.position`` when a list query filled it in)."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    if signup.position is not None:
        return signup.position
    return db.session.scalar(
        select(func.count()).where(Signup.activity_id == signup.activity_id,
                                   Signup.status == SignupStatus.WAITLISTED, Signup.id <= signup.id)
    )


def _age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def family_member_of(user_id: int) -> FamilyMember | None:
    """The family membership of a child (None for anyone who is nobody's child here)."""
    return db.session.scalar(select(FamilyMember).where(FamilyMember.child_id == user_id))


def _age_at(birth_date: date, activity: Activity) -> int:
    return _age_on(birth_date, to_local(activity.starts_at).date())


def _check_age(user: User, activity: Activity, member: FamilyMember | None) -> None:
    """Activity-level minimum age; under 14 only with a guardian's consent (for a family
    member the guardian's recorded consent, not withdrawn)."""
    profile = user.volunteer
    birth_date = member.birth_date if member else (profile.birth_date if profile else None)
    if birth_date is None:
        return
    age = _age_at(birth_date, activity)
    if activity.min_age and age < activity.min_age:
        raise BelowMinimumAge(f"该活动仅限 {activity.min_age} 周岁及以上参加")
    if age < MINIMUM_AGE_WITHOUT_GUARDIAN:
        consented = member.consented if member else (profile is not None
                                                     and profile.guardian_consent)
        if not consented:
            raise GuardianConsentRequired()


def guardian_must_come(member: FamilyMember | None, activity: Activity) -> bool:
    """A child goes with its guardian under 10, or wherever the activity asks for one."""
    if member is None:
        return False
    return activity.guardian_required or \
        _age_at(member.birth_date, activity) < MINIMUM_AGE_WITHOUT_COMPANION


def _check_eligibility(user: User, activity: Activity, now: datetime,
                       member: FamilyMember | None = None) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityCancelled()
    if activity.status != ActivityStatus.PUBLISHED:
        raise SignupClosed()
    if activity.signup_opens_at and now < activity.signup_opens_at:
        raise SignupClosed("报名尚未开始")
    if now >= (activity.signup_closes_at or activity.starts_at):
        raise SignupClosed()
    if activity.audience == "volunteers" and user.volunteer is None:
        raise VolunteersOnly()
    _check_age(user, activity, member)


def _check_time_conflict(user: User, activity: Activity) -> None:
    overlapping = db.session.scalar(
        select(Signup.id).join(Signup.activity).where(
            Signup.user_id == user.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.ATTENDED)),
            Signup.activity_id != activity.id,
            Activity.status != ActivityStatus.CANCELLED,
            Activity.starts_at < activity.ends_at,
            Activity.ends_at > activity.starts_at,
        ).limit(1)
    )
    if overlapping is not None:
        raise TimeConflict()


def sign_up(user: User, activity_id: int, *, assisted_by: User | None = None,
            guardian: User | None = None) -> Signup:
    """Sign ``user`` up: confirmed while places remain, then waitlisted (FIFO).

    A retry returns the sign-up the user already holds. A child (a family member) is signed
    up by its ``guardian``; where the guardian must come too, the guardian is signed up in
    the same transaction, and both are confirmed or both waitlisted.

    :raises ActivityNotFound, ActivityCancelled, SignupClosed, VolunteersOnly,
        GuardianConsentRequired, BelowMinimumAge, GuardianRequired, TimeConflict:
    """
    activity = get_activity(activity_id, user)
    existing = active_signup(user.id, activity_id)
    if existing is not None:
        return existing
    now = utcnow()
    member = family_member_of(user.id)
    party = _party(user, activity, member, guardian)
    for person in party:
        _check_eligibility(person, activity, now, member if person is user else None)
        _check_time_conflict(person, activity)

    activity = lock_activity(activity_id)
    for person in party:  # it may have changed before we held the lock
        _check_eligibility(person, activity, now, member if person is user else None)
    existing = active_signup(user.id, activity_id)
    if existing is not None:
        db.session.commit()
        return existing
    newcomers = [person for person in party
                 if person is user or active_signup(person.id, activity_id) is None]
    confirmed = activity.capacity is None \
        or activity.confirmed_count + len(newcomers) <= activity.capacity
    signups = [_add_signup(person, activity, now, confirmed, assisted_by) for person in newcomers]
    if assisted_by is not None:
        audit(assisted_by, "signup.assisted", "activity", activity.id,
              details={"user_id": user.id})
    if guardian is not None:
        audit(guardian, "signup.by_guardian", "activity", activity.id,
              details={"user_id": user.id, "with_guardian": len(newcomers) > 1})
    try:
        db.session.commit()
    except IntegrityError:
        # Another request of the same user won the race for the unique index.
        db.session.rollback()
        existing = active_signup(user.id, activity_id)
        if existing is None:
            raise
        return existing
    return signups[0]


def _party(user: User, activity: Activity, member: FamilyMember | None,
           guardian: User | None) -> list[User]:
    """Who signs up: the user, and the guardian where a child must not go alone.

    :raises GuardianRequired: for a child signed up without (or by someone not) its guardian.
    """
    if member is None:
        return [user]
    if guardian is None or guardian.id != member.guardian_id:
        raise GuardianRequired()
    return [user, guardian] if guardian_must_come(member, activity) else [user]


def _add_signup(user: User, activity: Activity, now: datetime, confirmed: bool,
                assisted_by: User | None) -> Signup:
    """A new sign-up; the caller holds the activity's lock and commits."""
    signup = Signup(activity_id=activity.id, user_id=user.id,
                    assisted_by_id=assisted_by.id if assisted_by else None)
    if confirmed:
        signup.status, signup.confirmed_at = SignupStatus.CONFIRMED, now
        activity.confirmed_count += 1
        notifications.notify([user.id], notifications.SIGNUP_CONFIRMED,
                             f"报名成功：{activity.title}", payload={"activity_id": activity.id})
    else:
        signup.status = SignupStatus.WAITLISTED
        activity.waitlist_count += 1
    db.session.add(signup)
    return signup


def promote_waitlist(activity: Activity) -> list[Signup]:
    """Fill free places from the head of the queue. The caller holds the activity's lock
    (:func:`lock_activity`) and commits."""
    promoted = []
    while activity.capacity is None or activity.confirmed_count < activity.capacity:
        head = db.session.scalar(
            select(Signup).where(Signup.activity_id == activity.id,
                                 Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.id).limit(1)
        )
        if head is None:
            break
        head.status, head.confirmed_at = SignupStatus.CONFIRMED, utcnow()
        activity.confirmed_count += 1
        activity.waitlist_count -= 1
        notifications.notify([head.user_id], notifications.WAITLIST_PROMOTED,
                             f"候补成功：{activity.title}", "有名额空出，您已转为正式报名",
                             {"activity_id": activity.id})
        promoted.append(head)
        db.session.flush()
    return promoted


def cancel_signup(user: User, activity_id: int) -> None:
    """Cancel the user's sign-up; the head of the waitlist takes a freed place at once.

    :raises SignupNotFound, CancelClosed, AlreadyAttended:
    """
    activity = get_activity(activity_id, user)
    if active_signup(user.id, activity_id) is None:
        raise SignupNotFound()
    if activity.status == ActivityStatus.PUBLISHED and utcnow() >= (activity.cancel_deadline
                                                      or activity.starts_at):
        raise CancelClosed()
    activity = lock_activity(activity_id)
    signup = active_signup(user.id, activity_id)
    if signup is None:  # cancelled by a concurrent request meanwhile
        db.session.commit()
        return
    if signup.status == SignupStatus.ATTENDED:
        raise AlreadyAttended()
    if signup.status == SignupStatus.CONFIRMED:
        activity.confirmed_count -= 1
    else:
        activity.waitlist_count -= 1
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, utcnow()
    db.session.flush()
    promote_waitlist(activity)
    db.session.commit()


def my_signups_query(user: User) -> Select:
    """The user's sign-ups, upcoming activities first, then the most recent, with their
    activities loaded by the same query."""
    return (
        select(Signup).join(Signup.activity).options(contains_eager(Signup.activity))
        .where(Signup.user_id == user.id)
        .options(selectinload(Signup.attendance))
        .order_by(Activity.starts_at.desc(), Signup.id.desc())
    )


def fill_waitlist_positions(signups: list[Signup]) -> None:
    """Set ``position`` on the waitlisted ones among ``signups`` with one query."""
    waiting = {signup.id: signup for signup in signups if signup.status == SignupStatus.WAITLISTED}
    if not waiting:
        return
    ahead = aliased(Signup)
    place = (select(func.count()).where(ahead.activity_id == Signup.activity_id,
                                        ahead.status == SignupStatus.WAITLISTED,
                                        ahead.id <= Signup.id)
             .scalar_subquery())
    for signup_id, position in db.session.execute(
            select(Signup.id, place).where(Signup.id.in_(waiting))):
        waiting[signup_id].position = position


def assisted_sign_up(actor: User, activity_id: int, real_name: str, phone: str) -> Signup:
    """Sign up a resident without a smartphone (代报名), recorded with the staff member.

    The resident gets an account without WeChat, found again by their phone's keyed hash.

    :raises Forbidden: unless the actor organises the activity.
    """
    get_managed_activity(actor, activity_id)
    phone_hash = lookup_hash(phone)
    resident = db.session.scalar(select(User).where(User.offline_phone_hash == phone_hash))
    if resident is None:
        resident = User(nickname=real_name, offline_phone_hash=phone_hash)
        db.session.add(resident)
        db.session.flush()
    return sign_up(resident, activity_id, assisted_by=actor)


def roster(actor: User, activity_id: int) -> tuple[Activity, list[Signup]]:
    """The sign-ups of an activity with attendance, for its organizers.

    :raises Forbidden: unless the actor organises the activity.
    """
    activity = get_managed_activity(actor, activity_id)
    signups = list(db.session.scalars(
        select(Signup).where(Signup.activity_id == activity_id).order_by(Signup.id)
    ))
    position = 0
    no_shows = no_show_counts(signup.user_id for signup in signups)
    for signup in signups:
        signup.no_show_count = no_shows.get(signup.user_id, 0)
        if signup.status == SignupStatus.WAITLISTED:
            position += 1
            signup.position = position
    return activity, signups

