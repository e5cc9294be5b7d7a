"""GET /stats on the imported corpus equals counts computed here, independently, from the
corpus files (and equals what the calendar and the team list say); volunteers, hours and
help requests added on top are counted as the test expects; the answer is cached briefly."""

import csv
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.extensions import db
from api.help.models import HelpRequest
from api.hours.models import ServiceRecord
from api.personal_data import encrypt, lookup_hash
from api.units.categories import TEAM_CATEGORIES
from api.units.models import Unit


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Corpus:
    """The corpus files, read with nothing but ``csv``."""

    def __init__(self, corpus_dir):
        self.units = {row["code"]: row for row in _rows(corpus_dir / "units.csv")}
        self.teams = _rows(corpus_dir / "teams.csv")
        self.activities = _rows(corpus_dir / "activities.csv")

    def township(self, code: str) -> str:
        row = self.units[code]
        return row["parent_code"] if row["level"] == "station" else code

    def within(self, code: str, scope: str | None) -> bool:
        return scope is None or code == scope or code.startswith(scope + "-")

    def activities_in(self, scope=None, first=None, last=None) -> list[dict]:
        found = []
        for row in self.activities:
            day = datetime.fromisoformat(row["starts_at"]).date()  # local, +08:00
            if (
                self.within(row["unit_code"], scope)
                and (first is None or day >= first)
                and (last is None or day <= last)
            ):
                found.append(row)
        return found

    def teams_in(self, scope=None) -> list[dict]:
        return [row for row in self.teams if self.within(row["unit_code"], scope)]


