"""Time rules of the platform: store UTC, think and answer in Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    """Express an aware datetime in Asia/Shanghai (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC half-open interval [start, end) covering local days ``first`` .. ``last`` inclusive."""
    start = datetime.combine(first, time.min, LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)
