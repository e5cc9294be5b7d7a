"""What the outbox checks before a send, below both the notification services and the outbox:
the user's subscription grants (one send each) and the kinds they turned off.

These functions write inside the caller's unit of work (``api.transactions.atomic``); none
commits.
"""

from sqlalchemy import update

from api.extensions import db
from api.notifications.models import NotificationPreference, SubscriptionGrant
from api.timeutil import utcnow


def _grant(user_id: int, template_id: str):
    return update(SubscriptionGrant).where(
        SubscriptionGrant.user_id == user_id, SubscriptionGrant.template_id == template_id
    )


def add_grant(user_id: int, template_id: str) -> None:
    """Count one more allowed send of the template (the first one inserts the row: a
    concurrent first accept fails the caller's unit with an IntegrityError)."""
    updated = db.session.execute(
        _grant(user_id, template_id).values(
            remaining=SubscriptionGrant.remaining + 1,
            accepted_total=SubscriptionGrant.accepted_total + 1,
            updated_at=utcnow(),
        )
    ).rowcount
    if not updated:
        db.session.add(
            SubscriptionGrant(
                user_id=user_id, template_id=template_id, remaining=1, accepted_total=1
            )
        )
        db.session.flush()


def take_grant(user_id: int, template_id: str) -> bool:
    """Use one grant (a conditional update: two workers never use the same one). Returns
    False when none is left."""
    return bool(
        db.session.execute(
            _grant(user_id, template_id)
            .where(SubscriptionGrant.remaining > 0)
            .values(remaining=SubscriptionGrant.remaining - 1, updated_at=utcnow())
        ).rowcount
    )


def give_back_grant(user_id: int, template_id: str) -> None:
    """Return a grant taken for a message WeChat did not deliver."""
    db.session.execute(
        _grant(user_id, template_id).values(
            remaining=SubscriptionGrant.remaining + 1, updated_at=utcnow()
        )
    )


def exhaust_grants(user_id: int, template_id: str) -> None:
    """WeChat said the user has no grant left (43101): believe it."""
    db.session.execute(_grant(user_id, template_id).values(remaining=0, updated_at=utcnow()))


def kind_enabled(user_id: int, kind: str) -> bool:
    """Whether the user wants ``kind`` (on unless turned off)."""
    preference = db.session.get(NotificationPreference, (user_id, kind))
    return preference is None or preference.enabled