@pytest.fixture
def corpus(app, runner, corpus_dir):
    result = runner.invoke(args=["import", "corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    return Corpus(corpus_dir)


@pytest.fixture
def units(corpus) -> dict[str, Unit]:
    return {unit.code: unit for unit in db.session.scalars(select(Unit))}


def _stats(client, **query):
    response = client.get("/api/v1/stats", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _expected_breakdowns(corpus: Corpus, scope=None, first=None, last=None):
    activities = corpus.activities_in(scope, first, last)
    teams = corpus.teams_in(scope)
    by_township_activities = Counter(corpus.township(row["unit_code"]) for row in activities)
    by_township_teams = Counter(corpus.township(row["unit_code"]) for row in teams)
    by_category_activities = Counter(row["category"] for row in activities)
    by_category_teams = Counter(row["category"] for row in teams)
    by_month = Counter(row["starts_at"][:7] for row in activities)
    return (
        activities,
        teams,
        by_township_activities,
        by_township_teams,
        by_category_activities,
        by_category_teams,
        by_month,
    )


@pytest.mark.parametrize("scope", [None, "LY-JL", "LY-CG", "LY-JL-YFC"])
def test_stats_on_the_corpus_equal_independent_counts(client, corpus, units, scope, frozen_clock):
    frozen_clock(datetime(2026, 12, 15, 4, 0, tzinfo=UTC))
    (
        activities,
        teams,
        township_activities,
        township_teams,
        category_activities,
        category_teams,
        months,
    ) = _expected_breakdowns(corpus, scope)
    query = {"unit_id": units[scope].id} if scope else {}

    stats = _stats(client, **query)

    assert stats["teams"] == len(teams)
    assert stats["activities"]["total"] == len(activities)
    today = date(2026, 12, 15)
    assert stats["activities"]["this_year"] == sum(
        row["starts_at"][:4] == f"{today.year:04d}" for row in activities
    )
    assert stats["activities"]["this_month"] == sum(
        row["starts_at"][:7] == f"{today:%Y-%m}" for row in activities
    )
    shown = {row["code"]: row for row in stats["by_township"]}
    for code in set(township_activities) | set(township_teams):
        assert (shown[code]["activities"], shown[code]["teams"]) == (
            township_activities[code],
            township_teams[code],
        ), code
    assert sum(row["activities"] for row in stats["by_township"]) == len(activities)
    assert [row["category"] for row in stats["by_category"]] == list(TEAM_CATEGORIES)
    assert {row["category"]: row["activities"] for row in stats["by_category"]} == {
        category: category_activities[category] for category in TEAM_CATEGORIES
    }
    assert {row["category"]: row["teams"] for row in stats["by_category"]} == {
        category: category_teams[category] for category in TEAM_CATEGORIES
    }
    assert {row["month"]: row["activities"] for row in stats["by_month"]} == dict(months)


def test_the_county_has_every_township(client, corpus):
    stats = _stats(client)

    institutes = sorted(code for code, row in corpus.units.items() if row["level"] == "institute")
    assert [row["code"] for row in stats["by_township"]] == ["LY", *institutes]


@pytest.mark.parametrize(
    "first, last",
    [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 15), date(2027, 2, 6)),
        (date(2027, 2, 28), date(2027, 2, 28)),
    ],
)
def test_a_date_range_counts_activities_by_local_start_date(client, corpus, units, first, last):
    for scope in (None, "LY-JL"):
        expected = corpus.activities_in(scope, first, last)
        query = {"from": first.isoformat(), "to": last.isoformat()}
        if scope:
            query["unit_id"] = units[scope].id

        stats = _stats(client, **query)

        assert stats["activities"]["total"] == len(expected)
        assert (stats["from"], stats["to"]) == (first.isoformat(), last.isoformat())
        months = Counter(row["starts_at"][:7] for row in expected)
        listed = {row["month"]: row["activities"] for row in stats["by_month"]}
        assert {month: count for month, count in listed.items() if count} == dict(months)


@pytest.mark.parametrize("scope", [None, "LY-JL", "LY-WC"])
def test_the_numbers_equal_what_the_other_endpoints_list(client, corpus, units, scope):
    query = {"unit_id": units[scope].id} if scope else {}
    window = {"from": "2026-12-01", "to": "2027-02-28"}

    stats = _stats(client, **query, **window)

    calendar = client.get(
        "/api/v1/activities", query_string={**query, "start": window["from"], "end": window["to"]}
    ).get_json()
    team_list = client.get("/api/v1/teams", query_string=query).get_json()
    assert stats["activities"]["total"] == calendar["pagination"]["total"]
    assert stats["teams"] == team_list["pagination"]["total"]


def _help_request(
    unit: Unit, township: Unit | None, status: str, created_at: datetime, **values
) -> HelpRequest:
    return HelpRequest(
        channel="app",
        status=status,
        category=values.pop("category", "卫生环保"),
        description="需要帮忙",
        contact_name_encrypted=encrypt("张三"),
        phone_encrypted=encrypt("13900000000"),
        phone_hash=lookup_hash("13900000000"),
        address_encrypted=encrypt("某村"),
        unit=unit,
        township=township,
        moderation="pass",
        created_at=created_at,
        **values,
    )


def test_volunteers_hours_and_help_requests(client, corpus, units, create_user, frozen_clock):
    frozen_clock(datetime(2026, 12, 15, 4, 0, tzinfo=UTC))  # 12:00 local, mid-December
    jl, yfc, cg = units["LY-JL"], units["LY-JL-YFC"], units["LY-CG"]
    volunteers = []
    for unit in (jl, yfc, yfc, cg):
        user = create_user()
        register_volunteer(
            user, real_name="赵六", phone=f"1350000{len(volunteers):04d}", unit_id=unit.id
        )
        volunteers.append(user)
    served = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 local
    for user, unit, minutes, status in [
        (volunteers[0], jl, 90, "approved"),
        (volunteers[1], yfc, 120, "approved"),
        (volunteers[2], yfc, 45, "pending"),
        (volunteers[3], cg, 30, "approved"),
        (volunteers[3], cg, 600, "rejected"),
    ]:
        db.session.add(
            ServiceRecord(
                user_id=user.id,
                unit_id=unit.id,
                credited_minutes=minutes,
                source="checkin",
                status=status,
                category="医疗健身",
                served_at=served,
            )
        )
    created = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    db.session.add_all(
        [
            _help_request(
                yfc, jl, "rated", created, rating=5, dispatched_at=created + timedelta(minutes=30)
            ),
            _help_request(
                yfc, jl, "rated", created, rating=3, dispatched_at=created + timedelta(minutes=90)
            ),
            _help_request(jl, jl, "submitted", created, category="助学支教"),
            _help_request(
                cg, cg, "dispatched", created, dispatched_at=created + timedelta(hours=2)
            ),
        ]
    )
    db.session.commit()

    county = _stats(client)
    township = _stats(client, unit_id=jl.id)

    assert county["volunteers"]["registered"] == 4
    assert township["volunteers"]["registered"] == 3
    assert (county["service_minutes"], county["service_hours"]) == (240, 4.0)
    assert township["service_minutes"] == 210
    help_county = county["help_requests"]
    assert help_county["total"] == 4
    assert {status: count for status, count in help_county["by_status"].items() if count} == {
        "rated": 2,
        "submitted": 1,
        "dispatched": 1,
    }
    assert (help_county["rated"], help_county["average_rating"], help_county["satisfied"]) == (
        2,
        4.0,
        1,
    )
    assert (help_county["dispatched"], help_county["average_dispatch_minutes"]) == (3, 80.0)
    assert township["help_requests"]["average_dispatch_minutes"] == 60.0
    rows = {row["code"]: row for row in county["by_township"]}
    assert (
        rows["LY-JL"]["volunteers"],
        rows["LY-JL"]["service_minutes"],
        rows["LY-JL"]["help_requests"],
    ) == (3, 210, 3)
    assert (rows["LY-CG"]["volunteers"], rows["LY-CG"]["service_minutes"]) == (1, 30)
    categories = {row["category"]: row for row in county["by_category"]}
    assert categories["医疗健身"]["service_minutes"] == 240
    assert (categories["卫生环保"]["help_requests"], categories["助学支教"]["help_requests"]) == (
        3,
        1,
    )
    december = {row["month"]: row for row in county["by_month"]}["2026-12"]
    assert (december["service_minutes"], december["help_requests"]) == (240, 4)
    # Active this month: every registered volunteer with an approved or pending December
    # record (the one with only a rejected record besides an approved one counts once).
    assert county["volunteers"]["active_this_month"] == 4
    assert township["volunteers"]["active_this_month"] == 3


def test_active_this_month_counts_registered_volunteers_of_the_local_month(
    client, corpus, units, create_user, frozen_clock
):
    jl = units["LY-JL"]
    volunteer, resident = create_user(), create_user()
    register_volunteer(volunteer, real_name="钱七", phone="13500001111", unit_id=jl.id)
    # 00:30 local on 1 January is still 31 December in UTC: it is January's record.
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    for user in (volunteer, resident):  # a resident's record never makes them a volunteer
        db.session.add(
            ServiceRecord(
                user_id=user.id,
                unit_id=jl.id,
                credited_minutes=60,
                source="manual",
                status="approved",
                category="医疗健身",
                served_at=new_year,
            )
        )
    db.session.commit()

    frozen_clock(datetime(2026, 12, 31, 15, 0, tzinfo=UTC))  # 23:00 local, 31 December
    december = _stats(client)["volunteers"]
    frozen_clock(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))  # 01:00 local, 1 January
    january = _stats(client)["volunteers"]

    assert (december["registered"], december["active_this_month"]) == (1, 0)
    assert (january["registered"], january["active_this_month"]) == (1, 1)


