"""Notifications: writing them to the outbox, the user's grants and preferences, the inbox.

Every cause (a sign-up, a promotion, a cancelled activity, approved hours, a dispatched help
request) calls :func:`notify` inside its own unit of work (``atomic()``), so the notification
exists exactly when its cause does. Delivery to WeChat is the outbox worker's
(:mod:`api.notifications.outbox`); what both use (grants, preferences) is one layer down in
:mod:`api.notifications.grants`.
"""

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.accounts.models import User
from api.errors import ValidationFailed
from api.extensions import db
from api.families.models import FamilyMember
from api.notifications import grants
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
from api.personal_data import mask_name
from api.transactions import atomic

_TITLE_LENGTH = Notification.__table__.c.title.type.length
_BODY_LENGTH = Notification.__table__.c.body.type.length


class UnknownTemplate(ValidationFailed):
    error, message = "unknown_template", "订阅消息模板不存在"


class UnknownKind(ValidationFailed):
    error, message = "unknown_kind", "通知类型不存在"


def _guardians(user_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For each child among ``user_ids``: its guardian's id and its masked name."""
    rows = db.session.execute(
        select(FamilyMember.child_id, FamilyMember.guardian_id, FamilyMember.real_name).where(
            FamilyMember.child_id.in_(user_ids)
        )
    )
    return {child_id: (guardian_id, mask_name(name)) for child_id, guardian_id, name in rows}


def notify(
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    payload: dict | None = None,
    *,
    adults: bool = False,
) -> None:
    """Add one outbox row per user to the caller's unit of work; once it commits, the task
    queue is woken to deliver them (:mod:`api.tasks.wakeup`).

    A child added by a guardian has no sign-in and no WeChat of its own: what concerns it
    goes to its guardian, the title headed by the child's masked name and the payload naming
    the child (``child_user_id``). ``adults=True``: the caller knows that none of
    ``user_ids`` is a child (the sign-up read it under its lock), and nothing is looked up."""
    user_ids = list(user_ids)
    guardians = {} if adults or not user_ids else _guardians(user_ids)
    rows = []
    for user_id in user_ids:
        recipient, heading, extra = user_id, "", {}
        if user_id in guardians:
            recipient, child_name = guardians[user_id]
            heading, extra = f"【{child_name}】", {"child_user_id": user_id}
        rows.append(
            Notification(
                user_id=recipient,
                kind=kind,
                title=(heading + title)[:_TITLE_LENGTH],
                body=body[:_BODY_LENGTH],
                payload={**(payload or {}), **extra},
            )
        )
    if not rows:
        return
    db.session.add_all(rows)


# -- grants ------------------------------------------------------------------------------


def add_grants(user: User, template_ids: list[str]) -> None:
    """Count one more allowed send of each template the user just accepted (its own unit of
    work: a concurrent first accept of the same template rolls it back and it starts again).

    :raises UnknownTemplate: for a template id the platform does not use.
    """
    unknown = sorted(set(template_ids) - configured_template_ids())
    if unknown:
        raise UnknownTemplate(
            errors={
                "template_ids": [f"未知的订阅消息模板：{template_id}" for template_id in unknown]
            }
        )
    for _ in range(3):
        try:
            with atomic():
                for template_id in dict.fromkeys(template_ids):
                    grants.add_grant(user.id, template_id)
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not record the subscription grants")


# -- preferences -------------------------------------------------------------------------


def settings(user: User) -> dict:
    """Each kind: its name, whether it is on, its template and the grants left for it."""
    enabled = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.enabled).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    remaining = dict(
        db.session.execute(
            select(SubscriptionGrant.template_id, SubscriptionGrant.remaining).where(
                SubscriptionGrant.user_id == user.id
            )
        ).all()
    )
    kinds = []
    for kind in KINDS:
        template = template_for(kind)
        template_id = template["template_id"] if template else None
        kinds.append(
            {
                "kind": kind,
                "label": LABELS[kind],
                "enabled": enabled.get(kind, True),
                "template_id": template_id,
                "remaining_grants": remaining.get(template_id, 0),
            }
        )
    return {"kinds": kinds}


def update_settings(user: User, changes: list[dict]) -> dict:
    """Turn kinds on or off (its own unit of work, started again after a concurrent first
    change of the same kind). :raises UnknownKind:"""
    unknown = sorted({change["kind"] for change in changes} - set(KINDS))
    if unknown:
        raise UnknownKind(errors={"kinds": [f"未知的通知类型：{kind}" for kind in unknown]})
    wanted = {change["kind"]: change["enabled"] for change in changes}
    for _ in range(3):  # a concurrent first change of the same kind: start again
        try:
            with atomic():
                for kind, enabled in wanted.items():
                    preference = db.session.get(NotificationPreference, (user.id, kind))
                    if preference is None:
                        db.session.add(
                            NotificationPreference(user_id=user.id, kind=kind, enabled=enabled)
                        )
                    else:
                        preference.enabled = enabled
            break
        except IntegrityError:
            continue
    return settings(user)


# -- inbox -------------------------------------------------------------------------------


def inbox_query(user: User) -> Select:
    """The user's notifications, newest first, whether or not WeChat delivered them."""
    return (
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
    )
