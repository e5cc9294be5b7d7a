"""HTTP benchmark of the platform at county scale against a bare-Flask baseline (not a test).

    # once: a database with the county-scale dataset and its search index
    flask db upgrade && flask seed scale --content-dir /tmp/scale-content
    CONTENT_DIR=/tmp/scale-content flask search rebuild
    # then, with the same DATABASE_URL, SEARCH_INDEX_DIR and CONTENT_DIR in the environment,
    # and REDIS_URL as a deployment sets it (a Redis database of the benchmark's own):
    REDIS_URL=redis://127.0.0.1:6379/5 \
        python benchmarks/http_bench.py --duration 10 --results "after: calendar index"

Without ``REDIS_URL`` the public cache keeps its generations in the database (one SELECT
per cached read instead of one Redis GET), the rate limits count per process and the task
queue is a SQLite file: a one-machine setup, slower on the cached rows. The report's first
line says which.

Serves the platform (``wsgi:app``) and ``benchmarks/bare_app.py`` with the same gunicorn
settings (the project's ``gunicorn.conf.py`` when present, 2 sync workers, preload), then
loads each endpoint with wrk (Debian package ``wrk``), interleaved with the bare endpoint,
round after round, so both see the same machine. It prints req/s, p50 and p99, the ratio to
the bare endpoint, the CPU milliseconds per request of the app's workers and the database's
backends (what a loaded machine changes least), and the load average; then the sign-up
rush: ``--rush`` new users sign up at once for one activity with 50 places, from 8 client
processes (sign-ups/s, the overbooking check, and the CPU per sign-up of app, database and
client). ``--results`` appends the table
to ``benchmarks/RESULTS.md`` under that label.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
VENV_BIN = Path(sys.executable).parent
RESULTS = REPO_ROOT / "benchmarks" / "RESULTS.md"
RUSH_PLACES = 50
RUSH_TITLE = "抢报名压测活动"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved rounds (bare, endpoint) per endpoint"
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rush", type=int, default=2_000, help="users in the sign-up rush")
    parser.add_argument("--only", default="", help="comma-separated row names to run")
    parser.add_argument("--results", default="", help="append the table to RESULTS.md")
    return parser.parse_args()


# -- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn serving ``target`` on a free port, with the project's settings."""

    def __init__(
        self,
        target: str,
        workers: int,
        env: dict,
        chdir: Path = REPO_ROOT,
        project_config: bool = True,
    ):
        self.port = free_port()
        command = [str(VENV_BIN / "gunicorn")]
        config = REPO_ROOT / "gunicorn.conf.py"
        if project_config and config.exists():
            command += ["--config", str(config)]
        command += [
            "--chdir",
            str(chdir),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--preload",
            # Nothing about logging: the project's configuration writes no access log (the
            # app logs one JSON line per request); ``--access-logfile /dev/null`` would make
            # gunicorn format one more line per request that production never does.
            target,
        ]
        # cwd too: gunicorn reads ./gunicorn.conf.py of its working directory by itself.
        self.process = subprocess.Popen(command, env=env, cwd=chdir, start_new_session=True)
        self._wait()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not start within 120 s")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


# -- load ------------------------------------------------------------------------------------


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    errors: int
    requests: int


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


