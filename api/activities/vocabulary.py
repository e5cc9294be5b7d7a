"""Fixed vocabularies of activities."""

from enum import StrEnum

# The five strands (五大主题活动) and their Chinese names.
THEMES: dict[str, str] = {
    "etiquette": "讲文明礼仪",
    "history": "学党史国史",
    "performance": "送文艺节目",
    "caring": "献暖暖爱心",
    "health": "送健康科普",
}
AUDIENCES: tuple[str, ...] = ("public", "volunteers")


class ActivityStatus(StrEnum):
    """Where an activity stands: a draft is published, then cancelled or finished. The members
    equal their strings, which the database stores and the API answers."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


# The statuses the calendar lists, as SQL text: the calendar query and the partial index
# ix_activities_calendar say it in the same words, so SQLite's planner matches the two.
LISTED_SQL = "status IN ('published', 'finished')"

DEFAULT_GEOFENCE_METRES = 500
