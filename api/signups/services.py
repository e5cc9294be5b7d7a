"""Sign-ups: who may sign up, the waitlist, cancellation. Invariants 1–3 of DESIGN §4.

Capacity and uniqueness hold in the database: every change of counts first takes the
activity's row lock (:func:`api.activities.lookup.lock_activity`), and a partial unique
index refuses a second active sign-up of one user.
"""

import functools
from datetime import date, datetime

from sqlalchemy import (
    Insert,
    Row,
    Select,
    Update,
    bindparam,
    exists,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import aliased, contains_eager, make_transient_to_detached, selectinload

from api.accounts.models import User
from api.accounts.services import VolunteersOnly
from api.activities.lookup import (
    get_activity,
    get_managed_activity,
    lock_activity,
    lock_activity_row,
    locking_update_returning_row,
)
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.errors import Conflict, Forbidden, NotFound
from api.extensions import db
from api.families.models import FamilyMember
from api.notifications import services as notifications
from api.personal_data import lookup_hash
from api.signups.models import ACTIVE_SIGNUP, ACTIVE_STATUSES, Signup, SignupStatus
from api.signups.no_shows import no_show_counts
from api.sql_upsert import dialect_insert
from api.timeutil import to_local, utcnow
from api.transactions import atomic

# County practice: under 14 only with a guardian's consent, under 10 only with a guardian there.
MINIMUM_AGE_WITHOUT_GUARDIAN = 14
MINIMUM_AGE_WITHOUT_COMPANION = 10


class SignupClosed(Conflict):
    error, message = "signup_closed", "该活动不在报名时间内"


class ActivityCancelled(Conflict):
    error, message = "activity_cancelled", "该活动已取消"


class TimeConflict(Conflict):
    error, message = "time_conflict", "您在该时段已报名其他活动"


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
        select(Signup).where(
            Signup.user_id == user_id,
            Signup.activity_id == activity_id,
            Signup.status.in_(ACTIVE_STATUSES),
        )
    )


def active_user_ids(activity_id: int) -> list[int]:
    """Users holding an active sign-up (confirmed, waitlisted or attended)."""
    return list(
        db.session.scalars(
            select(Signup.user_id).where(
                Signup.activity_id == activity_id, Signup.status.in_(ACTIVE_STATUSES)
            )
        )
    )