_ROTATE = """
local paths = {%s}
function setup(thread)
  thread:set("seed", os.time() * 7 + #paths + math.random(1000000))
end
function init(args)
  math.randomseed(seed)
  counter = math.random(#paths)
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def rotation_script(paths: list[str]) -> str:
    """A wrk script asking ``paths`` in turn, each thread from a random place: every request
    a different question (cold for the server's result caches while ``paths`` is long)."""
    path = Path(tempfile.mkstemp(prefix="http-bench-", suffix=".lua")[1])
    path.write_text(_ROTATE % ", ".join(json.dumps(item) for item in paths), encoding="utf-8")
    return str(path)


def wrk(
    url: str, duration: float, connections: int, token: str | None, script: str | None = None
) -> Run:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    finished = subprocess.run(command + [url], capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"wrk failed on {url}: {finished.stdout}{finished.stderr}")
    output = finished.stdout
    latency = {
        int(share): float(value) * _UNIT_MS[unit] for share, value, unit in _LATENCY.findall(output)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50=latency[50],
        p99=latency[99],
        errors=int(errors.group(1)) if errors else 0,
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
    )


@dataclass
class Row:
    name: str
    path: str
    token: str | None = None
    target: str = ""
    #: asked in turn instead of ``path`` (cold questions), through a wrk script
    rotate: list[str] | None = None


def measure(row: Row, app: Gunicorn, bare: Gunicorn, args) -> dict:
    """Interleave the bare endpoint and ``row`` for ``args.rounds`` rounds."""
    per_round = max(1.0, args.duration / args.rounds)
    script = rotation_script(row.rotate) if row.rotate else None
    wrk(app.base + row.path, 1, args.connections, row.token)  # warm each worker up
    bare_runs, runs, cpu = [], [], {"app": 0.0, "database": 0.0}
    meter = CpuMeter(app.process.pid)
    for _ in range(args.rounds):
        bare_runs.append(wrk(bare.base + "/bare", per_round, args.connections, None))
        meter.start()
        runs.append(wrk(app.base + row.path, per_round, args.connections, row.token, script))
        used = meter.stop()
        for kind in cpu:
            cpu[kind] += used[kind]
    if script:
        os.unlink(script)
    bare_rps = sum(run.rps for run in bare_runs) / len(bare_runs)
    rps = sum(run.rps for run in runs) / len(runs)
    requests = max(1, sum(run.requests for run in runs))
    return {
        "name": row.name,
        "rps": rps,
        "p50": max(run.p50 for run in runs),
        "p99": max(run.p99 for run in runs),
        "ratio": rps / bare_rps,
        "bare": bare_rps,
        "errors": sum(run.errors for run in runs),
        "target": row.target,
        # CPU time per request of the app's workers and the database's backends: what the
        # machine's load changes least.
        "app_cpu": cpu["app"] * 1000 / requests,
        "db_cpu": cpu["database"] * 1000 / requests,
    }


# -- data ------------------------------------------------------------------------------------


def prepare(rush: int) -> dict:
    """Find or make what the rows need: a month, an activity, a volunteer with 2,000 records,
    tokens, and the rush's users and activity."""
    import sqlalchemy as sa

    from api import create_app
    from api.accounts.models import User
    from api.activities.models import Activity
    from api.auth.tokens import issue_token
    from api.extensions import db
    from api.hours.models import ServiceRecord
    from api.timeutil import utcnow

    app = create_app()
    with app.app_context():
        now = utcnow()
        activity = db.session.scalar(
            sa.select(Activity)
            .where(Activity.status == "published", Activity.starts_at > now)
            .order_by(Activity.starts_at)
            .limit(1)
        )
        if activity is None:
            raise SystemExit("no published activity: run `flask seed scale` first")
        month = activity.starts_at.strftime("%Y-%m")
        heavy = db.session.execute(
            sa.select(ServiceRecord.user_id, sa.func.count())
            .group_by(ServiceRecord.user_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        volunteer = db.session.get(User, heavy[0])
        if heavy[1] < 2_000:
            _give_records(volunteer, 2_000 - heavy[1], activity)
        _refresh_statistics()
        rush_activity = _rush_activity(activity, rush)
        rush_tokens = [issue_token(user)[0] for user in _rush_users(rush)]
        return {
            "month": month,
            "activity_id": activity.id,
            "words": _search_words(),
            "token": issue_token(volunteer)[0],
            "rush_activity_id": rush_activity.id,
            "rush_tokens": rush_tokens,
            "records": max(heavy[1], 2_000),
        }


def _search_words() -> list[str]:
    """Words of the activities' titles and descriptions (a fixed sample), for cold searches."""
    import sqlalchemy as sa

    from api.activities.models import Activity
    from api.extensions import db
    from search.analysis import query_tokens

    words = set()
    for title, description in db.session.execute(
        sa.select(Activity.title, Activity.description).order_by(Activity.id).limit(3_000)
    ):
        words.update(
            word
            for word in query_tokens(f"{title} {description}")
            if len(word) >= 2 and not word.isascii()
        )
    return sorted(words)


def cold_searches(words: list[str], per_query: int) -> tuple[list[str], list[str]]:
    """1-word and 2-word searches, each asked once per round of the rotation: the 1-word ones
    vary ``per_page`` (11 to 60) to make enough distinct questions of few words."""
    from urllib.parse import quote

    one = [
        f"/api/v1/search?q={quote(word)}&per_page={per_page}"
        for per_page in range(11, 11 + per_query)
        for word in words
    ]
    two = [
        f"/api/v1/search?q={quote(first + ' ' + second)}"
        for first in words
        for second in words
        if first < second
    ]
    return one, two


def _refresh_statistics() -> None:
    """What the periodic task stats.refresh keeps: the snapshots the county's answer is read
    from (the task lived in ``api.stats.snapshots`` at first; absent from older versions)."""
    try:
        from api.stats.services import refresh_snapshots
    except ImportError:
        try:
            from api.stats.snapshots import refresh_snapshots
        except ImportError:
            print("no stats.refresh in this version: stats are computed in the request")
            return
    print("stats: ", refresh_snapshots())


def _give_records(volunteer, count: int, activity) -> None:
    from api.extensions import db
    from api.hours.models import MANUAL, RecordStatus, ServiceRecord

    served = activity.starts_at - timedelta(days=400)
    db.session.execute(
        ServiceRecord.__table__.insert(),
        [
            {
                "user_id": volunteer.id,
                "activity_id": None,
                "unit_id": activity.unit_id,
                "credited_minutes": 60,
                "source": MANUAL,
                "status": RecordStatus.APPROVED,
                "category": activity.category,
                "served_at": served + timedelta(hours=number),
                "reason": "",
                "review_note": "",
                "created_at": served,
            }
            for number in range(count)
        ],
    )
    db.session.commit()


def _rush_users(count: int) -> list:
    import sqlalchemy as sa

    from api.accounts.models import User
    from api.extensions import db

    prefix = "bench-rush-"
    existing = db.session.scalar(sa.select(sa.func.count()).where(User.openid.like(prefix + "%")))
    if existing < count:
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "openid": f"{prefix}{number}",
                    "nickname": f"抢报{number}",
                    "token_version": 1,
                    "is_active": True,
                    "created_at": datetime.now(UTC),
                }
                for number in range(existing, count)
            ],
        )
        db.session.commit()
    return list(
        db.session.scalars(
            sa.select(User).where(User.openid.like(prefix + "%")).order_by(User.id).limit(count)
        )
    )


