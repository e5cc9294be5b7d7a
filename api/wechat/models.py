"""What the WeChat client keeps in the database, so every worker process shares it."""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow


class WeChatAccessToken(db.Model):
    """The mini-program's ``stable_token``, one row per appid.

    ``refresh_lease_until`` is taken with a conditional update by the one worker that
    refreshes; the others wait for its token instead of fetching their own.
    """

    __tablename__ = "wechat_access_tokens"

    appid: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(String(512))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WxaCodeImage(db.Model):
    """A 小程序码 image from ``getwxacodeunlimit``; the same page and scene always give the
    same code, so it is fetched once and served from here."""

    __tablename__ = "wechat_wxacode_images"

    cache_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
