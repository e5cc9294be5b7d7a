"""``flask seed scale``: the county-scale dataset, at a small factor."""

from datetime import UTC, datetime

import sqlalchemy as sa

from api.accounts.models import VolunteerProfile
from api.activities.models import Activity
from api.extensions import db
from api.hours.lookup import lookup
from api.hours.models import ServiceRecord
from api.personal_data import decrypt
from api.seed_scale import ScaleCounts
from api.signups.models import Attendance, Signup, SignupStatus
from api.units.models import Team

FACTOR = "0.002"


def _seed(runner, corpus_dir, content_dir, seed="7"):
    result = runner.invoke(
        args=[
            "seed",
            "scale",
            "--factor",
            FACTOR,
            "--seed",
            seed,
            "--anchor",
            "2026-12-15",
            "--corpus",
            str(corpus_dir),
            "--content-dir",
            str(content_dir),
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_counts_of_the_factor_and_consistent_sign_up_counters(
    app, runner, corpus_dir, tmp_path
):
    expected = ScaleCounts.at(float(FACTOR))

    output = _seed(runner, corpus_dir, tmp_path / "content")

    assert "service_records" in output and "took" in output
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerProfile))
        == expected.volunteers
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) >= expected.teams
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == expected.activities
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRecord)) == expected.records
    )
    assert len(list((tmp_path / "content").rglob("*.md"))) == expected.articles
    # Every activity's counters equal its sign-ups, and nobody is over capacity.
    taken = sa.func.sum(
        sa.case(
            (
                Signup.status.in_(
                    (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)
                ),
                1,
            ),
            else_=0,
        )
    )
    queued = sa.func.sum(sa.case((Signup.status == SignupStatus.WAITLISTED, 1), else_=0))
    rows = db.session.execute(
        sa.select(
            Activity.confirmed_count, Activity.waitlist_count, Activity.capacity, taken, queued
        )
        .join(Signup, Signup.activity_id == Activity.id)
        .group_by(Activity.id)
    ).all()
    assert rows and all(
        (confirmed, waiting) == (real_taken, real_queued) and confirmed <= capacity
        for confirmed, waiting, capacity, real_taken, real_queued in rows
    )
    # Every attended sign-up has its attendance, future activities are published.
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Attendance)
    ) == db.session.scalar(sa.select(sa.func.count()).where(Signup.status == SignupStatus.ATTENDED))
    anchor = datetime(2026, 12, 15, tzinfo=UTC)
    assert set(
        db.session.scalars(sa.select(Activity.status).where(Activity.starts_at > anchor).distinct())
    ) == {"published"}


def test_personal_data_is_encrypted_and_the_public_lookup_finds_a_volunteer(
    app, runner, corpus_dir, tmp_path
):
    _seed(runner, corpus_dir, tmp_path / "content")
    profile = db.session.scalars(sa.select(VolunteerProfile).limit(1)).one()

    phone = decrypt(profile.phone_encrypted)
    assert phone.startswith("139") and phone not in profile.phone_encrypted
    found = lookup(profile.real_name, phone_last4=phone[-4:])
    assert found is not None


def test_the_same_seed_gives_the_same_data(app, runner, corpus_dir, tmp_path):
    def snapshot():
        return db.session.execute(
            sa.select(
                Activity.title, Activity.starts_at, Activity.capacity, Activity.unit_id
            ).order_by(Activity.id)
        ).all(), db.session.execute(
            sa.select(Signup.user_id, Signup.status).order_by(Signup.id)
        ).all()

    _seed(runner, corpus_dir, tmp_path / "first")
    first = snapshot()
    for model in (ServiceRecord, Attendance, Signup, Activity):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.delete(VolunteerProfile))
    db.session.commit()
    # New users and activities get new ids; the shape of the data is the same.
    _seed(runner, corpus_dir, tmp_path / "second")
    second = snapshot()
    assert [row[1:] for row in first[0]] == [row[1:] for row in second[0]]
    assert [status for _user, status in first[1]] == [status for _user, status in second[1]]
