"""``flask seed scale``: a county-scale dataset (DESIGN §6) for benchmarks, from a seed.

At ``--factor 1``: 30,000 volunteers, 900 teams, 150,000 activities, about 1.5M sign-ups,
1.5M service records and 2,000 articles, over the corpus's units. Rows are inserted in
batches through the models' tables, so the database's own constraints (foreign keys, the
partial unique index of active sign-ups) hold them; phones are encrypted and hashed with
the project's keys, and every volunteer gets the public-lookup keys the lookup reads.

The same ``--seed`` and ``--anchor`` give the same data. Activities spread over two years
before the anchor and one after: the past ones are finished, with attendance and records;
the future ones are published, with confirmed and waitlisted sign-ups. Each activity's
``confirmed_count`` and ``waitlist_count`` equal its sign-ups, as the sign-up service keeps
them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

from api.accounts.models import User, VolunteerProfile
from api.activities.models import Activity
from api.activities.vocabulary import THEMES, ActivityStatus
from api.corpus.organisation import import_teams, import_units
from api.extensions import db
from api.hours.lookup import PHONE, lookup_digest
from api.hours.models import CHECKIN, MANUAL, HoursLookupKey, RecordStatus, ServiceRecord
from api.personal_data import encrypt, lookup_hash
from api.signups.models import Attendance, Signup, SignupStatus
from api.timeutil import LOCAL_TZ, local_today
from api.transactions import atomic
from api.units.categories import TEAM_CATEGORIES
from api.units.models import Team, Unit
from publishing import frontmatter
from publishing.store import make_slug, write_atomic

BATCH = 5_000
# Share of activities before the anchor; sign-ups per past and per future activity.
PAST_SHARE = 0.8
PAST_SIGNUPS, FUTURE_SIGNUPS = 11, 6
ATTENDED_SHARE = 0.95
RECORD_STATUSES = (RecordStatus.APPROVED,) * 17 + (
    RecordStatus.PENDING,
    RecordStatus.PENDING,
    RecordStatus.REJECTED,
)
TITLE_WORDS = (
    "健康义诊",
    "文明实践",
    "政策宣讲",
    "书法培训",
    "垃圾分类",
    "关爱老人",
    "法律咨询",
    "防诈骗宣传",
    "广场舞",
    "读书分享",
    "消防演练",
    "植树护绿",
    "助学辅导",
    "戏曲进村",
)
ARTICLE_TOPICS = (
    "高血压防治",
    "糖尿病饮食",
    "骨质疏松",
    "流感疫苗",
    "防范电信诈骗",
    "移风易俗",
    "文明餐桌",
    "垃圾分类",
    "乡村振兴政策",
    "医保报销",
    "老年人防跌倒",
    "食品安全",
)


@dataclass(frozen=True)
class ScaleCounts:
    """How many of each the dataset holds at a factor."""

    volunteers: int
    teams: int
    activities: int
    records: int
    articles: int

    @classmethod
    def at(cls, factor: float) -> ScaleCounts:
        def scaled(full: int) -> int:
            return max(1, round(full * factor))

        return cls(
            volunteers=scaled(30_000),
            teams=scaled(900),
            activities=scaled(150_000),
            records=scaled(1_500_000),
            articles=scaled(2_000),
        )


def _batched(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


class _Writer:
    """Inserts rows table by table in batches, with one progress bar per table."""

    def __init__(self, echo: Callable[[str], None], show_progress: bool):
        self.echo = echo
        self.show_progress = show_progress
        self.inserted: dict[str, int] = {}

    def insert(self, model, rows: Iterable[dict], total: int) -> None:
        table = model.__table__
        started = time.perf_counter()
        done = 0
        with click.progressbar(
            length=total, label=f"{table.name:>20}", file=None if self.show_progress else _Null()
        ) as bar:
            with atomic():  # one unit per table
                for batch in _batched(rows):
                    db.session.execute(table.insert(), batch)
                    done += len(batch)
                    bar.update(len(batch))
        self.inserted[table.name] = self.inserted.get(table.name, 0) + done
        self.echo(f"{table.name}: {done:,} rows in {time.perf_counter() - started:.1f} s")


class _Null:
    """A file that swallows the progress bar (``--quiet``)."""

    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def seed_scale(
    corpus_dir: Path,
    *,
    factor: float = 1.0,
    seed: int = 2026,
    anchor: date | None = None,
    content_dir: Path | None = None,
    echo: Callable[[str], None] = click.echo,
    show_progress: bool = True,
) -> dict:
    """Generate the county-scale dataset on top of the corpus's units and teams.

    Returns the number of rows inserted per table (and ``articles``). Run it on an empty
    database: a second run adds a second dataset.
    """
    started = time.perf_counter()
    counts = ScaleCounts.at(factor)
    rng = random.Random(seed)
    anchor = anchor or local_today()
    anchor_at = datetime(anchor.year, anchor.month, anchor.day, 8, tzinfo=LOCAL_TZ).astimezone(UTC)
    import_units(corpus_dir / "units.csv")
    import_teams(corpus_dir / "teams.csv")
    writer = _Writer(echo, show_progress)
    unit_ids = list(db.session.scalars(sa.select(Unit.id)))

    team_ids = _seed_teams(writer, rng, counts, unit_ids)
    volunteer_ids = _seed_volunteers(writer, rng, counts, unit_ids, anchor_at)
    activities = _seed_activities(writer, rng, counts, unit_ids, team_ids, anchor_at)
    _seed_participation(writer, rng, counts, activities, volunteer_ids, anchor_at)
    articles = 0
    if content_dir is not None:
        articles = _seed_articles(rng, counts, Path(content_dir), anchor)
        echo(f"articles: {articles:,} files in {content_dir}")
    _analyze()
    echo(f"seed scale (factor {factor:g}, seed {seed}) took {time.perf_counter() - started:.0f} s")
    return {**writer.inserted, "articles": articles}


def _seed_teams(
    writer: _Writer, rng: random.Random, counts: ScaleCounts, unit_ids: list[int]
) -> list[int]:
    existing = list(db.session.scalars(sa.select(Team.id)))
    missing = max(0, counts.teams - len(existing))
    first = _next_id(Team)
    categories = list(TEAM_CATEGORIES)

    def rows():
        for offset in range(missing):
            category = categories[offset % len(categories)]
            yield {
                "id": first + offset,
                "code": f"SCALE-T{first + offset}",
                "name": f"{category}志愿服务队{first + offset}",
                "category": category,
                "unit_id": rng.choice(unit_ids),
                "leader_name": "",
                "member_count": 0,
            }

    writer.insert(Team, rows(), missing)
    return existing + list(range(first, first + missing))


def _seed_volunteers(
    writer: _Writer, rng: random.Random, counts: ScaleCounts, unit_ids: list[int], now: datetime
) -> list[int]:
    first = _next_id(User)
    ids = list(range(first, first + counts.volunteers))
    people = [(user_id, f"志愿者{user_id}", f"139{user_id:08d}") for user_id in ids]
    writer.insert(
        User,
        (
            {
                "id": user_id,
                "openid": f"scale-{user_id}",
                "nickname": name,
                "token_version": 1,
                "is_active": True,
                "created_at": now,
            }
            for user_id, name, _phone in people
        ),
        len(ids),
    )
    writer.insert(
        VolunteerProfile,
        (
            {
                "user_id": user_id,
                "real_name": name,
                "phone_encrypted": encrypt(phone),
                "phone_hash": lookup_hash(phone),
                "unit_id": rng.choice(unit_ids),
                "birth_date": date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                "skills": [],
                "guardian_consent": False,
                "created_at": now,
                "updated_at": now,
            }
            for user_id, name, phone in people
        ),
        len(ids),
    )
    writer.insert(
        HoursLookupKey,
        (
            # By phone only: scale volunteers have no ID number.
            {
                "user_id": user_id,
                "name_phone_digest": lookup_digest(PHONE, name, phone[-4:]),
                "name_id_digest": None,
                "updated_at": now,
            }
            for user_id, name, phone in people
        ),
        len(ids),
    )
    return ids


@dataclass
class _PlannedActivity:
    id: int
    unit_id: int
    category: str
    starts_at: datetime
    minutes: int
    capacity: int
    past: bool


def _seed_activities(
    writer: _Writer,
    rng: random.Random,
    counts: ScaleCounts,
    unit_ids: list[int],
    team_ids: list[int],
    anchor_at: datetime,
) -> list[_PlannedActivity]:
    first = _next_id(Activity)
    team_units = {
        team_id: unit_id
        for team_id, unit_id in db.session.execute(sa.select(Team.id, Team.unit_id))
    }
    team_categories = {
        team_id: category
        for team_id, category in db.session.execute(sa.select(Team.id, Team.category))
    }
    themes = list(THEMES)
    planned = []
    for offset in range(counts.activities):
        past = rng.random() < PAST_SHARE
        days = rng.randint(1, 730) if past else rng.randint(0, 365)
        starts_at = anchor_at + timedelta(days=-days if past else days, hours=rng.randint(0, 10))
        team_id = rng.choice(team_ids)
        planned.append(
            _PlannedActivity(
                id=first + offset,
                unit_id=team_units[team_id],
                category=team_categories[team_id],
                starts_at=starts_at,
                minutes=rng.choice((60, 90, 120, 180)),
                capacity=rng.choice((10, 20, 30, 50)),
                past=past,
            )
        )
    planned.sort(key=lambda activity: activity.id)
    confirmed, waitlisted = _participation_counts(planned)

    def rows():
        for activity in planned:
            title = f"{rng.choice(TITLE_WORDS)}进社区（第{activity.id}期）"
            yield {
                "id": activity.id,
                "title": title,
                "description": f"{title}，欢迎居民参加。",
                "theme": rng.choice(themes),
                "category": activity.category,
                "unit_id": activity.unit_id,
                "team_id": None,
                "address": "临颍县",
                "lat": 33.8 + rng.random() * 0.2,
                "lng": 113.9 + rng.random() * 0.2,
                "starts_at": activity.starts_at,
                "ends_at": activity.starts_at + timedelta(minutes=activity.minutes),
                "capacity": activity.capacity,
                "audience": "public",
                "risk_notice": "",
                "geofence_metres": 500,
                "status": ActivityStatus.FINISHED if activity.past else ActivityStatus.PUBLISHED,
                "cancel_reason": "",
                "confirmed_count": confirmed[activity.id],
                "waitlist_count": waitlisted[activity.id],
                "lock_version": 0,
                "created_at": activity.starts_at - timedelta(days=14),
                "updated_at": activity.starts_at - timedelta(days=14),
            }

    writer.insert(Activity, rows(), len(planned))
    return planned


def _signup_plan(activity: _PlannedActivity) -> list[str]:
    """The statuses of one activity's sign-ups, in order (a pure function of the activity)."""
    if activity.past:
        count = min(PAST_SIGNUPS, activity.capacity)
        attended = round(count * ATTENDED_SHARE)
        return [SignupStatus.ATTENDED] * attended + [SignupStatus.NO_SHOW] * (count - attended)
    confirmed = min(FUTURE_SIGNUPS, activity.capacity)
    return [SignupStatus.CONFIRMED] * confirmed + [SignupStatus.WAITLISTED] * (
        FUTURE_SIGNUPS - confirmed
    )


def _participation_counts(planned: list[_PlannedActivity]) -> tuple[dict, dict]:
    confirmed, waitlisted = {}, {}
    for activity in planned:
        statuses = _signup_plan(activity)
        waitlisted[activity.id] = statuses.count(SignupStatus.WAITLISTED)
        confirmed[activity.id] = len(statuses) - waitlisted[activity.id]
    return confirmed, waitlisted


def _seed_participation(
    writer: _Writer,
    rng: random.Random,
    counts: ScaleCounts,
    planned: list[_PlannedActivity],
    volunteer_ids: list[int],
    anchor_at: datetime,
) -> None:
    first_signup = _next_id(Signup)
    signups, attendances, records = [], [], []
    for activity in planned:
        people = rng.sample(volunteer_ids, min(len(volunteer_ids), PAST_SIGNUPS))
        for user_id, status in zip(people, _signup_plan(activity), strict=False):
            signup_id = first_signup + len(signups)
            created = activity.starts_at - timedelta(days=3)
            signups.append(
                {
                    "id": signup_id,
                    "activity_id": activity.id,
                    "user_id": user_id,
                    "status": status,
                    "created_at": created,
                    "confirmed_at": None if status == SignupStatus.WAITLISTED else created,
                }
            )
            if status != SignupStatus.ATTENDED:
                continue
            ends = activity.starts_at + timedelta(minutes=activity.minutes)
            attendances.append(
                {
                    "signup_id": signup_id,
                    "checked_in_at": activity.starts_at,
                    "checked_out_at": ends,
                    "method": "qr",
                    "reason": "",
                }
            )
            records.append(
                _record(
                    rng,
                    user_id,
                    activity.unit_id,
                    activity.category,
                    activity.starts_at,
                    activity.minutes,
                    CHECKIN,
                    activity.id,
                )
            )
    # The rest of the ledger: manual records (training, meetings) of the same volunteers.
    while len(records) < counts.records:
        activity = planned[rng.randrange(len(planned))]
        served = min(activity.starts_at, anchor_at) - timedelta(days=rng.randint(0, 30))
        records.append(
            _record(
                rng,
                rng.choice(volunteer_ids),
                activity.unit_id,
                activity.category,
                served,
                rng.choice((60, 120)),
                MANUAL,
                None,
            )
        )
    writer.insert(Signup, signups, len(signups))
    writer.insert(Attendance, attendances, len(attendances))
    writer.insert(ServiceRecord, records, len(records))


def _record(
    rng: random.Random,
    user_id: int,
    unit_id: int,
    category: str,
    served: datetime,
    minutes: int,
    source: str,
    activity_id: int | None,
) -> dict:
    status = rng.choice(RECORD_STATUSES)
    return {
        "user_id": user_id,
        "activity_id": activity_id,
        "unit_id": unit_id,
        "credited_minutes": minutes,
        "source": source,
        "status": status,
        "category": category,
        "served_at": served,
        "reason": "",
        "review_note": "",
        "created_at": served,
        "reviewed_at": None if status == RecordStatus.PENDING else served,
    }


def _seed_articles(rng: random.Random, counts: ScaleCounts, content_dir: Path, anchor: date) -> int:
    categories = list(frontmatter.CATEGORIES)
    with click.progressbar(range(counts.articles), label=f"{'articles':>20}") as numbers:
        for number in numbers:
            topic = rng.choice(ARTICLE_TOPICS)
            day = anchor - timedelta(days=rng.randint(1, 730))
            category = categories[number % len(categories)]
            meta = {
                "title": f"{topic}知识问答（第{number + 1}篇）",
                "date": day,
                "category": category,
                "author": "临颍县新时代文明实践中心",
                "tags": [topic],
                "summary": f"关于{topic}，居民最关心的几个问题。",
            }
            body = "\n\n".join(
                f"## {topic}问题{part}\n\n{topic}是居民关心的话题，请到就近的新时代文明实践站咨询。"
                for part in range(1, 4)
            )
            slug = make_slug(day, f"scale-{number + 1}")
            path = content_dir / category / f"{slug}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, frontmatter.dump(meta, body).encode("utf-8"))
    return counts.articles


