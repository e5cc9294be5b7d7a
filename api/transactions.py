"""Transaction helpers shared by the services."""

from collections.abc import Iterator
from contextlib import contextmanager

from api.extensions import db


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Commit what the block wrote, or roll every write of it back when it raises: a
    refused request leaves no partial change (DESIGN §4 invariant 8)."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
