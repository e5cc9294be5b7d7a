"""Subscribe-message templates: which value fills each template key, cut to WeChat's rules.

``NOTIFICATION_TEMPLATES`` (config) maps a kind to ``{template_id, page, data}``; ``data``
maps a template key (``thing1``, ``time2``, ...) to the name of one of these values, or to
literal text after ``=``:

=====================  ===========================================================
``title``, ``body``    the notification's own text
``status``, ``label``  the kind's status phrase (``候补转正``) and name (``候补转正通知``)
``created_at``         when the notification was written
``activity_title``,    of the activity named by ``payload["activity_id"]``
``activity_start``,
``activity_end``,
``activity_address``,
``unit_name``
``real_name``          the volunteer's name (else the nickname)
``hours``              ``payload["minutes"]`` (else the credited minutes of
                       ``payload["service_record_id"]``) in hours (``2.5``)
``reason``             ``payload["reason"]``, else the body
``help_title``         ``payload["help_title"]``, else the title
any payload key        with a text or number value (``team_name``, ...)
=====================  ===========================================================

What callers put in the payload: ``activity_id`` for activity kinds; ``service_record_id``
(or ``minutes`` and, if any, ``activity_id``) and ``reason`` for hours; ``help_request_id``,
``help_title`` and ``team_name`` for help requests.
"""

import re
import string
from datetime import date, datetime

from flask import current_app

from api.accounts.models import User
from api.activities.models import Activity
from api.extensions import db
from api.hours.models import ServiceRecord
from api.notifications.kinds import LABELS, STATUS_PHRASES
from api.notifications.models import Notification
from api.timeutil import to_local

_KEY_TYPE = re.compile(r"^([a-z_]+?)\d+$")
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
ELLIPSIS = "…"
EMPTY = "无"


def template_for(kind: str) -> dict | None:
    """The configured template of ``kind`` (None: this kind is never sent to WeChat)."""
    template = current_app.config["NOTIFICATION_TEMPLATES"].get(kind)
    return template if template and template.get("template_id") else None


def configured_template_ids() -> set[str]:
    return {
        template["template_id"]
        for template in current_app.config["NOTIFICATION_TEMPLATES"].values()
        if template and template.get("template_id")
    }


def local_time_text(moment: datetime) -> str:
    """``2026年12月1日 15:00`` (Asia/Shanghai), WeChat's ``time`` format."""
    local = to_local(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _date_text(value: date) -> str:
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _number_text(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    digits = re.sub(r"[^\d.]", "", str(value))
    whole, _, fraction = digits.partition(".")
    return (whole or "0") + ("." + fraction.replace(".", "") if fraction else "")


def fit_value(key: str, value) -> str:
    """``value`` as WeChat accepts it for template key ``key``, cut to the key type's limit
    (``thing`` 20 characters, ``phrase`` 5 汉字, ``name`` 10 汉字 or 20 letters, ...)."""
    match = _KEY_TYPE.match(key)
    kind = match.group(1) if match else "thing"
    if kind in ("time", "date") and isinstance(value, date):
        return (
            local_time_text(value)
            if kind == "time" and isinstance(value, datetime)
            else _date_text(value)
        )
    if isinstance(value, datetime):
        value = local_time_text(value)
    text = _SPACES.sub(" ", "" if value is None else str(value)).strip()
    if kind == "phrase":
        return _NOT_CJK.sub("", text)[:5] or EMPTY
    if kind == "name":
        return (text[:20] if text.isascii() else text[:10]) or EMPTY
    if kind == "number":
        return _number_text(value if value is not None else 0)[:32]
    if kind in ("character_string", "letter"):
        allowed = r"[^\x21-\x7e]" if kind == "character_string" else r"[^A-Za-z]"
        return re.sub(allowed, "", text)[:32] or "-"
    if kind == "phone_number":
        return re.sub(r"[^\d+\-() ]", "", text)[:17]
    if kind == "car_number":
        return text[:8]
    if kind == "symbol":
        return text[:5]
    if kind in ("time", "date", "amount"):
        return text
    return _cut(text, 20) or EMPTY  # thing, and any key type we do not know


def context_of(notification: Notification, user: User | None) -> dict:
    """The values a template can name, for one notification."""
    payload = notification.payload or {}
    values: dict = {
        "title": notification.title,
        "body": notification.body or EMPTY,
        "status": STATUS_PHRASES.get(notification.kind, ""),
        "label": LABELS.get(notification.kind, notification.kind),
        "created_at": notification.created_at,
    }
    values.update(
        {
            key: value
            for key, value in payload.items()
            if isinstance(value, str | int | float) and not isinstance(value, bool)
        }
    )
    record = (
        db.session.get(ServiceRecord, payload["service_record_id"])
        if isinstance(payload.get("service_record_id"), int)
        else None
    )
    if record is not None:
        values.setdefault("minutes", record.credited_minutes)
        if record.activity_id is not None:
            values.setdefault("activity_id", record.activity_id)
    activity = (
        db.session.get(Activity, values["activity_id"])
        if isinstance(values.get("activity_id"), int)
        else None
    )
    if activity is not None:
        values.setdefault("activity_title", activity.title)
        values.setdefault("activity_start", activity.starts_at)
        values.setdefault("activity_end", activity.ends_at)
        values.setdefault("activity_address", activity.address or activity.unit.name)
        values.setdefault("unit_name", activity.unit.name)
    values.setdefault("activity_title", notification.title)
    if isinstance(values.get("minutes"), int | float):
        values.setdefault("hours", round(values["minutes"] / 60, 2))
    values.setdefault("reason", notification.body or EMPTY)
    values.setdefault("help_title", notification.title)
    if user is not None:
        profile = user.volunteer
        values.setdefault("real_name", profile.real_name if profile else user.nickname)
    return values


def _page(pattern: str | None, values: dict) -> str | None:
    if not pattern:
        return None
    try:
        return string.Formatter().vformat(pattern, (), values)
    except (KeyError, IndexError, ValueError):
        return pattern.split("?", 1)[0]  # the page without the parameter we do not have


def render(template: dict, values: dict) -> tuple[dict[str, str], str | None]:
    """The ``data`` (each value fitted to its key) and the ``page`` of one message."""
    data = {}
    for key, source in template["data"].items():
        if source.startswith("="):
            value = source[1:]
        else:
            value = values.get(source)
            if (
                value is None
                and _KEY_TYPE.match(key)
                and _KEY_TYPE.match(key).group(1) in ("time", "date")
            ):
                value = values["created_at"]  # an empty time is not a valid time
        data[key] = fit_value(key, value)
    return data, _page(template.get("page"), values)
