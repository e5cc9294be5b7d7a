"""The kinds of notification, what a user sees them called, and the short status phrase a
subscribe message shows (a WeChat ``phrase``: at most five 汉字)."""

SIGNUP_CONFIRMED = "signup_confirmed"
WAITLIST_PROMOTED = "waitlist_promoted"
ACTIVITY_CHANGED = "activity_changed"
ACTIVITY_CANCELLED = "activity_cancelled"
ACTIVITY_REMINDER = "activity_reminder"
HOURS_APPROVED = "hours_approved"
HOURS_REJECTED = "hours_rejected"
HELP_DISPATCHED = "help_dispatched"
HELP_COMPLETED = "help_completed"
HELP_ESCALATED = "help_escalated"

LABELS = {
    SIGNUP_CONFIRMED: "报名成功通知",
    WAITLIST_PROMOTED: "候补转正通知",
    ACTIVITY_CHANGED: "活动变更通知",
    ACTIVITY_CANCELLED: "活动取消通知",
    ACTIVITY_REMINDER: "活动开始提醒",
    HOURS_APPROVED: "服务时长审核通过",
    HOURS_REJECTED: "服务时长审核未通过",
    HELP_DISPATCHED: "求助已派单",
    HELP_COMPLETED: "求助已办结",
    HELP_ESCALATED: "求助超时提醒",
}
KINDS = tuple(LABELS)

STATUS_PHRASES = {
    SIGNUP_CONFIRMED: "报名成功",
    WAITLIST_PROMOTED: "候补转正",
    ACTIVITY_CHANGED: "已变更",
    ACTIVITY_CANCELLED: "已取消",
    ACTIVITY_REMINDER: "即将开始",
    HOURS_APPROVED: "已通过",
    HOURS_REJECTED: "未通过",
    HELP_DISPATCHED: "已派单",
    HELP_COMPLETED: "已办结",
    HELP_ESCALATED: "超时待办",
}
