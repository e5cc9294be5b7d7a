"""A response cache for anonymous public reads, correct at once after every write.

A view decorated with :func:`cached_public_read` belongs to a *family* of data (``calendar``:
activities, sign-ups, attendances, units, teams; ``stats``: the statistics snapshots, units).
Any transaction that writes one of the family's tables (through the unit of work or an ORM
``UPDATE``/``INSERT``/``DELETE`` statement) moves the family's generation on
(:mod:`api.caching.generations`: in the same transaction in the database, or right after its
commit in Redis). An anonymous GET of a cached view reads the generation first; the same
path, query, generation and local date answer the bytes made before (or ``304`` to a client
holding them, by ``ETag``), anything else runs the view. So a sign-up shows in the counts on
the very next read, in every worker and on every machine, while unchanged pages cost one
generation read instead of their queries and serialisation.

A cache hit is served by a ``before_request`` hook, after the request log's and the rate
limiter's hooks and before flask-smorest parses any argument; the response still passes
every ``after_request`` hook (security headers, request id). A miss goes on to the view, whose
decorator keeps its answer under the key the hook computed.

An answer that changes by the clock alone (an activity whose sign-up opens or closes at a
set time, a statistics snapshot growing old) says when with :func:`expire_at`; its entry is
not used from that moment on. The local date is part of the key, for answers whose defaults
depend on today. The ``ETag`` is a hash of the body: a ``304`` always means the same bytes.

Requests that carry credentials (an ``Authorization`` header or any cookie) are never
cached: their answers may hold the viewer's own sign-up. A view may still build such an
answer on the anonymous one with :func:`shared_answer` (the cached bytes, or made and kept
for anonymous readers too), adding only what is the viewer's own.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, current_app, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.activities.models import Activity
from api.caching import generations
from api.caching.lru import BoundedCache, app_cache
from api.signups.models import Attendance, Signup
from api.stats.snapshots import StatsSnapshot
from api.timeutil import local_today, utcnow
from api.units.models import Team, Unit

CALENDAR = "calendar"
STATS = "stats"
#: What each family's answers are made of: a write to one of these tables moves it on.
FAMILIES: dict[str, tuple[type, ...]] = {
    CALENDAR: (Activity, Signup, Attendance, Unit, Team),
    STATS: (StatsSnapshot, Unit),
}
_FAMILIES_OF_MODEL = {
    model: {family for family, models in FAMILIES.items() if model in models}
    for models in FAMILIES.values()
    for model in models
}
_FAMILIES_OF_TABLE = {model.__table__: families for model, families in _FAMILIES_OF_MODEL.items()}
_CHANGED = "public_cache_changed"
_ATTRIBUTE = "public_cache_family"
MAX_ENTRIES = 1024
#: The Cache-Control of a kept answer whose view set none.
ALWAYS_REVALIDATE = "public, no-cache"


@dataclass(frozen=True)
class _Entry:
    body: bytes
    mimetype: str
    etag: str
    cache_control: str | None
    expires: datetime | None


def _app_cache() -> BoundedCache:
    return app_cache("public_response_cache", MAX_ENTRIES)


def expire_at(moment: datetime | None) -> None:
    """Say that the answer being made changes by itself at ``moment`` (None: never)."""
    if moment is None:
        return
    current = g.get("public_cache_expires")
    if current is None or moment < current:
        g.public_cache_expires = moment


def note_change(session: Session, *families: str) -> None:
    """Say that the session's transaction changed ``families`` (all of them when none is
    named), for writes the listeners cannot see (raw SQL through ``text()``)."""
    session.info.setdefault(_CHANGED, set()).update(families or FAMILIES)


def _answer(entry: _Entry) -> Response:
    response = Response(entry.body, status=200, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    # Without the view's own: always revalidate (counts change). The header is written as
    # a string, not through ``response.cache_control``, which parses and writes it anew
    # at each attribute set.
    response.headers["Cache-Control"] = entry.cache_control or ALWAYS_REVALIDATE
    return response.make_conditional(request)


def _request_key(family: str) -> tuple | None:
    """The key of this request's anonymous answer in ``family``'s cache, its generation
    read first; None when Redis is unreachable (nothing may be served from the cache)."""
    generation = generations.current(family)
    if generation is None:
        return None
    return (request.path, tuple(sorted(request.args.items(multi=True))), generation, local_today())


def _kept(key: tuple) -> _Entry | None:
    """The entry kept under ``key``, while its answer holds."""
    entry = _app_cache().get(key)
    if entry is not None and (entry.expires is None or utcnow() < entry.expires):
        return entry
    return None


def _keep(key: tuple, response: Response) -> _Entry:
    """Keep a 200 ``response`` of a view under ``key``, until :func:`expire_at` said."""
    body = response.get_data()
    entry = _Entry(
        body,
        response.mimetype,
        hashlib.sha256(body).hexdigest()[:32],
        response.headers.get("Cache-Control"),
        g.public_cache_expires,
    )
    _app_cache().put(key, entry)
    return entry


def shared_answer(make: Callable[[], Response | None], family: str = CALENDAR) -> dict | None:
    """For a viewer's GET of a cached view: the anonymous answer to the same request, as
    JSON data, from ``family``'s cache or from ``make`` (the 200 answer an anonymous reader
    gets, or None when they get none), kept for anonymous readers too. None when there is
    none to share, or Redis is unreachable."""
    key = _request_key(family)
    if key is None:
        return None
    entry = _kept(key)
    if entry is None:
        g.public_cache_expires = None
        response = make()
        if response is None:
            return None
        entry = _keep(key, response)
    return json.loads(entry.body)


def serve_cached():
    """``before_request``: answer an anonymous GET of a cached view from the cache, or note
    the key under which its view's answer is to be kept."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    family = getattr(view, _ATTRIBUTE, None)
    if (
        family is None
        or request.method != "GET"
        or "Authorization" in request.headers
        or request.cookies
    ):  # any Authorization header, even one not parsed, is a viewer
        return None
    key = _request_key(family)
    if key is None:  # Redis unreachable: the view answers, uncached
        return None
    entry = _kept(key)
    if entry is not None:
        return _answer(entry)
    g.public_cache_key = key
    return None


