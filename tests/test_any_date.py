"""The suite passes on any date: a representative part of it runs again under libfaketime
(Debian package ``faketime``) with the system clock moved to a nasty moment.

Tests take "now" from the application clock (``api.timeutil.utcnow``) and freeze it where
they check calendar logic (``frozen_clock``); code never reads the system clock directly.
A test or a code path that reads the real date instead fails here, on any day of the year,
and not only in the month where it happens to go wrong.
"""

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# 00:30 on 1 January 2027 in Asia/Shanghai is 16:30 on 31 December 2026 in UTC: the local
# and the UTC day, month and year all differ (the stats failure of December 2026 was a
# "this month" computed from the real clock).
SHIFTED = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
# Calendar logic (local days, months, years; "this month", "this year", "coming"): tests
# that freeze the application clock fail here when a code path reads the system clock.
SUBSET = [
    "tests/stats/test_stats_corpus.py::test_stats_on_the_corpus_equal_independent_counts",
    "tests/stats/test_stats_corpus.py::test_volunteers_hours_and_help_requests",
    "tests/stats/test_stats_corpus.py::"
    "test_active_this_month_counts_registered_volunteers_of_the_local_month",
    "tests/feeds/test_calendar_feeds.py",
    "tests/activities/test_calendar.py",
    "tests/hours/test_my_hours.py",
    "tests/points/test_points_earning.py",
]
LIBRARY_DIRS = [
    "/usr/lib/x86_64-linux-gnu/faketime",
    "/usr/lib/aarch64-linux-gnu/faketime",
    "/usr/lib/faketime",
    "/usr/local/lib/faketime",
]


def _libfaketime() -> str | None:
    """``FAKETIME_LIB`` if set, else where Debian's ``faketime`` package puts the library."""
    if os.environ.get("FAKETIME_LIB"):
        return os.environ["FAKETIME_LIB"]
    for directory in LIBRARY_DIRS:
        candidate = Path(directory) / "libfaketime.so.1"
        if candidate.is_file():
            return str(candidate)
    return None


def _faked_environment(library: str, moment: datetime) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "FAKETIME"))
    }
    env.update(
        LD_PRELOAD=" ".join(filter(None, [library, env.get("LD_PRELOAD")])),
        # An offset, not "@moment": every process started (mkdocs, a second writer) shares
        # the one shifted clock, which starts at the moment now and runs on.
        FAKETIME=f"{moment.timestamp() - time.time():+.0f}",
        TZ="UTC",
        # Only the wall clock moves: with a faked monotonic clock, libfaketime 0.9.10 makes
        # Python's lock timeouts wait for ever (sem_clockwait is not intercepted; and its
        # time.sleep fails with EINVAL when monotonic is left alone, so the subset never
        # sleeps). File times stay real (no stale .pyc).
        FAKETIME_DONT_FAKE_MONOTONIC="1",
        NO_FAKE_STAT="1",
    )
    return env


@pytest.mark.skipif("FAKETIME" in os.environ, reason="already running under libfaketime")
def test_the_calendar_tests_pass_on_new_years_night_in_china():
    library = _libfaketime()
    if library is None:
        pytest.skip("libfaketime not found: apt-get install faketime (or set FAKETIME_LIB)")
    env = _faked_environment(library, SHIFTED)
    probe = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert abs(float(probe.stdout) - SHIFTED.timestamp()) < 120, "libfaketime moved no clock"

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            *SUBSET,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    tail = "\n".join(run.stdout.splitlines()[-30:])
    assert run.returncode == 0, f"at {SHIFTED} (UTC):\n{tail}\n{run.stderr}"
    passed = re.search(r"(\d+) passed", tail)
    assert passed and int(passed.group(1)) > 50, tail
