"""Writing notifications to the outbox (sending them is a later issue's worker)."""

from collections.abc import Iterable

from api.extensions import db
from api.notifications.models import Notification

SIGNUP_CONFIRMED = "signup_confirmed"
WAITLIST_PROMOTED = "waitlist_promoted"
ACTIVITY_CHANGED = "activity_changed"
ACTIVITY_CANCELLED = "activity_cancelled"


def notify(user_ids: Iterable[int], kind: str, title: str, body: str = "",
           payload: dict | None = None) -> None:
    """Add one outbox row per user to the caller's transaction."""
    db.session.add_all(
        Notification(user_id=user_id, kind=kind, title=title, body=body, payload=payload or {})
        for user_id in user_ids
    )
