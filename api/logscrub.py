"""Secrets never reach a log: every log record is scrubbed as it is made.

WeChat wants its ``access_token``, ``secret`` and ``js_code`` in the query string, and
``requests`` puts the whole URL into its exceptions; calendar feeds and check-in codes carry a
``token`` in theirs, which access logs write down. A log record factory (process-wide, so
gunicorn's and werkzeug's access logs are covered too) replaces the value of every such
parameter with ``[REDACTED]`` in the message and in the formatted traceback.
"""

import logging
import re

SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "js_code",
    "secret",
    "code",
    "token",
    "password",
)
_SECRET_VALUE = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(" + "|".join(SECRET_PARAMETERS) + r")=[^&\s'\"<>)]+"
)
REDACTED = "[REDACTED]"
_formatter = logging.Formatter()


def scrub(text: str) -> str:
    """``text`` with the values of secret URL parameters replaced by ``[REDACTED]``."""
    if "=" not in text:  # no parameter at all (most lines: a request's line, for one)
        return text
    return _SECRET_VALUE.sub(lambda match: f"{match.group(1)}={REDACTED}", text)


def _scrubbed(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it to the handler to report
        return record
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text: the traceback (chained exceptions too) is written scrubbed.
        record.exc_text = scrub(_formatter.formatException(record.exc_info))
    return record


def install() -> None:
    """Scrub every log record of this process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "scrubs_secrets", False):
        return

    def scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
        return _scrubbed(factory(*args, **kwargs))

    scrubbing_factory.scrubs_secrets = True
    logging.setLogRecordFactory(scrubbing_factory)