def test_service_hours_equal_the_hours_report(client, corpus, units, create_user, auth_headers):
    jl = units["LY-JL"]
    person = create_user()
    register_volunteer(person, real_name="孙八", phone="13500009999", unit_id=jl.id)
    for day, minutes, status in [
        (1, 95, "approved"),
        (20, 61, "approved"),
        (20, 30, "pending"),
        (31, 17, "approved"),
    ]:
        # 23:30 local on the day: the last minutes of a local date count in that date.
        served = datetime(2026, 12, day, 15, 30, tzinfo=UTC)
        db.session.add(
            ServiceRecord(
                user_id=person.id,
                unit_id=units["LY-JL-YFC"].id,
                credited_minutes=minutes,
                source="checkin",
                status=status,
                category="卫生环保",
                served_at=served,
            )
        )
    db.session.commit()
    admin = create_user("jl-report-admin", roles=[("unit_admin", "LY-JL")])
    window = {"from": "2026-12-01", "to": "2026-12-20"}

    stats = _stats(client, unit_id=jl.id, **window)
    report = client.get(
        "/api/v1/hours/reports/summary",
        headers=auth_headers(admin),
        query_string={"unit_id": jl.id, **window},
    ).get_json()

    assert stats["service_minutes"] == report["total_minutes"] == 95 + 61
