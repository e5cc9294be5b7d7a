"""Earning: approved check-in hours earn POINTS_PER_HOUR (pro rata, rounded down), once per
record; pending, rejected, manual and help-request records earn nothing; a corrected record
is reversed and its correction earns; points expire at the end of the year they were
earned in. The balance is the sum of this year's entries.

The application clock is frozen in mid-June: which year a point belongs to never depends on
the day the suite runs."""

from datetime import UTC, datetime

import pytest

from api.extensions import db
from api.points import ledger
from api.timeutil import LOCAL_TZ

YEAR = 2027


@pytest.fixture(autouse=True)
def _mid_june(frozen_clock):
    frozen_clock(datetime(YEAR, 6, 15, 4, 0, tzinfo=UTC))  # 12:00 in Asia/Shanghai


def test_approved_check_in_hours_earn_points(client, volunteer, add_hours, points, entries):
    person = volunteer()
    record = add_hours(person, 90)

    mine = points(person)

    year = YEAR
    assert (mine["balance"], mine["year"], mine["expires_on"]) == (15, year, f"{year}-12-31")
    assert [
        (entry["kind"], entry["points"], entry["service_record_id"]) for entry in mine["entries"]
    ] == [("earn", 15, record.id)]
    assert entries(person) == [("earn", 15, year)]


@pytest.mark.parametrize(
    "status, source",
    [
        ("pending", "checkin"),
        ("rejected", "checkin"),
        ("voided", "checkin"),
        ("approved", "manual"),
        ("approved", "help_request"),
    ],
)
def test_only_approved_check_in_records_earn(client, volunteer, add_hours, points, status, source):
    person = volunteer()
    add_hours(person, 120, status=status, source=source)

    assert points(person)["balance"] == 0
    assert points(person)["entries"] == []


def test_a_record_earns_once_however_often_the_ledger_is_read(
    client, volunteer, add_hours, points, entries, runner
):
    person = volunteer()
    add_hours(person, 60)

    points(person)
    points(person)
    runner.invoke(args=["points", "sync"])

    assert [kind for kind, _, _ in entries(person)] == ["earn"]
    assert points(person)["balance"] == 10


def test_minutes_earn_pro_rata_rounded_down(client, volunteer, add_hours, points):
    person = volunteer()
    add_hours(person, 25)  # 4.17 points
    add_hours(person, 5)  # 0.83 points: nothing

    assert points(person)["balance"] == 4


def test_the_rate_is_configured(app, client, volunteer, add_hours, points):
    app.config["POINTS_PER_HOUR"] = 20
    person = volunteer()
    add_hours(person, 90)

    assert points(person)["balance"] == 30


def test_hours_approved_later_earn_then(client, volunteer, add_hours, points, unit_admin):
    person = volunteer()
    record = add_hours(person, 120, status="pending")
    assert points(person)["balance"] == 0

    approved = client.post(
        f"/api/v1/hours/records/{record.id}/approve", headers=unit_admin.headers, json={}
    )
    assert approved.status_code == 200

    assert points(person)["balance"] == 20


def test_a_corrected_record_is_reversed_and_its_correction_earns(
    client, volunteer, add_hours, points, entries, unit_admin
):
    person = volunteer()
    record = add_hours(person, 90)
    assert points(person)["balance"] == 15

    corrected = client.post(
        f"/api/v1/hours/records/{record.id}/corrections",
        headers=unit_admin.headers,
        json={"credited_minutes": 60, "reason": "签退时间有误"},
    )
    assert corrected.status_code == 201, corrected.get_json()

    assert points(person)["balance"] == 10
    year = YEAR
    assert entries(person) == [("earn", 15, year), ("earn", 10, year), ("reverse", -15, year)]


def test_points_earned_last_year_have_expired(client, volunteer, add_hours, points, entries):
    person = volunteer()
    year = YEAR
    add_hours(person, 120, reviewed_at=datetime(year - 1, 12, 31, 15, 0, tzinfo=UTC))  # 23:00
    add_hours(person, 60)

    mine = points(person)

    assert mine["balance"] == 10
    assert entries(person) == [
        ("earn", 20, year - 1),
        ("earn", 10, year),
        ("expire", -20, year - 1),
    ]


def test_approved_just_after_new_year_local_time_belongs_to_the_new_year(
    client, volunteer, add_hours, entries, points
):
    person = volunteer()
    year = YEAR
    # 16:30 UTC on 31 December is 00:30 on 1 January in Asia/Shanghai.
    add_hours(person, 60, reviewed_at=datetime(year - 1, 12, 31, 16, 30, tzinfo=UTC))

    assert points(person)["balance"] == 10
    assert entries(person) == [("earn", 10, year)]


def test_the_year_end_expires_the_balance(client, volunteer, add_hours, points, entries):
    person = volunteer()
    add_hours(person, 180)
    points(person)
    year = YEAR
    new_year = datetime(year + 1, 1, 1, 0, 0, 1, tzinfo=LOCAL_TZ)

    ledger.lock_account(person.id)
    ledger.sync(person.id, new_year)
    db.session.commit()

    assert ledger.balance(person.id, new_year) == 0
    assert entries(person) == [("earn", 30, year), ("expire", -30, year)]


def test_points_sync_earns_for_everybody_once(client, runner, volunteer, add_hours, entries):
    first, second = volunteer(), volunteer()
    add_hours(first, 60)
    add_hours(second, 120)

    result = runner.invoke(args=["points", "sync"])
    again = runner.invoke(args=["points", "sync"])

    assert result.exit_code == 0, result.output
    assert "volunteers=2" in result.output and "earned=2" in result.output
    assert "volunteers=0" in again.output
    assert [points for _, points, _ in entries(first)] == [10]
    assert [points for _, points, _ in entries(second)] == [20]


def test_the_balance_equals_this_years_entries_listed(client, volunteer, add_hours, points):
    person = volunteer()
    for minutes in (30, 45, 60, 90, 120, 150):
        add_hours(person, minutes)

    first = points(person, per_page=4, page=1)
    second = points(person, per_page=4, page=2)

    listed = first["entries"] + second["entries"]
    assert first["pagination"]["total"] == len(listed) == 6
    assert first["balance"] == sum(entry["points"] for entry in listed) == 82


def test_my_points_needs_sign_in(client):
    assert client.get("/api/v1/me/points").status_code == 401
