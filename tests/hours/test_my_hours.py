"""GET /me/hours: totals equal the approved records listed, breakdowns, stars."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.hours.schemas import MyRecordSchema
from api.hours.totals import BREAKDOWNS_CACHE, star_for
from api.timeutil import LOCAL_TZ


def test_the_contract_of_my_hours(my_hours, volunteer, past_activity, add_record):
    person = volunteer()
    add_record(person, past_activity(), 90, status=RecordStatus.APPROVED)

    body = my_hours(person)

    assert set(body) == {
        "total_minutes",
        "total_hours",
        "year",
        "year_minutes",
        "year_hours",
        "pending_minutes",
        "pending_hours",
        "star",
        "by_category",
        "by_month",
        "records",
        "pagination",
    }
    assert body["star"] == {
        "level": 0,
        "next_level_hours": 100,
        "hours_to_next": 98.5,
        "minutes_to_next": 5910,
    }
    assert set(body["records"][0]) == {
        "id",
        "activity_id",
        "activity_title",
        "unit_id",
        "unit_name",
        "category",
        "credited_minutes",
        "hours",
        "source",
        "status",
        "served_at",
        "corrects_id",
        "reason",
        "review_note",
        "reviewed_at",
        "created_at",
    }
    assert body["records"][0]["served_at"].endswith("+08:00")
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 1}


def test_total_equals_the_sum_of_approved_records_listed(
    my_hours, all_records, volunteer, past_activity, add_record
):
    person = volunteer()
    statuses = [
        RecordStatus.APPROVED,
        RecordStatus.PENDING,
        RecordStatus.REJECTED,
        RecordStatus.VOIDED,
        RecordStatus.APPROVED,
    ]
    for number in range(45):
        add_record(
            person,
            past_activity(days_ago=number + 1),
            31 + number,
            status=statuses[number % len(statuses)],
        )

    body = my_hours(person, per_page=7)
    listed = all_records(person, per_page=7)

    assert len(listed) == 45 == body["pagination"]["total"]
    approved = sum(
        row["credited_minutes"] for row in listed if row["status"] == RecordStatus.APPROVED
    )
    pending = sum(
        row["credited_minutes"] for row in listed if row["status"] == RecordStatus.PENDING
    )
    assert body["total_minutes"] == approved
    assert body["pending_minutes"] == pending
    assert sum(item["minutes"] for item in body["by_month"]) == approved
    assert sum(item["minutes"] for item in body["by_category"]) == approved


def test_my_hours_reads_the_page_alone_while_the_ledger_is_unchanged(
    my_hours, volunteer, past_activity, add_record, count_queries
):
    person = volunteer()
    for number in range(3):
        add_record(person, past_activity(days_ago=number + 1), 60, status=RecordStatus.APPROVED)
    my_hours(person)  # the session and the sign-in are warm; the worker keeps the breakdown

    with count_queries() as unchanged:
        my_hours(person)
    add_record(person, past_activity(days_ago=5), 30)  # the ledger moves on
    with count_queries() as changed:
        my_hours(person)

    # The signed-in user (one statement) and the page with its ledger stamp; the grouped
    # breakdown only when the worker keeps none of that stamp.
    assert (unchanged.n, changed.n) == (2, 3)


def test_a_review_landing_between_the_page_and_the_breakdown_is_read_again(
    my_hours, volunteer, past_activity, add_record
):
    person = volunteer()
    kept = add_record(person, past_activity(days_ago=2), 60, status=RecordStatus.APPROVED)
    reviewed = add_record(person, past_activity(days_ago=1), 45)  # pending
    engine = db.engine
    seen = []

    def review_once(conn, cursor, statement, parameters, context, executemany):
        # Right after the page's statement, another connection approves a record.
        if "ORDER BY" in statement and "service_records" in statement and not seen:
            seen.append(statement)
            with engine.begin() as other:
                other.execute(
                    sa.text("UPDATE service_records SET status = 'approved' WHERE id = :id"),
                    {"id": reviewed.id},
                )

    sa.event.listen(engine, "after_cursor_execute", review_once)
    try:
        body = my_hours(person)
    finally:
        sa.event.remove(engine, "after_cursor_execute", review_once)

    # Whether the request's reads saw the review (PostgreSQL: read again after the
    # breakdown's stamp disagreed with the page's) or none of them did (a snapshot), the
    # total is what is listed.
    listed = {row["id"]: row for row in body["records"]}
    assert seen and set(listed) == {kept.id, reviewed.id}
    assert body["total_minutes"] == sum(
        row["credited_minutes"] for row in listed.values() if row["status"] == RecordStatus.APPROVED
    )
    assert body["total_minutes"] in (60, 105)
    again = my_hours(person)
    assert again["total_minutes"] == 105


def test_a_kept_breakdown_never_outlives_a_write_of_the_ledger(
    app, client, my_hours, volunteer, organizer, past_activity, add_record
):
    person = volunteer()
    first = add_record(person, past_activity(days_ago=1), 90)
    second = add_record(person, past_activity(days_ago=2), 60)
    third = add_record(person, past_activity(days_ago=40), 45, status=RecordStatus.APPROVED)
    fourth = add_record(person, past_activity(days_ago=3), 30, status=RecordStatus.APPROVED)
    missing = past_activity(days_ago=4)

    def post(url, **body):
        response = client.post(f"/api/v1{url}", headers=organizer.headers, json=body)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    def dispute(**body):
        opened = client.post("/api/v1/me/hours/disputes", headers=person.headers, json=body)
        post(
            f"/hours/disputes/{opened.get_json()['id']}/resolve",
            decision="accept",
            note="经核实",
        )

    writes = [
        lambda: post(f"/hours/records/{first.id}/approve"),
        lambda: post(f"/hours/records/{second.id}/reject", note="签退时间异常"),
        lambda: post(f"/hours/records/{third.id}/corrections", credited_minutes=40, reason="更正"),
        lambda: post(f"/hours/records/{fourth.id}/void", reason="重复登记"),
        lambda: dispute(kind="wrong", record_id=first.id, claimed_minutes=80, description="少记"),
        lambda: dispute(
            kind="missing", activity_id=missing.id, claimed_minutes=50, description="漏记"
        ),
        lambda: add_record(person, past_activity(days_ago=5), 20),
    ]
    before = my_hours(person)
    for write in writes:
        write()
        kept = my_hours(person)
        app.extensions.pop(BREAKDOWNS_CACHE)  # a worker that kept nothing
        assert kept == my_hours(person)
        assert kept != before
        before = kept
    assert (before["total_minutes"], before["pending_minutes"]) == (80 + 40 + 50, 20)


def test_the_records_listed_are_what_the_record_schema_writes(
    client, my_hours, volunteer, organizer, past_activity, add_record, corpus_units
):
    person = volunteer()
    reviewed = add_record(person, past_activity(days_ago=3), 90)
    client.post(f"/api/v1/hours/records/{reviewed.id}/approve", headers=organizer.headers, json={})
    client.post(
        f"/api/v1/hours/records/{reviewed.id}/corrections",
        headers=organizer.headers,
        json={"credited_minutes": 61, "reason": "签退时间有误"},
    )
    add_record(person, past_activity(days_ago=1), 119, reason="补签")
    db.session.add(
        ServiceRecord(
            user_id=person.id,
            activity_id=None,
            unit_id=corpus_units["LY-JL"].id,
            credited_minutes=30,
            source="help_request",
            status=RecordStatus.PENDING,
            category="助老助残",
            served_at=datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        )
    )
    db.session.commit()
    db.session.expire_all()
    records = db.session.scalars(
        sa.select(ServiceRecord)
        .where(ServiceRecord.user_id == person.id)
        .order_by(ServiceRecord.served_at.desc(), ServiceRecord.id.desc())
    ).all()

    listed = my_hours(person)["records"]

    assert len(listed) == 4
    assert {row["source"] for row in listed} == {"checkin", "help_request"}
    assert any(row["corrects_id"] for row in listed)
    assert listed == MyRecordSchema(many=True).dump(records)


def test_records_are_newest_service_first(my_hours, volunteer, past_activity, add_record):
    person = volunteer()
    old = add_record(person, past_activity(days_ago=30))
    new = add_record(person, past_activity(days_ago=2))
    assert [row["id"] for row in my_hours(person)["records"]] == [new.id, old.id]


def test_hours_are_never_rounded_up(my_hours, volunteer, past_activity, add_record):
    person = volunteer()
    add_record(person, past_activity(minutes=120), 119, status=RecordStatus.APPROVED)
    body = my_hours(person)
    assert body["total_minutes"] == 119
    assert body["total_hours"] == 1.98


def test_breakdown_by_category_month_and_year(
    my_hours, volunteer, create_activity, add_record, frozen_clock
):
    frozen_clock(datetime(2027, 1, 10, 4, 0, tzinfo=UTC))  # 12:00 local, 10 January 2027
    person = volunteer()
    last_year = datetime(2026, 12, 31, 23, 0, tzinfo=LOCAL_TZ)  # 15:00 UTC
    this_year = datetime(2027, 1, 1, 0, 30, tzinfo=LOCAL_TZ)  # 16:30 UTC, Dec 31
    for starts, category, minutes in (
        (last_year, "医疗健身", 50),
        (this_year, "医疗健身", 40),
        (this_year + timedelta(hours=2), "文化文艺", 30),
    ):
        activity = create_activity(
            starts_at=starts, ends_at=starts + timedelta(minutes=60), category=category
        )
        add_record(person, activity, minutes, status=RecordStatus.APPROVED)

    body = my_hours(person)

    assert body["year"] == 2027
    assert body["year_minutes"] == 70
    assert body["total_minutes"] == 120
    assert body["by_month"] == [
        {"month": "2026-12", "minutes": 50, "hours": 0.83},
        {"month": "2027-01", "minutes": 70, "hours": 1.16},
    ]
    assert body["by_category"] == [
        {"category": "医疗健身", "minutes": 90, "hours": 1.5},
        {"category": "文化文艺", "minutes": 30, "hours": 0.5},
    ]


def test_a_status_filter_lists_some_records_but_keeps_the_totals(
    my_hours, volunteer, past_activity, add_record
):
    person = volunteer()
    add_record(person, past_activity(), 60, status=RecordStatus.APPROVED)
    pending = add_record(person, past_activity(days_ago=2), 30)

    body = my_hours(person, status="pending")

    assert [row["id"] for row in body["records"]] == [pending.id]
    assert body["total_minutes"] == 60


def test_a_page_past_the_end_is_empty_with_the_total(
    my_hours, volunteer, past_activity, add_record
):
    person = volunteer()
    add_record(person, past_activity(), 60, status=RecordStatus.APPROVED)
    body = my_hours(person, page=5)
    assert body["records"] == []
    assert body["pagination"]["total"] == 1
    assert body["total_minutes"] == 60


def test_my_hours_needs_a_sign_in(client):
    response = client.get("/api/v1/me/hours")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("minutes", "level"),
    [
        (0, 0),
        (5994, 0),
        (5999, 0),
        (6000, 1),
        (17_999, 1),
        (18_000, 2),
        (36_000, 3),
        (60_000, 4),
        (89_999, 4),
        (90_000, 5),
        (500_000, 5),
    ],
)
def test_star_boundaries(app, minutes, level):
    assert star_for(minutes).level == level


def test_star_levels_through_the_api(my_hours, volunteer, past_activity, add_record):
    person = volunteer()
    # 99.9 h = 5994 min: still no star; 6 more minutes reach 100 h.
    for day in range(49):
        add_record(
            person, past_activity(days_ago=day + 1, minutes=120), 120, status=RecordStatus.APPROVED
        )
    add_record(person, past_activity(days_ago=60, minutes=120), 114, status=RecordStatus.APPROVED)
    assert my_hours(person)["star"] == {
        "level": 0,
        "next_level_hours": 100,
        "hours_to_next": 0.1,
        "minutes_to_next": 6,
    }

    add_record(person, past_activity(days_ago=61), 6, status=RecordStatus.APPROVED)

    assert my_hours(person)["star"] == {
        "level": 1,
        "next_level_hours": 300,
        "hours_to_next": 200.0,
        "minutes_to_next": 12_000,
    }


def test_the_top_star_has_no_next_level(app):
    star = star_for(1500 * 60)
    assert (star.level, star.next_level_hours, star.hours_to_next) == (5, None, None)


def test_config_overrides_the_thresholds(make_app):
    make_app(STAR_THRESHOLDS_HOURS=(10, 20, 30))
    assert star_for(10 * 60 - 1).level == 0
    assert star_for(10 * 60).level == 1
    assert star_for(30 * 60).level == 3
    assert star_for(20 * 60).next_level_hours == 30


def test_thresholds_are_read_from_the_environment(monkeypatch):
    from api.config import Config

    monkeypatch.setenv("STAR_THRESHOLDS_HOURS", "50,150,300")
    assert Config().STAR_THRESHOLDS_HOURS == (50, 150, 300)
