"""The access token every worker shares.

WeChat's ``stable_token`` is valid for two hours and the daily number of fetches is limited,
so the token lives in the database: gunicorn workers, ``flask jobs run`` and the worker
thread all read the same row. It is refreshed five minutes before it expires, or at once
when WeChat rejects it (40001/42001); a lease taken with a conditional update lets exactly
one process fetch while the others wait for its answer.
"""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.timeutil import utcnow
from api.wechat.models import WeChatAccessToken

# Refresh this long before WeChat's expiry, so no call goes out with a dying token.
REFRESH_MARGIN = timedelta(minutes=5)

# ``fetch(force_refresh)`` asks WeChat for a token: ``(access_token, expires_in_seconds)``.
Fetch = Callable[[bool], tuple[str, int]]


class TokenUnavailable(Exception):
    """Another process holds the refresh lease and did not produce a token in time."""


class MemoryTokenStore:
    """A token cached in this process only (scripts, or a client without a database)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = None
        self._rejected: str | None = None

    def get(self, fetch: Fetch) -> str:
        with self._lock:
            now = utcnow()
            if self._token and self._expires_at - REFRESH_MARGIN > now:
                return self._token
            token, expires_in = fetch(False)
            if self._rejected is not None and token == self._rejected:
                token, expires_in = fetch(True)
            self._token, self._rejected = token, None
            self._expires_at = now + timedelta(seconds=expires_in)
            return token

    def invalidate(self, token: str) -> None:
        with self._lock:
            if token == self._token:
                self._token, self._rejected = None, token


class DatabaseTokenStore:
    """The token in the ``wechat_access_tokens`` row of one appid.

    It uses connections of its own (not the caller's session), so reading or refreshing the
    token never commits the caller's work. On SQLite, call the client before writing in the
    same transaction: a refresh is a write and would wait for the caller's lock.
    """

    table = WeChatAccessToken.__table__

    def __init__(
        self,
        engine: Engine,
        appid: str,
        *,
        lease_seconds: float = 30.0,
        wait_seconds: float = 35.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self.engine = engine
        self.appid = appid
        self.lease = timedelta(seconds=lease_seconds)
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds

    def get(self, fetch: Fetch) -> str:
        """A valid token: the shared one, or a fresh one fetched under the lease.

        :raises TokenUnavailable: when another process's refresh took too long.
        """
        deadline = time.monotonic() + self.wait_seconds
        while True:
            row = self._read()
            if self._usable(row):
                return row.access_token
            if self._take_lease():
                return self._refresh(fetch)
            if time.monotonic() > deadline:
                raise TokenUnavailable("another worker is refreshing the access token")
            time.sleep(self.poll_seconds)

    def invalidate(self, token: str) -> None:
        """Mark ``token`` as rejected by WeChat (if it is still the shared one)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(self.table.c.appid == self.appid, self.table.c.access_token == token)
                .values(expires_at=None)
            )

    @staticmethod
    def _usable(row) -> bool:
        return bool(
            row is not None
            and row.access_token
            and row.expires_at is not None
            and row.expires_at - REFRESH_MARGIN > utcnow()
        )

    def _read(self):
        with self.engine.connect() as connection:
            return connection.execute(
                select(self.table).where(self.table.c.appid == self.appid)
            ).first()

    def _take_lease(self) -> bool:
        now = utcnow()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(self.table)
                .where(
                    self.table.c.appid == self.appid,
                    or_(
                        self.table.c.refresh_lease_until.is_(None),
                        self.table.c.refresh_lease_until < now,
                    ),
                )
                .values(refresh_lease_until=now + self.lease)
            ).rowcount
            if taken:
                return True
            if (
                connection.execute(
                    select(self.table.c.appid).where(self.table.c.appid == self.appid)
                ).first()
                is not None
            ):
                return False
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(self.table).values(
                        appid=self.appid, refresh_lease_until=now + self.lease
                    )
                )
        except IntegrityError:  # another process created the row first: it holds the lease
            return False
        return True

    def _release(self, **values) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(self.table.c.appid == self.appid)
                .values(refresh_lease_until=None, **values)
            )

    def _refresh(self, fetch: Fetch) -> str:
        row = self._read()
        if self._usable(row):  # refreshed by another process between our read and the lease
            self._release()
            return row.access_token
        # A token that WeChat rejected has no expiry left; a normal fetch may answer the very
        # same token (stable_token is stable), then only a forced refresh replaces it.
        rejected = row.access_token if row is not None and row.expires_at is None else None
        try:
            token, expires_in = fetch(False)
            if rejected is not None and token == rejected:
                token, expires_in = fetch(True)
        except BaseException:
            self._release()
            raise
        now = utcnow()
        self._release(
            access_token=token, expires_at=now + timedelta(seconds=expires_in), fetched_at=now
        )
        return token
