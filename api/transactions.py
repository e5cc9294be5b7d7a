"""The one transaction rule of the project, and the helper that carries it out.

**Rule: a service that changes data owns its unit of work, and only `atomic()` ends one.**

- A service function that writes runs its writes inside `atomic()`: as a decorator
  (`@atomic()`) when the whole function is the unit of work, or as a block
  (`with atomic(): ...`) when only part of it is (a batch of an import, one message of the
  outbox). On success the unit commits; on any exception every write of it is rolled back and
  the exception goes on, so a refused request leaves no partial change (DESIGN §4 invariant 8).
- Units nest: an `atomic()` entered inside another joins it. Only the outermost one commits
  or rolls back, so a service may call another service and the two succeed or fail together.
  An exception raised inside an inner unit must reach the outer one: catching it half-way
  would commit the outer unit with the inner writes in it.
- Nothing else commits or rolls back: no view, task, CLI command, importer or test helper calls
  `db.session.commit()` or `rollback()`. Views and tasks call services; a read never writes
  (a GET opens no unit). `tests/test_transaction_rule.py` fails on a new direct call.
- Inside a unit, `db.session.flush()` is the way to get an id or to surface a constraint
  error early; it is not a commit.
- A conditional UPDATE that guards a race (`lock_activity`, the 我来帮 state table) is the
  first write of its unit and the commit ends it: hold a lock for as short a time as the rule
  allows, and never wait on the network inside a unit (send after the commit, or through the
  outbox).

Only the outermost `atomic()` rolls back, so after a failure the session is clean for the next
unit of the same request, task or command.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from api.extensions import db

_DEPTH = "atomic_depth"


@contextmanager
def atomic() -> Iterator[None]:
    """Run a unit of work: commit its writes when the outermost unit ends normally, roll them all
    back when it raises. Usable as `with atomic():` or as the decorator `@atomic()`."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth
