"""The help request's states and the one table of moves between them.

::

    held ──release──▶ submitted ──dispatch──▶ dispatched ──accept──▶ accepted ──complete──▶
      │                │   ▲  │                 │    ▲                  │  ▲
      │                │   └──┴──── requeue ────┴────┼──────────────────┘  │
      │                └──claim (a station takes it itself)────────────────┘
      │                          redispatch: dispatched | accepted → dispatched
      └─reject─▶ rejected ◀─reject─ submitted
    completed ──rate (or HELP_AUTO_RATE_DAYS later: "satisfied")──▶ rated
    held | submitted | dispatched | accepted ──cancel──▶ cancelled

Anything else is refused with 409 ``invalid_transition``.
"""

from enum import StrEnum


class HelpStatus(StrEnum):
    """The states of the diagram above. The members equal their strings, which the database
    stores and the API answers."""

    HELD = "held"
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    RATED = "rated"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Waiting for a dispatcher: the queue.
QUEUED = (HelpStatus.HELD, HelpStatus.SUBMITTED)
# Shown on the public board (a held request has not passed moderation yet).
PUBLIC_STATUSES = tuple(status for status in HelpStatus if status != HelpStatus.HELD)

STATUS_LABELS = {
    HelpStatus.HELD: "待审核",
    HelpStatus.SUBMITTED: "待派单",
    HelpStatus.DISPATCHED: "已派单",
    HelpStatus.ACCEPTED: "已接单",
    HelpStatus.COMPLETED: "已完成",
    HelpStatus.RATED: "已评价",
    HelpStatus.REJECTED: "未受理",
    HelpStatus.CANCELLED: "已取消",
}

APP, HOTLINE = "app", "hotline"
CHANNELS = (APP, HOTLINE)

# action: (the statuses it may leave, the status it enters)
TRANSITIONS: dict[str, tuple[frozenset[HelpStatus], HelpStatus]] = {
    "release": (frozenset({HelpStatus.HELD}), HelpStatus.SUBMITTED),
    "reject": (frozenset({HelpStatus.HELD, HelpStatus.SUBMITTED}), HelpStatus.REJECTED),
    "route": (frozenset({HelpStatus.SUBMITTED}), HelpStatus.SUBMITTED),
    "dispatch": (frozenset({HelpStatus.SUBMITTED}), HelpStatus.DISPATCHED),
    "redispatch": (frozenset({HelpStatus.DISPATCHED, HelpStatus.ACCEPTED}), HelpStatus.DISPATCHED),
    "requeue": (frozenset({HelpStatus.DISPATCHED, HelpStatus.ACCEPTED}), HelpStatus.SUBMITTED),
    "claim": (frozenset({HelpStatus.SUBMITTED}), HelpStatus.ACCEPTED),
    "accept": (frozenset({HelpStatus.DISPATCHED}), HelpStatus.ACCEPTED),
    "complete": (frozenset({HelpStatus.ACCEPTED}), HelpStatus.COMPLETED),
    "rate": (frozenset({HelpStatus.COMPLETED}), HelpStatus.RATED),
    "cancel": (
        frozenset(
            {HelpStatus.HELD, HelpStatus.SUBMITTED, HelpStatus.DISPATCHED, HelpStatus.ACCEPTED}
        ),
        HelpStatus.CANCELLED,
    ),
}
ACTIONS = tuple(TRANSITIONS)

# The rating a request gets when its requester has not rated it in time (满意).
SATISFIED_RATING = 5