def _analyze() -> None:
    """Fresh planner statistics, and identity sequences past the explicit ids."""
    if db.engine.dialect.name == "postgresql":
        with atomic():
            for model in (Team, User, Activity, Signup, Attendance, ServiceRecord):
                table = model.__table__.name
                db.session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
        # VACUUM cannot run inside a transaction: a connection of its own, in autocommit.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        with atomic():
            db.session.execute(sa.text("ANALYZE"))


@click.command("scale")
@click.option(
    "--factor",
    type=float,
    default=1.0,
    show_default=True,
    help="share of the county-scale counts (0.01 for a quick try)",
)
@click.option(
    "--seed",
    "seed",
    type=int,
    default=2026,
    show_default=True,
    help="random seed: the same seed and anchor give the same data",
)
@click.option(
    "--anchor",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the local date the activities spread around (default: today)",
)
@click.option(
    "--content-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="also write the articles there (never the project's content/)",
)
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="corpus with units.csv and teams.csv",
)
def scale_command(
    factor: float,
    seed: int,
    anchor: datetime | None,
    content_dir: Path | None,
    corpus_dir: Path | None,
) -> None:
    """Generate the county-scale dataset (DESIGN §6) with a progress bar."""
    from flask import current_app

    if factor <= 0 or factor > 10:
        raise click.BadParameter("应在 0 到 10 之间", param_hint="--factor")
    corpus_dir = corpus_dir or Path(current_app.config["CORPUS_DIR"])
    seed_scale(
        corpus_dir,
        factor=factor,
        seed=seed,
        anchor=anchor.date() if anchor else None,
        content_dir=content_dir,
    )
