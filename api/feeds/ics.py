"""Writing activities as an iCalendar (RFC 5545) document in Asia/Shanghai time.

Written by hand rather than with the ``icalendar`` package: it spends about a millisecond
per event, and a county feed holds up to two thousand. The format needed here is small
(TEXT escaping, line folding, local and UTC date-times); the tests read every feed back
with ``icalendar``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from api.activities.models import Activity
from api.activities.vocabulary import THEMES
from api.timeutil import LOCAL_TZ, to_local

PRODID = "-//新时代文明实践中心//活动日历//ZH-CN"
TZID = str(LOCAL_TZ)
# The UID names the activity, not the feed or the request: a calendar app that sees the
# same activity in two feeds, or again after an edit, updates one event.
UID_DOMAIN = "civpractice"
REFRESH_INTERVAL = "PT1H"
# China has kept +08:00 without daylight saving time since 1991, before any activity here.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)
MAX_LINE_OCTETS = 75
# Control characters TEXT does not allow (tab and newline are kept; newline is escaped).
_CONTROL_CHARACTERS = {code: None for code in [*range(0x20), 0x7F] if chr(code) not in "\t\n"}

CONFIRMED, TENTATIVE, CANCELLED = "CONFIRMED", "TENTATIVE", "CANCELLED"


@dataclass
class FeedEntry:
    """One activity in a feed, with its event status and lines to add to the description."""

    activity: Activity
    status: str = CONFIRMED
    notes: tuple[str, ...] = ()


def event_uid(activity_id: int) -> str:
    """The stable UID of an activity's event."""
    return f"activity-{activity_id}@{UID_DOMAIN}"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped,
    other control characters (not allowed in TEXT) dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL_CHARACTERS)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into parts of at most 75 octets (RFC 5545 3.1), never inside a
    UTF-8 character; each continuation starts with one space."""
    octets = line.encode("utf-8")
    if len(octets) <= MAX_LINE_OCTETS:
        return line
    parts, start, limit = [], 0, MAX_LINE_OCTETS
    while len(octets) - start > limit:
        end = start + limit
        while octets[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off
            end -= 1
        parts.append(octets[start:end])
        start, limit = end, MAX_LINE_OCTETS - 1  # the leading space counts
    parts.append(octets[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%Y%m%dT%H%M%S")


def _description(entry: FeedEntry) -> str:
    activity = entry.activity
    lines = [*entry.notes]
    if activity.description:
        lines.append(activity.description)
    lines.append(f"主办：{activity.unit.name}")
    if activity.team is not None:
        lines.append(f"志愿服务队：{activity.team.name}")
    if activity.theme in THEMES:
        lines.append(f"主题：{THEMES[activity.theme]}")
    if activity.risk_notice:
        lines.append(f"风险提示：{activity.risk_notice}")
    return "\n".join(lines)


def _event_lines(entry: FeedEntry) -> list[str]:
    activity = entry.activity
    summary = activity.title if entry.status != CANCELLED else f"【已取消】{activity.title}"
    categories = ",".join(
        escape_text(name)
        for name in (THEMES.get(activity.theme, activity.theme), activity.category)
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid(activity.id)}",
        # Without METHOD, DTSTAMP is when the event's information last changed (3.8.7.2).
        f"DTSTAMP:{_utc(activity.updated_at)}",
        f"LAST-MODIFIED:{_utc(activity.updated_at)}",
        f"CREATED:{_utc(activity.created_at)}",
        f"DTSTART;TZID={TZID}:{_local(activity.starts_at)}",
        f"DTEND;TZID={TZID}:{_local(activity.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(activity.address or activity.unit.name)}",
        f"DESCRIPTION:{escape_text(_description(entry))}",
        f"CATEGORIES:{categories}",
        f"STATUS:{entry.status}",
    ]
    if activity.lat is not None and activity.lng is not None:
        lines.append(f"GEO:{activity.lat:.6f};{activity.lng:.6f}")
    lines.append("END:VEVENT")
    return lines


def render_calendar(name: str, entries: Iterable[FeedEntry]) -> bytes:
    """An iCalendar document of ``entries``: times in TZID=Asia/Shanghai, with its
    VTIMEZONE, lines folded and ended with CRLF, encoded as UTF-8."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
        f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
        *VTIMEZONE,
    ]
    for entry in entries:
        lines.extend(_event_lines(entry))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
