"""Local (Asia/Shanghai) dates and months of stored moments, computed by the database.

Moments are stored as naive UTC (:class:`api.db_types.UTCDateTime`). Asia/Shanghai has kept
UTC+8 without daylight saving since 1991, so a fixed shift turns them into local time on
both SQLite and PostgreSQL, and a ``GROUP BY`` on these expressions groups by local day or
month without loading rows into Python.
"""

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

LOCAL_OFFSET_HOURS = 8


class local_month(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """``YYYY-MM`` of a stored UTC datetime, in local time."""

    type = String()
    inherit_cache = True


class local_date(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """The local calendar date of a stored UTC datetime (``YYYY-MM-DD`` text on SQLite)."""

    type = Date()
    inherit_cache = True


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    (moment,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(moment, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    return (
        f"to_char({compiler.process(moment, **kw)} + interval '{LOCAL_OFFSET_HOURS} hours',"
        f" 'YYYY-MM')"
    )


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    (moment,) = element.clauses
    return f"date({compiler.process(moment, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    return f"CAST({compiler.process(moment, **kw)} + interval '{LOCAL_OFFSET_HOURS} hours' AS DATE)"