def _rush_activity(template, rush: int):
    """A fresh activity with 50 places, open for sign-up (one per run)."""
    import sqlalchemy as sa

    from api.activities.models import Activity
    from api.extensions import db

    earlier = db.session.scalar(sa.select(sa.func.count()).where(Activity.title == RUSH_TITLE))
    # A day of its own: earlier runs' confirmed users must not meet a time conflict here.
    starts = template.starts_at + timedelta(days=1 + earlier)
    activity = Activity(
        title=RUSH_TITLE,
        description="",
        theme=template.theme,
        category=template.category,
        unit_id=template.unit_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=RUSH_PLACES,
        status="published",
        audience="public",
        geofence_metres=None,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process this user may read."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(entry.name), parent, command))
    return found


def _rush_processes(server_pid: int) -> dict[str, list[int]]:
    """The gunicorn workers of ``server_pid`` and the PostgreSQL backends of DATABASE_URL's
    database (their process title names it)."""
    database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0]
    processes = _processes()
    backends = [
        pid
        for pid, _, command in processes
        if database and command.startswith("postgres: ") and f" {database} " in command
    ]
    return {
        "app": [pid for pid, parent, _ in processes if parent == server_pid],
        "database": backends,
    }


class CpuMeter:
    """CPU time used by the app's workers and the database's backends between ``start`` and
    ``stop`` (backends that appear meanwhile count from zero)."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def start(self) -> None:
        self.before = {
            pid: _cpu_seconds(pid)
            for pids in _rush_processes(self.server_pid).values()
            for pid in pids
        }

    def stop(self) -> dict[str, float]:
        return {
            kind: sum(_cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
            for kind, pids in _rush_processes(self.server_pid).items()
        }


def _sign_up_each(base: str, path: str, tokens: list[str]) -> tuple[list[int], float]:
    """Sign each token up in turn over one connection (a connection the server closed is
    opened again, and the same token sent again: a retried sign-up is safe); return the
    statuses and this process's CPU seconds."""
    started = time.process_time()
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    statuses = []
    for token in tokens:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        for attempt in range(3):
            try:
                connection.request("POST", path, body=b"{}", headers=headers)
                response = connection.getresponse()
                response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                if attempt == 2:
                    raise
        statuses.append(response.status)
    connection.close()
    return statuses, time.process_time() - started


