"""Notifications: writing them to the outbox, the user's grants and preferences, the inbox.

Every cause (a sign-up, a promotion, a cancelled activity, approved hours, a dispatched help
request) calls :func:`notify` inside its own transaction, so the notification exists exactly
when its cause does. Delivery to WeChat is the outbox worker's (:mod:`api.notifications.outbox`).
"""

from collections.abc import Iterable

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from api.accounts.models import User
from api.errors import ValidationFailed
from api.extensions import db
from api.notifications.kinds import (  # noqa: F401  (the kinds are part of this API)
    ACTIVITY_CANCELLED,
    ACTIVITY_CHANGED,
    ACTIVITY_REMINDER,
    HELP_COMPLETED,
    HELP_DISPATCHED,
    HELP_ESCALATED,
    HOURS_APPROVED,
    HOURS_REJECTED,
    KINDS,
    LABELS,
    SIGNUP_CONFIRMED,
    WAITLIST_PROMOTED,
)
from api.notifications.models import Notification, NotificationPreference, SubscriptionGrant
from api.notifications.templates import configured_template_ids, template_for
from api.timeutil import utcnow

_TITLE_LENGTH = Notification.__table__.c.title.type.length
_BODY_LENGTH = Notification.__table__.c.body.type.length


class UnknownTemplate(ValidationFailed):
    error, message = "unknown_template", "订阅消息模板不存在"


class UnknownKind(ValidationFailed):
    error, message = "unknown_kind", "通知类型不存在"


def notify(user_ids: Iterable[int], kind: str, title: str, body: str = "",
           payload: dict | None = None) -> None:
    """Add one outbox row per user to the caller's transaction; once it commits, the task
    queue is woken to deliver them (:mod:`api.tasks.wakeup`)."""
    rows = [Notification(user_id=user_id, kind=kind, title=title[:_TITLE_LENGTH],
                         body=body[:_BODY_LENGTH], payload=payload or {})
            for user_id in user_ids]
    if not rows:
        return
    db.session.add_all(rows)


# -- grants ------------------------------------------------------------------------------

def add_grants(user: User, template_ids: list[str]) -> None:
    """Count one more allowed send of each template the user just accepted.

    :raises UnknownTemplate: for a template id the platform does not use.
    """
    unknown = sorted(set(template_ids) - configured_template_ids())
    if unknown:
        raise UnknownTemplate(errors={"template_ids": [f"未知的订阅消息模板：{template_id}"
                                                       for template_id in unknown]})
    for _ in range(3):  # a concurrent first accept of the same template: start again
        try:
            for template_id in dict.fromkeys(template_ids):
                _add_grant(user.id, template_id)
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("could not record the subscription grants")


def _add_grant(user_id: int, template_id: str) -> None:
    updated = db.session.execute(
        update(SubscriptionGrant)
        .where(SubscriptionGrant.user_id == user_id, SubscriptionGrant.template_id == template_id)
        .values(remaining=SubscriptionGrant.remaining + 1,
                accepted_total=SubscriptionGrant.accepted_total + 1, updated_at=utcnow())
    ).rowcount
    if not updated:
        db.session.add(SubscriptionGrant(user_id=user_id, template_id=template_id,
                                         remaining=1, accepted_total=1))
        db.session.flush()


def take_grant(user_id: int, template_id: str) -> bool:
    """Use one grant (a conditional update: two workers never use the same one); the caller
    commits. Returns False when none is left."""
    return bool(db.session.execute(
        update(SubscriptionGrant)
        .where(SubscriptionGrant.user_id == user_id, SubscriptionGrant.template_id == template_id,
               SubscriptionGrant.remaining > 0)
        .values(remaining=SubscriptionGrant.remaining - 1, updated_at=utcnow())
    ).rowcount)


def give_back_grant(user_id: int, template_id: str) -> None:
    """Return a grant taken for a message WeChat did not deliver; the caller commits."""
    db.session.execute(
        update(SubscriptionGrant)
        .where(SubscriptionGrant.user_id == user_id, SubscriptionGrant.template_id == template_id)
        .values(remaining=SubscriptionGrant.remaining + 1, updated_at=utcnow())
    )


def exhaust_grants(user_id: int, template_id: str) -> None:
    """WeChat said the user has no grant left (43101): believe it; the caller commits."""
    db.session.execute(
        update(SubscriptionGrant)
        .where(SubscriptionGrant.user_id == user_id, SubscriptionGrant.template_id == template_id)
        .values(remaining=0, updated_at=utcnow())
    )


# -- preferences -------------------------------------------------------------------------

def kind_enabled(user_id: int, kind: str) -> bool:
    """Whether the user wants ``kind`` (on unless turned off)."""
    preference = db.session.get(NotificationPreference, (user_id, kind))
    return preference is None or preference.enabled


def settings(user: User) -> dict:
    """Each kind: its name, whether it is on, its template and the grants left for it."""
    enabled = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.enabled)
        .where(NotificationPreference.user_id == user.id)
    ).all())
    remaining = dict(db.session.execute(
        select(SubscriptionGrant.template_id, SubscriptionGrant.remaining)
        .where(SubscriptionGrant.user_id == user.id)
    ).all())
    kinds = []
    for kind in KINDS:
        template = template_for(kind)
        template_id = template["template_id"] if template else None
        kinds.append({"kind": kind, "label": LABELS[kind], "enabled": enabled.get(kind, True),
                      "template_id": template_id,
                      "remaining_grants": remaining.get(template_id, 0)})
    return {"kinds": kinds}


def update_settings(user: User, changes: list[dict]) -> dict:
    """Turn kinds on or off. :raises UnknownKind:"""
    unknown = sorted({change["kind"] for change in changes} - set(KINDS))
    if unknown:
        raise UnknownKind(errors={"kinds": [f"未知的通知类型：{kind}" for kind in unknown]})
    wanted = {change["kind"]: change["enabled"] for change in changes}
    for _ in range(3):  # a concurrent first change of the same kind: start again
        try:
            for kind, enabled in wanted.items():
                preference = db.session.get(NotificationPreference, (user.id, kind))
                if preference is None:
                    db.session.add(NotificationPreference(user_id=user.id, kind=kind,
                                                          enabled=enabled))
                else:
                    preference.enabled = enabled
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
    return settings(user)


# -- inbox -------------------------------------------------------------------------------

def inbox_query(user: User) -> Select:
    """The user's notifications, newest first, whether or not WeChat delivered them."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()))
