"""The outbox worker: generate due reminders, then deliver due notifications to WeChat.

It runs as the ``outbox.deliver`` task of the task queue (``flask worker``): woken after
every commit that wrote a notification, and every minute for reminders and retries.
``flask notifications run --once`` runs one pass by hand. Any number may run at once.

Each message goes through units of work of its own (``atomic()``), never a caller's: the
claim, the start of the attempt and the outcome each commit on their own, and the send to
WeChat happens between units, never inside one. So call the worker outside any unit.

Nothing lost, nothing sent twice. A worker claims rows with one conditional update
(``status = 'pending'`` → ``'sending'`` with its own claim token and a lease,
``claimed_until``), commits, and works only on the rows that carry its token. Before each
send it marks the start of the attempt, again conditioned on its token, and commits: so a
claim whose worker died *before* a send is given back to ``pending`` once the lease ran
out (nothing lost), while a claim whose worker died *during* a send is marked failed
(``interrupted``), never resent: whether WeChat took it cannot be known. A message is sent
again only when WeChat certainly did not take it (an errcode, HTTP 5xx, a refused
connection); after a timeout it may have arrived, so it is marked failed
(``delivery_unknown``) instead.
"""

import contextlib
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from api.accounts.models import User
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.extensions import db
from api.notifications import grants
from api.notifications.kinds import ACTIVITY_REMINDER
from api.notifications.models import Notification, NotificationStatus
from api.notifications.templates import context_of, local_time_text, render, template_for
from api.signups.models import Signup, SignupStatus
from api.sql_upsert import dialect_insert
from api.timeutil import utcnow
from api.transactions import atomic
from api.wechat.client import (
    DAILY_QUOTA_REACHED,
    NO_SUBSCRIPTION_GRANT,
    RATE_LIMITED,
    SYSTEM_BUSY,
    DeliveryUnknown,
    WeChatClient,
    WeChatError,
    WeChatUnavailable,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 20
MAX_RETRY_DELAY = timedelta(hours=6)
# WeChat errcodes that mean "not now" rather than "never".
_TRY_LATER = frozenset({SYSTEM_BUSY, RATE_LIMITED, DAILY_QUOTA_REACHED})
RETRYING = "retrying"
LOST = "lost"


@dataclass
class OutboxReport:
    """What one run of the worker did."""

    reminders: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    interrupted: int = 0
    reclaimed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def run_outbox(
    client: WeChatClient | None = None, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> OutboxReport:
    """One pass of the worker: recover dead claims, write due reminders, deliver due rows."""
    now = now or utcnow()
    client = client or WeChatClient.from_app()
    reclaimed, interrupted = release_expired_claims(now)
    report = OutboxReport(
        reclaimed=reclaimed, interrupted=interrupted, reminders=create_due_reminders(now)
    )
    while True:
        token, claimed = claim_batch(now, batch_size)
        if not claimed:
            return report
        for notification_id in claimed:
            outcome = _deliver_safely(notification_id, client, now, token)
            if outcome != LOST:
                setattr(report, outcome, getattr(report, outcome) + 1)


def claim_due(now: datetime, batch_size: int = BATCH_SIZE) -> list[int]:
    """Claim up to ``batch_size`` due rows for this worker; returns their ids."""
    return claim_batch(now, batch_size)[1]


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def claim_batch(now: datetime, batch_size: int = BATCH_SIZE) -> tuple[str, list[int]]:
    """Claim up to ``batch_size`` due rows for this worker; returns the claim's token and
    the rows' ids (none: the outbox has nothing due).

    The update's ``status = 'pending'`` condition is re-checked by the database against the
    committed row, so of two workers racing for a row exactly one gets it; the loser looks
    for the next rows.
    """
    while True:
        with atomic():
            candidates = db.session.scalars(
                select(Notification.id)
                .where(
                    Notification.status == NotificationStatus.PENDING,
                    or_(
                        Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now
                    ),
                )
                .order_by(Notification.id)
                .limit(batch_size)
            ).all()
            if not candidates:
                return "", []
            token = secrets.token_hex(16)
            claimed_at = utcnow()
            db.session.execute(
                update(Notification)
                .where(
                    Notification.id.in_(candidates),
                    Notification.status == NotificationStatus.PENDING,
                )
                .values(
                    status=NotificationStatus.SENDING,
                    claim_token=token,
                    claimed_at=claimed_at,
                    claimed_until=claimed_at + _lease(),
                    attempt_started_at=None,
                ),
                execution_options={"synchronize_session": False},
            )
        claimed = list(
            db.session.scalars(
                select(Notification.id)
                .where(
                    Notification.claim_token == token,
                    Notification.status == NotificationStatus.SENDING,
                )
                .order_by(Notification.id)
            )
        )
        if claimed:
            return token, claimed


@atomic()
def release_expired_claims(now: datetime) -> tuple[int, int]:
    """Claims whose lease ran out (their worker died): given back to ``pending`` when no
    send had started, marked failed (``interrupted``) when one had, since whether it went
    out is unknown. Returns (given back, interrupted)."""
    expired = (Notification.status == NotificationStatus.SENDING, Notification.claimed_until < now)
    given_back = db.session.execute(
        update(Notification)
        .where(*expired, Notification.attempt_started_at.is_(None))
        .values(status=NotificationStatus.PENDING, claim_token=None, claimed_until=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    interrupted = db.session.execute(
        update(Notification)
        .where(*expired, Notification.attempt_started_at.is_not(None))
        .values(status=NotificationStatus.FAILED, last_error="interrupted", claimed_until=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    return given_back, interrupted


def _start_attempt(notification: Notification, token: str | None) -> bool:
    """Write down, under this worker's claim, that a send starts now (committed before the
    send). False: the claim is no longer ours (its lease ran out and another took it)."""
    condition = [
        Notification.id == notification.id,
        Notification.status == NotificationStatus.SENDING,
    ]
    if token is not None:
        condition.append(Notification.claim_token == token)
    with atomic():
        started = db.session.execute(
            update(Notification)
            .where(*condition)
            .values(attempt_started_at=utcnow(), attempts=Notification.attempts + 1),
            execution_options={"synchronize_session": False},
        ).rowcount
    if started:
        db.session.refresh(notification)
    return bool(started)


# -- reminders ---------------------------------------------------------------------------


@atomic()
def create_due_reminders(now: datetime) -> int:
    """Write the reminders that are due (24 h and 2 h before the start, by default).

    A confirmed sign-up gets the reminder of an offset once ``now`` has passed
    ``starts_at - offset``, if it was confirmed before that moment (whoever signs up three
    hours ahead has just been told, and gets only the 2 h reminder); of several due offsets
    only the nearest is written. Each has the key ``reminder:<signup>:<minutes>``: the unique
    index makes every later run, on any worker, a no-op.
    """
    offsets = sorted(current_app.config["NOTIFICATION_REMINDER_MINUTES"])
    if not offsets:
        return 0
    rows = db.session.execute(
        select(
            Signup.id,
            Signup.user_id,
            Signup.confirmed_at,
            Activity.id.label("activity_id"),
            Activity.title,
            Activity.starts_at,
            Activity.address,
        )
        .join(Activity, Activity.id == Signup.activity_id)
        .where(
            Activity.status == ActivityStatus.PUBLISHED,
            Activity.starts_at > now,
            Activity.starts_at <= now + timedelta(minutes=offsets[-1]),
            Signup.status == SignupStatus.CONFIRMED,
        )
    ).all()
    due: dict[str, dict] = {}
    for row in rows:
        for minutes in offsets:
            moment = row.starts_at - timedelta(minutes=minutes)
            if moment <= now and (row.confirmed_at is None or row.confirmed_at <= moment):
                key = f"reminder:{row.id}:{minutes}"
                due[key] = _reminder_row(row, minutes, key, now)
                break
    if not due:
        return 0
    keys = list(due)
    existing = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(
            db.session.scalars(
                select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))
            )
        )
    new_rows = [row for key, row in due.items() if key not in existing]
    if new_rows:
        db.session.execute(
            dialect_insert(Notification.__table__, db.engine.dialect.name).on_conflict_do_nothing(
                index_elements=["dedupe_key"]
            ),
            new_rows,
        )
    return len(new_rows)


def _reminder_row(row, minutes: int, key: str, now: datetime) -> dict:
    start = local_time_text(row.starts_at)
    return {
        "user_id": row.user_id,
        "kind": ACTIVITY_REMINDER,
        "title": f"活动提醒：{row.title}"[:120],
        "body": f"{start}开始，地点：{row.address}"[:500],
        "payload": {"activity_id": row.activity_id, "signup_id": row.id, "minutes_before": minutes},
        "status": NotificationStatus.PENDING,
        "created_at": now,
        "dedupe_key": key,
        "attempts": 0,
        "last_error": "",
    }


# -- delivery ----------------------------------------------------------------------------


def _deliver_safely(
    notification_id: int, client: WeChatClient, now: datetime, token: str | None
) -> str:
    try:
        return deliver(notification_id, client, now, token)
    except Exception:  # one broken row must not stop the others; it stays visible
        # Every write of deliver() runs in a unit, so the failed one is rolled back already.
        log.exception("delivering notification %s failed", notification_id)
        with atomic():
            db.session.execute(
                update(Notification)
                .where(
                    Notification.id == notification_id,
                    Notification.status == NotificationStatus.SENDING,
                )
                .values(status=NotificationStatus.FAILED, last_error="internal_error"),
                execution_options={"synchronize_session": False},
            )
        return NotificationStatus.FAILED


def deliver(
    notification_id: int, client: WeChatClient, now: datetime, token: str | None = None
) -> str:
    """Send one notification claimed with ``token``; returns sent, skipped, failed,
    retrying, or lost (the claim passed to another worker: nothing done)."""
    notification = db.session.get(Notification, notification_id, populate_existing=True)
    if token is not None and notification.claim_token != token:
        return LOST
    user = db.session.get(User, notification.user_id)
    template = template_for(notification.kind)
    reason = _reason_not_to_send(notification, user, template, now)
    if reason:
        return _finish(notification, NotificationStatus.SKIPPED, reason, give_back=True)
    if notification.template_id is None:
        with atomic():
            if not grants.take_grant(user.id, template["template_id"]):
                return _finish(notification, NotificationStatus.SKIPPED, "no_grant")
            notification.template_id = template["template_id"]
    data, page = render(template, context_of(notification, user))
    # The access token first (usually cached): between the committed start of the attempt
    # and the request leaving, as little as possible may happen.
    with contextlib.suppress(WeChatError, WeChatUnavailable):
        client.access_token()
    if not _start_attempt(notification, token):
        return LOST
    try:
        client.send_subscribe_message(
            user.openid,
            notification.template_id,
            data,
            page=page,
            miniprogram_state=current_app.config["WECHAT_MINIPROGRAM_STATE"],
        )
    except DeliveryUnknown:
        return _finish(notification, NotificationStatus.FAILED, "delivery_unknown")
    except WeChatUnavailable:
        return _retry_or_fail(notification, now, "wechat_unavailable")
    except WeChatError as exc:
        if exc.errcode == NO_SUBSCRIPTION_GRANT:
            with atomic():
                grants.exhaust_grants(user.id, notification.template_id)
                return _finish(
                    notification, NotificationStatus.SKIPPED, "no_grant", errcode=exc.errcode
                )
        if exc.errcode in _TRY_LATER:
            return _retry_or_fail(notification, now, "wechat_busy", exc.errcode)
        log.warning("WeChat refused notification %s: %s", notification_id, exc)
        return _finish(
            notification,
            NotificationStatus.FAILED,
            "wechat_refused",
            errcode=exc.errcode,
            give_back=True,
        )
    with atomic():
        notification.sent_at = utcnow()
        return _finish(notification, NotificationStatus.SENT)


def _reason_not_to_send(
    notification: Notification, user: User | None, template: dict | None, now: datetime
) -> str:
    if template is None:
        return "no_template"
    if user is None or not user.is_active or not user.openid:
        return "no_openid"
    if not grants.kind_enabled(user.id, notification.kind):
        return "kind_disabled"
    if notification.kind == ACTIVITY_REMINDER and _reminder_is_stale(notification, now):
        return "stale"
    return ""


def _reminder_is_stale(notification: Notification, now: datetime) -> bool:
    """A reminder waiting for a retry is useless once the activity started, was cancelled,
    or the sign-up was."""
    payload = notification.payload or {}
    activity = db.session.get(Activity, payload.get("activity_id"))
    signup = db.session.get(Signup, payload.get("signup_id"))
    return (
        activity is None
        or activity.status != ActivityStatus.PUBLISHED
        or activity.starts_at <= now
        or signup is None
        or signup.status != SignupStatus.CONFIRMED
    )


@atomic()
def _finish(
    notification: Notification,
    status: str,
    reason: str = "",
    *,
    errcode: int | None = None,
    give_back: bool = False,
) -> str:
    if give_back and notification.template_id is not None:
        grants.give_back_grant(notification.user_id, notification.template_id)
        notification.template_id = None
    notification.status = status
    notification.last_error = reason
    notification.errcode = errcode
    notification.next_attempt_at = notification.claimed_until = None
    return status


@atomic()
def _retry_or_fail(
    notification: Notification, now: datetime, reason: str, errcode: int | None = None
) -> str:
    """Try again later with a doubling delay, until ``NOTIFICATION_MAX_ATTEMPTS``."""
    config = current_app.config
    if notification.attempts >= config["NOTIFICATION_MAX_ATTEMPTS"]:
        return _finish(
            notification, NotificationStatus.FAILED, reason, errcode=errcode, give_back=True
        )
    delay = timedelta(
        seconds=config["NOTIFICATION_RETRY_SECONDS"] * 2 ** (notification.attempts - 1)
    )
    notification.status = NotificationStatus.PENDING
    notification.attempt_started_at = notification.claimed_until = None
    notification.next_attempt_at = now + min(delay, MAX_RETRY_DELAY)
    notification.last_error = reason
    notification.errcode = errcode
    return RETRYING