def waitlist_position(signup: Signup) -> int | None:
    """1-based place in the FIFO queue, or None when not waitlisted (read from
    ``signup.position`` when a list query filled it in)."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    if signup.position is not None:
        return signup.position
    return db.session.scalar(
        select(func.count()).where(
            Signup.activity_id == signup.activity_id,
            Signup.status == SignupStatus.WAITLISTED,
            Signup.id <= signup.id,
        )
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
        consented = (
            member.consented if member else (profile is not None and profile.guardian_consent)
        )
        if not consented:
            raise GuardianConsentRequired()


def guardian_must_come(member: FamilyMember | None, activity: Activity) -> bool:
    """A child goes with its guardian under 10, or wherever the activity asks for one."""
    if member is None:
        return False
    return (
        activity.guardian_required
        or _age_at(member.birth_date, activity) < MINIMUM_AGE_WITHOUT_COMPANION
    )


def _check_eligibility(
    user: User, activity: Activity | Row, now: datetime, member: FamilyMember | None = None
) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityCancelled()
    if activity.status != ActivityStatus.PUBLISHED:
        raise SignupClosed()
    if activity.signup_opens_at and now < activity.signup_opens_at:
        raise SignupClosed("报名尚未开始")
    if now >= (activity.signup_closes_at or activity.starts_at):
        raise SignupClosed()
    if activity.audience == "volunteers" and user.volunteer is None:
        raise VolunteersOnly("该活动仅限注册志愿者报名")
    _check_age(user, activity, member)


def _facts_of_user(this) -> tuple:
    """What a sign-up must know about the user (parameter ``user_id``) besides the activity
    ``this`` (the columns of the activity's row): ``held_id``, the active sign-up the user
    already holds there; ``is_child``, whether the user is someone's family member; and
    ``overlaps``, whether a confirmed sign-up of theirs overlaps it in time."""
    signups, others = Signup.__table__.c, Activity.__table__.alias("other_activity").c
    user_id = bindparam("user_id")
    held = (
        select(signups.id)
        .where(
            signups.activity_id == this.id,
            signups.user_id == user_id,
            signups.status.in_(ACTIVE_STATUSES),
        )
        .scalar_subquery()
    )
    is_child = exists().where(FamilyMember.__table__.c.child_id == user_id)
    overlaps = exists().where(
        signups.user_id == user_id,
        signups.status.in_((SignupStatus.CONFIRMED, SignupStatus.ATTENDED)),
        signups.activity_id != this.id,
        others.id == signups.activity_id,
        others.status != ActivityStatus.CANCELLED,
        others.starts_at < this.ends_at,
        others.ends_at > this.starts_at,
    )
    return held.label("held_id"), is_child.label("is_child"), overlaps.label("overlaps")


@functools.cache
def _lock_with_facts_statement() -> Update:
    # Built once, with parameters: the statement and its cache key cost more than running it.
    return locking_update_returning_row().returning(*_facts_of_user(Activity.__table__.c))


@functools.cache
def _signup_facts_statement() -> Select:
    this = Activity.__table__.alias("this_activity").c
    return select(*_facts_of_user(this)).where(this.id == bindparam("activity_id"))


def _signup_facts(user_id: int, activity_id: int) -> Row:
    """The facts of :func:`_facts_of_user` about ``user_id``, read on their own."""
    return db.session.execute(
        _signup_facts_statement(), {"user_id": user_id, "activity_id": activity_id}
    ).one()


def _lock_with_facts(activity_id: int, user_id: int) -> tuple[Row, Row]:
    """Take the activity's lock; return its row and the facts about the user.

    PostgreSQL: one statement, the lock returning both (each round trip made while the lock
    is held lengthens it). SQLite: the lock, then the facts (no round trip to save there,
    and SQLAlchemy writes RETURNING's columns without their table, which a subquery there
    cannot tell apart from its own).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        row = lock_activity_row(activity_id, _lock_with_facts_statement(), user_id=user_id)
        return row, row
    return lock_activity_row(activity_id), _signup_facts(user_id, activity_id)


def sign_up(
    user: User, activity_id: int, *, assisted_by: User | None = None, guardian: User | None = None
) -> Signup:
    """Sign ``user`` up: confirmed while places remain, then waitlisted (FIFO).

    A retry returns the sign-up the user already holds. A child (a family member) is signed
    up by its ``guardian``; where the guardian must come too, the guardian is signed up in
    the same transaction, and both are confirmed or both waitlisted.

    The lean path of the sign-up rush, built around the activity's lock (which serialises
    every sign-up of a rush, so as few round trips as possible happen while it is held):
    the lock is the first statement and returns the activity's row with its counters and
    what the rules read about the user; Core statements write the sign-up and the counters,
    and the commit ends the lock.
    The new sign-up joins the session as it was written (no read after the commit), with
    its ``position`` in the queue when waitlisted.

    :raises ActivityNotFound, ActivityCancelled, SignupClosed, VolunteersOnly,
        GuardianConsentRequired, BelowMinimumAge, GuardianRequired, TimeConflict:
    """
    signup = _sign_up(user, activity_id, assisted_by, guardian)
    if inspect(signup).transient:  # written by Core: known to the session without a read
        make_transient_to_detached(signup)
        db.session.add(signup)
    return signup


@atomic()
def _sign_up(
    user: User, activity_id: int, assisted_by: User | None, guardian: User | None
) -> Signup:
    # Every change of an activity's sign-ups holds its lock, the insert of one too. The lock
    # returns what the rules read about the user too: one round trip, the fewer the shorter
    # the lock that serialises a rush. On PostgreSQL those facts are of the moment the
    # statement began (before it waited for the lock): a concurrent retry of the same user
    # that got in meanwhile is caught by the insert below (the partial unique index), which
    # then answers the sign-up made first. The user's other sign-ups hold other locks anyway.
    activity, facts = _lock_with_facts(activity_id, user.id)
    if activity.status == ActivityStatus.DRAFT:
        get_activity(activity_id, user)  # only its organizers may see it at all
    if facts.held_id is not None:
        return db.session.get(Signup, facts.held_id)
    now = utcnow()
    member = family_member_of(user.id) if facts.is_child else None
    party = _party(user, activity, member, guardian)
    # Whoever comes along (a guardian) is read under the lock, as the counts are.
    party_facts = [facts] + [_signup_facts(person.id, activity_id) for person in party[1:]]
    for person in party:
        _check_eligibility(person, activity, now, member if person is user else None)
    if any(person_facts.overlaps for person_facts in party_facts):
        raise TimeConflict()
    newcomers = [
        person
        for person, person_facts in zip(party, party_facts, strict=True)
        if person_facts.held_id is None
    ]
    confirmed = (
        activity.capacity is None or activity.confirmed_count + len(newcomers) <= activity.capacity
    )
    signups = []
    for person in newcomers:
        adult = member is None or person is not user  # the lock said who is a child
        signup = _add_signup(person, activity, now, confirmed, assisted_by, adult)
        if signup is None:  # only the user's own can be there: see the lock above
            return active_signup(user.id, activity_id)
        signups.append(signup)
    _count_newcomers(activity, len(newcomers), confirmed)
    if not confirmed:  # FIFO by id, and every id of this activity is given under its lock
        for place, signup in enumerate(signups, start=activity.waitlist_count + 1):
            signup.position = place
    if assisted_by is not None:
        audit(assisted_by, "signup.assisted", "activity", activity.id, details={"user_id": user.id})
    if guardian is not None:
        audit(
            guardian,
            "signup.by_guardian",
            "activity",
            activity.id,
            details={"user_id": user.id, "with_guardian": len(newcomers) > 1},
        )
    return signups[0]


def _party(
    user: User, activity: Activity | Row, member: FamilyMember | None, guardian: User | None
) -> list[User]:
    """Who signs up: the user, and the guardian where a child must not go alone.

    :raises GuardianRequired: for a child signed up without (or by someone not) its guardian.
    """
    if member is None:
        return [user]
    if guardian is None or guardian.id != member.guardian_id:
        raise GuardianRequired()
    return [user, guardian] if guardian_must_come(member, activity) else [user]


@functools.cache
def _signup_insert(dialect_name: str) -> Insert:
    # Built once per dialect: the statement and its cache key cost more than running it.
    table = Signup.__table__
    return (
        dialect_insert(table, dialect_name)
        .on_conflict_do_nothing(
            index_elements=[table.c.activity_id, table.c.user_id], index_where=ACTIVE_SIGNUP
        )
        .returning(table.c.id)
    )


def _add_signup(
    user: User,
    activity: Row,
    now: datetime,
    confirmed: bool,
    assisted_by: User | None,
    adult: bool,
) -> Signup | None:
    """Insert a sign-up (one Core statement) and return it detached; the caller holds the
    activity's lock and counts it. A confirmed place is announced through the outbox (to a
    child's guardian, unless ``adult``).

    None, and nothing written, when the user already holds an active sign-up here (the
    partial unique index)."""
    values = {
        "activity_id": activity.id,
        "user_id": user.id,
        "assisted_by_id": assisted_by.id if assisted_by else None,
        "status": SignupStatus.CONFIRMED if confirmed else SignupStatus.WAITLISTED,
        "created_at": now,
        "confirmed_at": now if confirmed else None,
        "cancelled_at": None,
    }
    signup_id = db.session.execute(
        _signup_insert(db.session.get_bind().dialect.name), values
    ).scalar_one_or_none()
    if signup_id is None:
        return None
    if confirmed:
        notifications.notify(
            [user.id],
            notifications.SIGNUP_CONFIRMED,
            f"报名成功：{activity.title}",
            payload={"activity_id": activity.id},
            adults=adult,
        )
    return Signup(id=signup_id, **values)


@functools.cache
def _counter_update(counter_name: str) -> Update:
    counters = Activity.__table__.c
    counter = counters[counter_name]
    return (
        update(Activity.__table__)
        .where(counters.id == bindparam("activity_id"))
        .values({counter: counter + bindparam("newcomers")})
    )


def _count_newcomers(activity: Row, newcomers: int, confirmed: bool) -> None:
    """Add the newcomers to the activity's confirmed or waitlist counter (under its lock)."""
    statement = _counter_update("confirmed_count" if confirmed else "waitlist_count")
    db.session.execute(statement, {"activity_id": activity.id, "newcomers": newcomers})


def promote_waitlist(activity: Activity) -> list[Signup]:
    """Fill free places from the head of the queue. The caller holds the activity's lock
    (:func:`lock_activity`) and commits."""
    promoted = []
    while activity.capacity is None or activity.confirmed_count < activity.capacity:
        head = db.session.scalar(
            select(Signup)
            .where(Signup.activity_id == activity.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.id)
            .limit(1)
        )
        if head is None:
            break
        head.status, head.confirmed_at = SignupStatus.CONFIRMED, utcnow()
        activity.confirmed_count += 1
        activity.waitlist_count -= 1
        notifications.notify(
            [head.user_id],
            notifications.WAITLIST_PROMOTED,
            f"候补成功：{activity.title}",
            "有名额空出，您已转为正式报名",
            {"activity_id": activity.id},
        )
        promoted.append(head)
        db.session.flush()
    return promoted


@atomic()
def cancel_signup(user: User, activity_id: int) -> None:
    """Cancel the user's sign-up; the head of the waitlist takes a freed place at once.

    :raises SignupNotFound, CancelClosed, AlreadyAttended:
    """
    activity = get_activity(activity_id, user)
    if active_signup(user.id, activity_id) is None:
        raise SignupNotFound()
    if activity.status == ActivityStatus.PUBLISHED and utcnow() >= (
        activity.cancel_deadline or activity.starts_at
    ):
        raise CancelClosed()
    activity = lock_activity(activity_id)
    signup = active_signup(user.id, activity_id)
    if signup is None:  # cancelled by a concurrent request meanwhile
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


def my_signups_query(user: User) -> Select:
    """The user's sign-ups, upcoming activities first, then the most recent, with their
    activities loaded by the same query."""
    return (
        select(Signup)
        .join(Signup.activity)
        .options(contains_eager(Signup.activity))
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
    place = (
        select(func.count())
        .where(
            ahead.activity_id == Signup.activity_id,
            ahead.status == SignupStatus.WAITLISTED,
            ahead.id <= Signup.id,
        )
        .scalar_subquery()
    )
    for signup_id, position in db.session.execute(
        select(Signup.id, place).where(Signup.id.in_(waiting))
    ):
        waiting[signup_id].position = position


@atomic()
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
    signups = list(
        db.session.scalars(
            select(Signup)
            .where(Signup.activity_id == activity_id)
            .order_by(Signup.id)
            # Each entry shows its person's name and attendance: one statement for all of
            # them, not one per sign-up.
            .options(selectinload(Signup.user), selectinload(Signup.attendance))
        )
    )
    position = 0
    no_shows = no_show_counts(signup.user_id for signup in signups)
    for signup in signups:
        signup.no_show_count = no_shows.get(signup.user_id, 0)
        if signup.status == SignupStatus.WAITLISTED:
            position += 1
            signup.position = position
    return activity, signups