def sign_up_rush(
    base: str, activity_id: int, tokens: list[str], threads: int, meter: CpuMeter | None = None
) -> dict:
    """Every token signs up once, ``threads`` client processes at a time (each its own
    connection and slice of the tokens: no lock shared between them, unlike threads under
    one GIL); then the answers' statuses, the activity's counters and, with a ``meter``, the
    CPU milliseconds per sign-up of app, database and client."""
    path = f"/api/v1/activities/{activity_id}/signups"
    host, port = base.removeprefix("http://").split(":")

    def warm_up(token: str) -> None:
        # Each worker's first requests import lazily and configure the ORM's mappers: not
        # part of a sign-up's cost.
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        for _ in range(5):
            connection.request(
                "GET",
                f"/api/v1/activities/{activity_id}",
                headers={"Authorization": f"Bearer {token}"},
            )
            connection.getresponse().read()
        connection.close()

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(warm_up, [tokens[0]] * threads))
    chunks = [tokens[index::threads] for index in range(threads)]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(threads, mp_context=context) as pool:
        list(pool.map(time.sleep, [0.01] * threads))  # every client process started
        if meter:
            meter.start()
        client_before = time.process_time()
        started = time.perf_counter()
        answers = list(pool.map(_sign_up_each, [base] * threads, [path] * threads, chunks))
        elapsed = time.perf_counter() - started
        cpu = meter.stop() if meter else {}
    statuses = [status for part, _ in answers for status in part]
    if meter:  # the client processes, and this one while it waited for them
        cpu["client"] = sum(seconds for _, seconds in answers) + (
            time.process_time() - client_before
        )
    with urllib.request.urlopen(f"{base}/api/v1/activities/{activity_id}") as response:
        detail = json.load(response)
    return {
        "per_second": len(tokens) / elapsed,
        "statuses": sorted(set(statuses)),
        "answers": len(statuses),
        "confirmed": detail.get("confirmed_count"),
        "waitlisted": detail.get("waitlist_count"),
        "cpu_ms": {kind: 1000 * seconds / len(tokens) for kind, seconds in cpu.items()},
    }


