"""Fixed vocabularies of activities."""

# The five strands (五大主题活动) and their Chinese names.
THEMES: dict[str, str] = {
    "etiquette": "讲文明礼仪",
    "history": "学党史国史",
    "performance": "送文艺节目",
    "caring": "献暖暖爱心",
    "health": "送健康科普",
}
AUDIENCES: tuple[str, ...] = ("public", "volunteers")

DRAFT, PUBLISHED, CANCELLED, FINISHED = "draft", "published", "cancelled", "finished"
STATUSES: tuple[str, ...] = (DRAFT, PUBLISHED, CANCELLED, FINISHED)
# The statuses the calendar lists, as SQL text: the calendar query and the partial index
# ix_activities_calendar say it in the same words, so SQLite's planner matches the two.
LISTED_SQL = "status IN ('published', 'finished')"

DEFAULT_GEOFENCE_METRES = 500
