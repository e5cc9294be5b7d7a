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

HELD, SUBMITTED, DISPATCHED, ACCEPTED = "held", "submitted", "dispatched", "accepted"
COMPLETED, RATED, REJECTED, CANCELLED = "completed", "rated", "rejected", "cancelled"
STATUSES: tuple[str, ...] = (HELD, SUBMITTED, DISPATCHED, ACCEPTED, COMPLETED, RATED,
                             REJECTED, CANCELLED)
# Waiting for a dispatcher: the queue.
QUEUED = (HELD, SUBMITTED)
# Shown on the public board (a held request has not passed moderation yet).
PUBLIC_STATUSES = tuple(status for status in STATUSES if status != HELD)

STATUS_LABELS = {
    HELD: "待审核",
    SUBMITTED: "待派单",
    DISPATCHED: "已派单",
    ACCEPTED: "已接单",
    COMPLETED: "已完成",
    RATED: "已评价",
    REJECTED: "未受理",
    CANCELLED: "已取消",
}

APP, HOTLINE = "app", "hotline"
CHANNELS = (APP, HOTLINE)

# action: (the statuses it may leave, the status it enters)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "release": (frozenset({HELD}), SUBMITTED),
    "reject": (frozenset({HELD, SUBMITTED}), REJECTED),
    "route": (frozenset({SUBMITTED}), SUBMITTED),
    "dispatch": (frozenset({SUBMITTED}), DISPATCHED),
    "redispatch": (frozenset({DISPATCHED, ACCEPTED}), DISPATCHED),
    "requeue": (frozenset({DISPATCHED, ACCEPTED}), SUBMITTED),
    "claim": (frozenset({SUBMITTED}), ACCEPTED),
    "accept": (frozenset({DISPATCHED}), ACCEPTED),
    "complete": (frozenset({ACCEPTED}), COMPLETED),
    "rate": (frozenset({COMPLETED}), RATED),
    "cancel": (frozenset({HELD, SUBMITTED, DISPATCHED, ACCEPTED}), CANCELLED),
}
ACTIONS = tuple(TRANSITIONS)

# The rating a request gets when its requester has not rated it in time (满意).
SATISFIED_RATING = 5