# -- report ----------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | ratio to bare | non-2xx | CPU ms/req app + db "
        "| target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['rps']:,.0f} | {row['p50']:.1f} | "
            f"{row['p99']:.1f} | {row['ratio']:.3f} | {row['errors']} | "
            f"{row['app_cpu']:.2f} + {row['db_cpu']:.2f} | {row['target']} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    env = {
        **os.environ,
        "RATELIMIT_ENABLED": "false",
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": str(REPO_ROOT),
    }
    os.environ.update({key: env[key] for key in ("RATELIMIT_ENABLED",)})
    data = prepare(args.rush)
    load_before = os.getloadavg()
    app = Gunicorn("wsgi:app", args.workers, env)
    # The same server settings, without the project's hooks (they load the platform).
    bare = Gunicorn(
        "bare_app:app", args.workers, env, chdir=REPO_ROOT / "benchmarks", project_config=False
    )
    year, month = map(int, data["month"].split("-"))
    last_day = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    month_range = f"start={data['month']}-01&end={data['month']}-{last_day:02d}"
    token = data["token"]
    cold_one, cold_two = cold_searches(data["words"], per_query=50)
    rows = [
        Row(
            "calendar month, page 1", f"/api/v1/activities?{month_range}", None, "≥ 0.40, p99 < 50"
        ),
        Row(
            "month counts widget",
            f"/api/v1/activities/calendar?month={data['month']}",
            None,
            "≥ 0.40, p99 < 50",
        ),
        Row(
            "activity detail, anonymous",
            f"/api/v1/activities/{data['activity_id']}",
            None,
            "≥ 0.40, p99 < 50",
        ),
        Row(
            "activity detail, signed in",
            f"/api/v1/activities/{data['activity_id']}",
            token,
            "≥ 0.50 of floor, p99 < 50",
        ),
        Row("GET /me (signed-in floor)", "/api/v1/me", token, "floor"),
        Row(
            f"my hours, {data['records']:,} records",
            "/api/v1/me/hours",
            token,
            "≥ 0.50 of floor, p99 < 50",
        ),
        Row("search 1-word", "/api/v1/search?q=%E5%81%A5%E5%BA%B7", None, "p99 < 100"),
        Row(
            "search 2-word",
            "/api/v1/search?q=%E5%81%A5%E5%BA%B7%20%E4%B9%89%E8%AF%8A",
            None,
            "p99 < 100",
        ),
        Row(
            f"search 1-word, cold ({len(cold_one):,} questions)",
            cold_one[0],
            None,
            "p99 < 100",
            rotate=cold_one,
        ),
        Row(
            f"search 2-word, cold ({len(cold_two):,} questions)",
            cold_two[0],
            None,
            "p99 < 100",
            rotate=cold_two,
        ),
        Row("stats, county (cached)", "/api/v1/stats", None, "≥ 0.40, p99 < 100"),
        Row("openapi.json", "/api/v1/openapi.json", None, "served from a cache"),
    ]
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    results = []
    try:
        for row in rows:
            if wanted and not any(name in row.name for name in wanted):
                continue
            results.append(measure(row, app, bare, args))
            print(
                f"{row.name}: {results[-1]['rps']:,.0f} req/s, p99 {results[-1]['p99']:.1f} ms",
                flush=True,
            )
        rush = sign_up_rush(
            app.base,
            data["rush_activity_id"],
            data["rush_tokens"],
            threads=args.connections * 2,
            meter=CpuMeter(app.process.pid),
        )
    finally:
        app.stop()
        bare.stop()
    load_after = os.getloadavg()
    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("://")[0]
    generations = "Redis" if os.environ.get("REDIS_URL") else "the database (no REDIS_URL)"
    cpu_ms = ", ".join(f"{kind} {ms:.1f}" for kind, ms in rush["cpu_ms"].items())
    placed = (rush["confirmed"] or 0) + (rush["waitlisted"] or 0)
    report = "\n".join(
        [
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {database}, cache generations in "
            f"{generations}, gunicorn {args.workers} sync workers, wrk {args.connections} "
            f"connections, {args.rounds}×"
            f"{args.duration / args.rounds:g} s per endpoint interleaved with bare Flask "
            f"(~{results[0]['bare'] if results else 0:,.0f} req/s); load average "
            f"{load_before[0]:.2f} → {load_after[0]:.2f}",
            "",
            table(results),
            "",
            f"Sign-up rush: {len(data['rush_tokens']):,} users for {RUSH_PLACES} places: "
            f"{rush['per_second']:,.0f} sign-ups/s; {rush['answers']:,} answers "
            f"{rush['statuses']}; confirmed "
            f"{rush['confirmed']}, waitlisted {rush['waitlisted']} "
            f"({'no overbooking' if rush['confirmed'] == RUSH_PLACES else 'OVERBOOKED or short'}"
            f"{'' if placed == len(data['rush_tokens']) else f', only {placed:,} placed'}); "
            f"CPU ms per sign-up: {cpu_ms}",
        ]
    )
    print(report)
    if args.results:
        with RESULTS.open("a", encoding="utf-8") as results_file:
            results_file.write(f"\n## {args.results}\n\n{report}\n")


if __name__ == "__main__":
    main()