def cached_public_read(view=None, *, family: str = CALENDAR):
    """Serve anonymous GETs of ``view`` from the response cache of ``family`` (see the
    module). Usable bare (``@cached_public_read``) or with a family."""
    if view is None:
        return functools.partial(cached_public_read, family=family)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = g.pop("public_cache_key", None)
        if key is None:  # not cacheable (credentials, another method, Redis down)
            return view(*args, **kwargs)
        g.public_cache_expires = None
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        return _answer(_keep(key, response))

    setattr(wrapper, _ATTRIBUTE, family)
    return wrapper


# --- noting writes ---------------------------------------------------------------------------


def _note_flush(session: Session, flush_context) -> None:
    changed = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        changed |= _FAMILIES_OF_MODEL.get(type(instance), set())
    if changed:
        session.info.setdefault(_CHANGED, set()).update(changed)


def _note_statement(orm_execute_state) -> None:
    if not (
        orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert
    ):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    changed = _FAMILIES_OF_TABLE.get(table)
    if changed:
        orm_execute_state.session.info.setdefault(_CHANGED, set()).update(changed)


def _redis_generations() -> bool:
    return has_app_context() and generations.uses_redis()


def _before_commit(session: Session) -> None:
    session.flush()  # the pending writes note themselves first
    if _redis_generations():
        return  # published after the commit
    for family in sorted(session.info.pop(_CHANGED, ())):
        generations.bump_in_transaction(session, family)


def _after_commit(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed and _redis_generations():
        generations.publish(changed)


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_CHANGED, None)


def install(app: Flask) -> None:
    """Serve cache hits in ``app`` before its views, and listen to every session (the
    listeners once per process)."""
    app.before_request(serve_cached)
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
