"""INSERT … ON CONFLICT on either database the project runs on.

The generic ``sqlalchemy.insert`` has no ``ON CONFLICT``; PostgreSQL's and SQLite's own
``insert`` constructs both have it (``on_conflict_do_nothing``, ``on_conflict_do_update``,
with the same arguments), so a statement built on :func:`dialect_insert` reads the same on
both.
"""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert


def dialect_insert(table, dialect_name: str) -> Insert:
    """``INSERT INTO table`` built with the named dialect's construct (``"postgresql"``, else
    SQLite's), ready for its ``on_conflict_*`` clause."""
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)
