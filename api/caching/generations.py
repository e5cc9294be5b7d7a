"""Where the data generations of the public response cache live: Redis when ``REDIS_URL`` is
set, else the database.

A generation names the state of one family of data (``calendar``: activities, sign-ups,
attendances, units and teams; ``stats``: the statistics snapshots and units). Every transaction
that changes a family moves its generation on; a cached answer is reused only under the
generation it was made with (:mod:`api.caching.public`).

* **Database** (no Redis): the row ``cache_generations.<family>`` is incremented inside the
  writing transaction, just before it commits, so the new generation and the writes become
  visible together. A read costs one SELECT by primary key.
* **Redis** (``REDIS_URL``): after the writing transaction commits, and before its request
  answers, the family's key gets a new random token. A read costs one GET and no database
  connection, on a connection each process keeps for it (:func:`redis_client`). Tokens are
  random (128 bits), never counters: a Redis restart or flush can never bring an old
  generation back, and with it an old cached answer. A reader that finds no token sets a
  fresh one (``SET NX``). Every token lives ``PUBLIC_CACHE_TOKEN_SECONDS``: should Redis fail
  just when a commit publishes (the write stands, the token does not move), the old token is
  gone that long after. Redis unreachable when reading: no generation, and the caller serves
  no cached answer (the view answers from the database).

A reader always reads the generation *before* the data it caches: a write that commits in
between files newer data under the older generation, never older data under the newer one.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets

from flask import current_app
from sqlalchemy import Insert, bindparam, select
from sqlalchemy.orm import Session

from api.caching.models import CacheGeneration
from api.extensions import db, namespaced
from api.sql_upsert import dialect_insert

log = logging.getLogger(__name__)
_CLIENT = "cache_generations_redis"


def uses_redis() -> bool:
    """True when this app keeps its generations in Redis (``REDIS_URL`` is set)."""
    return bool(current_app.config.get("REDIS_URL"))


def redis_client():
    """This process's Redis client for the generations: one connection, kept and reused.

    Every anonymous public read sends one GET on it. Going through a pool would cost about a
    third of that GET's CPU (taking and giving back a connection, its checks), for nothing:
    a worker serves one request at a time (a lock orders the threads of a threaded worker).
    A forked worker makes its own, never the one it inherited. Short timeouts: a Redis that
    does not answer must not hold a public read up, and a connection Redis dropped (a restart)
    is made anew at once, once, where a pool would have checked it out afresh."""
    pid, client = current_app.extensions.get(_CLIENT, (None, None))
    if pid != os.getpid():
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            single_connection_client=True,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        )
        current_app.extensions[_CLIENT] = (os.getpid(), client)
    return client


def _key(family: str) -> str:
    return namespaced(f"cache-generation:{family}")


def current(family: str) -> str | None:
    """The family's generation now committed; None when Redis is configured but unreachable
    (then nothing may be served from the cache)."""
    if not uses_redis():
        value = db.session.scalar(
            select(CacheGeneration.value).where(CacheGeneration.name == family)
        )
        return f"db:{value or 0}"
    try:
        client = redis_client()
        token = client.get(_key(family))
        if token is None:
            client.set(
                _key(family),
                secrets.token_hex(16),
                nx=True,
                ex=current_app.config["PUBLIC_CACHE_TOKEN_SECONDS"],
            )
            token = client.get(_key(family))
    except Exception:  # redis.RedisError and socket errors alike: answer uncached
        log.warning("cache generation of %s unreadable: answering uncached", family, exc_info=True)
        return None
    return None if token is None else "redis:" + token.decode()


@functools.cache
def _bump_statement(dialect_name: str) -> Insert:
    # Built once per dialect, with a parameter: every sign-up's commit runs it.
    table = CacheGeneration.__table__
    return (
        dialect_insert(table, dialect_name)
        .values(name=bindparam("family"), value=1)
        .on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + 1})
    )


def bump_in_transaction(session: Session, family: str) -> None:
    """Database generations: move ``family`` on inside the session's transaction (an upsert:
    concurrent first writes after the row was emptied cannot collide)."""
    statement = _bump_statement(session.get_bind().dialect.name)
    session.execute(statement, {"family": family})


def publish(families: set[str]) -> None:
    """Redis generations: give each family a new token, after the commit of its writes."""
    ttl = current_app.config["PUBLIC_CACHE_TOKEN_SECONDS"]
    try:
        pipeline = redis_client().pipeline(transaction=False)
        for family in sorted(families):
            pipeline.set(_key(family), secrets.token_hex(16), ex=ttl)
        pipeline.execute()
    except Exception:  # the data is committed; the old token lasts at most `ttl` seconds
        log.error(
            "cache generations %s not moved on after a commit: cached public answers "
            "may lag for up to %s s",
            sorted(families),
            ttl,
            exc_info=True,
        )
