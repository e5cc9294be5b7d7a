"""Time rules of the platform: store UTC, think and answer in Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


# The application clock. ``None`` follows the system clock; tests freeze it with
# ``freeze_clock`` so that nothing they assert depends on the day they run.
_frozen_now: datetime | None = None


def utcnow() -> datetime:
    """The current time of the application clock, timezone-aware, in UTC."""
    if _frozen_now is not None:
        return _frozen_now
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in Asia/Shanghai, by the application clock."""
    return to_local(utcnow()).date()


def freeze_clock(moment: datetime | None) -> None:
    """Pin the application clock at ``moment`` (aware); ``None`` lets it follow the system."""
    global _frozen_now
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze_clock needs an aware datetime")
    _frozen_now = moment.astimezone(UTC) if moment is not None else None


def to_local(moment: datetime) -> datetime:
    """Express an aware datetime in Asia/Shanghai (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_isoformat(moment: datetime | None) -> str | None:
    """ISO 8601 in Asia/Shanghai (``+08:00``), as the API writes moments; None stays None."""
    return None if moment is None else to_local(moment).isoformat()


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC half-open interval [start, end) covering local days ``first`` .. ``last`` inclusive."""
    start = datetime.combine(first, time.min, LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)
