"""A response cache for anonymous calendar reads, correct at once after every write.

Any transaction that writes activities, sign-ups, units or teams (through the unit of work or
an ORM ``UPDATE``/``INSERT``/``DELETE`` statement) bumps the ``calendar`` generation just
before it commits, in the same transaction: the new generation and the writes become
visible together. An anonymous GET of a cached view reads
that one row by primary key; the same path, query and generation answer the bytes made
before (or ``304`` to a client holding them, by ``ETag``), anything else runs the view. So a
sign-up shows in the counts on the very next read, in every worker and on every machine,
while unchanged pages cost one indexed read instead of their queries and serialisation.

An answer that changes by the clock alone (an activity whose sign-up opens or closes at a
set time) says when with :func:`expire_at`; its entry is not used from that moment on. The
local date is part of the key, for answers whose defaults depend on today.

Requests that carry credentials (an ``Authorization`` header or any cookie) are never
cached: their answers may hold the viewer's own sign-up.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from datetime import datetime

from flask import Response, current_app, g, request
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.activities.models import Activity
from api.caching.models import CacheGeneration
from api.extensions import db
from api.signups.models import Attendance, Signup
from api.timeutil import local_today, utcnow
from api.units.models import Team, Unit

CALENDAR = "calendar"
_TRACKED = (Activity, Signup, Attendance, Unit, Team)
_TRACKED_TABLES = {model.__table__ for model in _TRACKED}
_DIRTY = "calendar_generation_dirty"
MAX_ENTRIES = 1024


class _ResponseCache:
    """A bounded, thread-safe LRU of (body, mimetype, expiry) per key, one per app."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[bytes, str, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str, datetime | None] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: tuple[bytes, str, datetime | None]) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _app_cache() -> _ResponseCache:
    cache = current_app.extensions.get("public_response_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("public_response_cache",
                                                  _ResponseCache(MAX_ENTRIES))
    return cache


def current_generation() -> int:
    """The calendar generation now committed (0 before the first write)."""
    value = db.session.scalar(select(CacheGeneration.value)
                              .where(CacheGeneration.name == CALENDAR))
    return value or 0


def bump_generation(session: Session) -> None:
    """Move the calendar generation on inside the session's transaction, so it becomes
    visible together with the writes it stands for. An upsert: concurrent first writes
    after the row was emptied away cannot collide."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite_insert
    session.execute(insert(CacheGeneration).values(name=CALENDAR, value=1).on_conflict_do_update(
        index_elements=[CacheGeneration.name], set_={"value": CacheGeneration.value + 1}))


def expire_at(moment: datetime | None) -> None:
    """Say that the answer being made changes by itself at ``moment`` (None: never)."""
    if moment is None:
        return
    current = g.get("public_cache_expires")
    if current is None or moment < current:
        g.public_cache_expires = moment


def cached_public_read(view):
    """Serve an anonymous GET of ``view`` from the response cache (see the module)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or request.authorization or request.cookies:
            return view(*args, **kwargs)
        generation = current_generation()
        key = (request.path, tuple(sorted(request.args.items(multi=True))), generation,
               local_today())
        etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        cache = _app_cache()
        entry = cache.get(key)
        if entry is None or (entry[2] is not None and utcnow() >= entry[2]):
            g.public_cache_expires = None
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            entry = (response.get_data(), response.mimetype, g.public_cache_expires)
            cache.put(key, entry)
        body, mimetype, expires = entry
        if expires is not None:
            etag += f"-{int(expires.timestamp())}"
        response = Response(body, status=200, mimetype=mimetype)
        response.set_etag(etag)
        response.cache_control.public = True
        response.cache_control.no_cache = True  # always revalidate: counts change
        return response.make_conditional(request)

    return wrapper


def _note_flush(session: Session, flush_context) -> None:
    if any(isinstance(instance, _TRACKED)
           for instance in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


def _note_statement(orm_execute_state) -> None:
    if not (orm_execute_state.is_update or orm_execute_state.is_delete
            or orm_execute_state.is_insert):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    if table in _TRACKED_TABLES:
        orm_execute_state.session.info[_DIRTY] = True


def _before_commit(session: Session) -> None:
    session.flush()  # the pending writes note themselves first
    if session.info.pop(_DIRTY, False):
        bump_generation(session)


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_DIRTY, None)


def install() -> None:
    """Listen to every session (idempotent)."""
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
