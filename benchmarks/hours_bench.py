"""Benchmark of "my hours" and the public lookup at county scale (not a test; run by hand).

    python benchmarks/hours_bench.py                               # SQLite, 300,000 records
    python benchmarks/hours_bench.py --records 1500000             # the full county ledger
    python benchmarks/hours_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Builds a fresh database (a temporary SQLite file, or a new PostgreSQL database that is
dropped afterwards) with the corpus's units, ``--volunteers`` volunteers, ``--activities``
activities and ``--records`` service records, one volunteer holding ``--mine`` of them
(2,000 by default). Then it times, in this process through Flask's test client:

1. the baselines: a bare Flask JSON endpoint on the same app (same routing, same client),
   and ``GET /api/v1/me``, the cheapest signed-in endpoint (token, user, roles, profile);
2. ``GET /api/v1/me/hours`` (first page and a deep page) for the volunteer with 2,000
   records, and for one with a few;
3. ``POST /api/v1/hours/lookup`` (hit and miss);
4. the naive way, for comparison: load the volunteer's 2,000 rows through the ORM and sum
   in Python;
5. issuing a certificate and rendering its PDF for the volunteer with 2,000 records;

and prints p50/p99 latency, throughput, the ratio to the baseline (DESIGN §6: p99 < 50
ms, throughput ≥ 40 % of the bare endpoint) and CPU time per request, plus the query plans
of the aggregate. The in-process client has almost no HTTP cost, so the bare endpoint is
a severe baseline: behind a real HTTP server every request pays the same extra.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import sqlalchemy as sa  # noqa: E402

CATEGORIES = [
    "理论政策宣讲",
    "文化文艺",
    "医疗健身",
    "科学普及",
    "法律服务",
    "卫生环保",
    "平安建设",
    "助老助残",
    "关爱未成年人",
    "移风易俗",
    "应急救援",
    "特色",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server URL (a database is created and dropped); "
        "default: a temporary SQLite file",
    )
    parser.add_argument("--volunteers", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--mine", type=int, default=2_000, help="records of the volunteer measured")
    parser.add_argument("--requests", type=int, default=500, help="requests per measurement")
    return parser.parse_args()


def make_database(server_url: str) -> tuple[str, callable]:
    if not server_url:
        folder = tempfile.mkdtemp(prefix="hours-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: None
    name = f"hours_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return sa.engine.make_url(server_url).set(database=name).render_as_string(
        hide_password=False
    ), drop


def timed(label: str, count: int, call) -> dict:
    call()  # warm up
    samples = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    samples.sort()
    return {
        "label": label,
        "p50": statistics.median(samples),
        "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "rps": count / elapsed,
        "cpu": cpu / count * 1000,
    }


def seed(args, app) -> dict:
    from api.accounts.models import User, VolunteerProfile
    from api.activities.models import Activity
    from api.corpus.organisation import import_teams, import_units
    from api.extensions import db
    from api.hours.lookup import ID_NUMBER, PHONE, lookup_digest
    from api.hours.models import HoursLookupKey, ServiceRecord
    from api.personal_data import encrypt, lookup_hash
    from api.units.models import Unit

    corpus = Path(app.config["CORPUS_DIR"])
    import_units(corpus / "units.csv")
    import_teams(corpus / "teams.csv")
    units = db.session.execute(sa.select(Unit.id)).scalars().all()
    rng = random.Random(2026)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()

    phone_cipher = encrypt("13800000000")  # one ciphertext for all: only the bench reads it
    users, profiles, keys = [], [], []
    for number in range(1, args.volunteers + 1):
        name = f"志愿者{number}"
        phone = f"139{number:08d}"
        users.append(
            {
                "id": number,
                "openid": f"bench-{number}",
                "nickname": name,
                "token_version": 1,
                "is_active": True,
                "created_at": now,
            }
        )
        profiles.append(
            {
                "user_id": number,
                "real_name": name,
                "phone_encrypted": phone_cipher,
                "phone_hash": lookup_hash(phone),
                "unit_id": rng.choice(units),
                "skills": [],
                "guardian_consent": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        keys.append(
            {
                "user_id": number,
                "name_phone_digest": lookup_digest(PHONE, name, phone[-4:]),
                "name_id_digest": lookup_digest(ID_NUMBER, name, f"{number % 10_000:04d}"),
                "updated_at": now,
            }
        )
    for table, rows in (
        (User.__table__, users),
        (VolunteerProfile.__table__, profiles),
        (HoursLookupKey.__table__, keys),
    ):
        for start in range(0, len(rows), 5_000):
            db.session.execute(table.insert(), rows[start : start + 5_000])
    activities = []
    for number in range(1, args.activities + 1):
        starts = now - timedelta(days=rng.randint(1, 3 * 365), hours=rng.randint(0, 12))
        activities.append(
            {
                "id": number,
                "title": f"志愿服务活动{number}",
                "description": "",
                "theme": "caring",
                "category": rng.choice(CATEGORIES),
                "unit_id": rng.choice(units),
                "address": "",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "audience": "public",
                "risk_notice": "",
                "status": "finished",
                "cancel_reason": "",
                "confirmed_count": 0,
                "waitlist_count": 0,
                "lock_version": 0,
                "created_at": now,
                "updated_at": now,
                "geofence_metres": None,
            }
        )
    for start in range(0, len(activities), 5_000):
        db.session.execute(Activity.__table__.insert(), activities[start : start + 5_000])
    db.session.commit()

    statuses = ["approved"] * 8 + ["pending", "rejected"]
    batch = []
    me = 1

    def flush() -> None:
        db.session.execute(ServiceRecord.__table__.insert(), batch)
        batch.clear()

    for number in range(args.records):
        user_id = me if number < args.mine else rng.randint(2, args.volunteers)
        activity = activities[rng.randrange(len(activities))]
        batch.append(
            {
                "user_id": user_id,
                "activity_id": activity["id"],
                "unit_id": activity["unit_id"],
                "credited_minutes": rng.randint(30, 180),
                "source": "checkin",
                "status": rng.choice(statuses),
                "category": activity["category"],
                "served_at": activity["starts_at"],
                "reason": "",
                "review_note": "",
                "created_at": now,
            }
        )
        if len(batch) == 10_000:
            flush()
    if batch:
        flush()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    print(
        f"seeded {args.volunteers:,} volunteers, {args.activities:,} activities, "
        f"{args.records:,} records in {time.perf_counter() - started:.1f} s"
    )
    few = db.session.scalar(
        sa.select(ServiceRecord.user_id)
        .where(ServiceRecord.user_id != me)
        .group_by(ServiceRecord.user_id)
        .order_by(sa.func.count())
        .limit(1)
    )
    return {"me": me, "few": few}


def explain(app, user_id: int) -> None:
    """Print the plans of the queries behind /me/hours (they must use the covering index)."""
    from api.extensions import db
    from api.hours.models import RecordStatus, ServiceRecord
    from api.sql_time import local_month

    month = local_month(ServiceRecord.served_at)
    statements = {
        "by status and category": sa.select(
            ServiceRecord.status,
            ServiceRecord.category,
            sa.func.count(),
            sa.func.sum(ServiceRecord.credited_minutes),
        )
        .where(ServiceRecord.user_id == user_id)
        .group_by(ServiceRecord.status, ServiceRecord.category),
        "approved by month": sa.select(month, sa.func.sum(ServiceRecord.credited_minutes))
        .where(ServiceRecord.user_id == user_id, ServiceRecord.status == RecordStatus.APPROVED)
        .group_by(month),
        "one page": sa.select(ServiceRecord)
        .where(ServiceRecord.user_id == user_id)
        .order_by(ServiceRecord.served_at.desc(), ServiceRecord.id.desc())
        .limit(20),
    }
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    for label, statement in statements.items():
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        print(f"plan, {label}:")
        for row in db.session.execute(sa.text(prefix + str(compiled))):
            print("   ", " | ".join(str(value) for value in row))


def main() -> None:
    args = parse_args()
    url, drop = make_database(args.database_url)
    from flask_migrate import upgrade

    from api import create_app
    from api.auth.tokens import issue_token
    from api.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "TASK_QUEUE": "memory"}
    )

    @app.get("/bench/bare")
    def bare():
        return {"ok": True}

    try:
        with app.app_context():
            upgrade()
            people = seed(args, app)
            explain(app, people["me"])
            from api.accounts.models import User

            me = db.session.get(User, people["me"])
            few = db.session.get(User, people["few"])
            headers = {"Authorization": f"Bearer {issue_token(me)[0]}"}
            few_headers = {"Authorization": f"Bearer {issue_token(few)[0]}"}
            db.session.remove()
        client = app.test_client()

        def get(path, request_headers=None, **query):
            response = client.get(path, headers=request_headers, query_string=query)
            assert response.status_code in (200, 404), response.get_data(as_text=True)
            return response

        def lookup(**body):
            # A POST since the lookup left the URL (name and digits out of access logs).
            response = client.post("/api/v1/hours/lookup", json=body)
            assert response.status_code in (200, 404), response.get_data(as_text=True)
            return response

        body = get("/api/v1/me/hours", headers).get_json()
        print(
            f"volunteer 1: {body['pagination']['total']:,} records, "
            f"{body['total_hours']} approved hours, star {body['star']['level']}"
        )
        deep_page = body["pagination"]["total"] // 20

        results = [
            timed("baseline: bare Flask JSON endpoint", args.requests, lambda: get("/bench/bare")),
            timed(
                "baseline: GET /me (sign-in check, profile)",
                args.requests,
                lambda: get("/api/v1/me", headers),
            ),
            timed(
                "GET /me/hours, 2,000 records, page 1",
                args.requests,
                lambda: get("/api/v1/me/hours", headers),
            ),
            timed(
                f"GET /me/hours, 2,000 records, page {deep_page}",
                args.requests,
                lambda: get("/api/v1/me/hours", headers, page=deep_page),
            ),
            timed(
                "GET /me/hours, a volunteer with few records",
                args.requests,
                lambda: get("/api/v1/me/hours", few_headers),
            ),
            timed(
                "POST /hours/lookup (match)",
                args.requests,
                lambda: lookup(name="志愿者1", phone_last4="0001"),
            ),
            timed(
                "POST /hours/lookup (no match)",
                args.requests,
                lambda: lookup(name="志愿者1", phone_last4="9999"),
            ),
        ]
        with app.app_context():
            from api.hours.models import RecordStatus, ServiceRecord

            def naive():
                rows = db.session.scalars(
                    sa.select(ServiceRecord).where(ServiceRecord.user_id == people["me"])
                ).all()
                total = sum(
                    row.credited_minutes for row in rows if row.status == RecordStatus.APPROVED
                )
                db.session.expunge_all()
                return total

            results.append(
                timed(
                    "naive: 2,000 rows through the ORM, summed in Python",
                    max(20, args.requests // 5),
                    naive,
                )
            )
        results.append(
            timed(
                "POST /me/certificates + PDF, 2,000 records",
                20,
                lambda: get(
                    client.post("/api/v1/me/certificates", headers=headers, json={}).get_json()[
                        "pdf_url"
                    ],
                    headers,
                ),
            )
        )

        baseline = results[0]
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"\n{database}, {args.requests} sequential requests each (Flask test client):")
        print(
            f"{'measurement':55} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'vs base':>8}"
            f" {'cpu ms':>8}"
        )
        for result in results:
            ratio = result["rps"] / baseline["rps"]
            print(
                f"{result['label']:55} {result['p50']:8.2f} {result['p99']:8.2f} "
                f"{result['rps']:8.0f} {ratio:8.0%} {result['cpu']:8.2f}"
            )
        print(
            "cpu ms: this process's CPU time per request (SQLite runs in-process; with "
            "PostgreSQL the server's share is not in it); wall times include the machine's "
            f"load (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
