"""The calendar: local dates, filters, near me, the month widget, the corpus."""

import csv
from datetime import date, datetime

import pytest

from api.corpus.activities import import_activities
from api.corpus.csvfile import CorpusRowError
from api.timeutil import LOCAL_TZ


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_late_evening_activity_belongs_to_its_local_day(client, create_activity):
    create_activity(
        title="跨年守岁",
        starts_at=_local(2026, 12, 31, 23, 30),
        ends_at=_local(2026, 12, 31, 23, 59),
    )

    dec31 = client.get("/api/v1/activities?start=2026-12-31&end=2026-12-31").get_json()
    jan1 = client.get("/api/v1/activities?start=2027-01-01&end=2027-01-01").get_json()

    assert [item["title"] for item in dec31["data"]] == ["跨年守岁"]
    assert dec31["data"][0]["starts_at"] == "2026-12-31T23:30:00+08:00"
    assert jan1["data"] == []


def test_corpus_december_count_matches_the_csv(client, corpus_units, corpus_dir):
    import_activities(corpus_dir / "activities.csv")
    with (corpus_dir / "activities.csv").open(encoding="utf-8") as handle:
        expected = sum(row["starts_at"].startswith("2026-12") for row in csv.DictReader(handle))

    body = client.get("/api/v1/activities?start=2026-12-01&end=2026-12-31&per_page=5").get_json()

    assert body["pagination"]["total"] == expected


def test_unit_filter_covers_the_whole_subtree(client, create_activity, corpus_units):
    day = _local(2026, 12, 10, 9)
    create_activity(title="村里", unit_id=corpus_units["LY-JL-YFC"].id, starts_at=day)
    create_activity(title="镇上", unit_id=corpus_units["LY-JL"].id, starts_at=day)
    create_activity(title="城关", unit_id=corpus_units["LY-CG"].id, starts_at=day)

    body = client.get(
        f"/api/v1/activities?start=2026-12-10&end=2026-12-10&unit_id={corpus_units['LY-JL'].id}"
    ).get_json()

    assert sorted(item["title"] for item in body["data"]) == ["村里", "镇上"]


def test_theme_and_audience_filters(client, create_activity):
    day = _local(2026, 12, 11, 9)
    create_activity(title="健康", theme="health", starts_at=day)
    create_activity(title="清扫", theme="etiquette", audience="volunteers", starts_at=day)

    health = client.get("/api/v1/activities?start=2026-12-11&end=2026-12-11&theme=health")
    staff = client.get("/api/v1/activities?start=2026-12-11&end=2026-12-11&audience=volunteers")

    assert [item["title"] for item in health.get_json()["data"]] == ["健康"]
    assert [item["title"] for item in staff.get_json()["data"]] == ["清扫"]


def test_near_me_sorts_by_distance_and_drops_far_ones(client, create_activity):
    day = _local(2026, 12, 12, 9)
    create_activity(title="近", lat=33.8090, lng=113.9315, starts_at=day)
    create_activity(title="较近", lat=33.8200, lng=113.9400, starts_at=day)
    create_activity(title="远", lat=33.7000, lng=113.7500, starts_at=day)

    body = client.get(
        "/api/v1/activities?start=2026-12-12&end=2026-12-12&lat=33.8086&lng=113.9312&radius_km=3"
    ).get_json()

    assert [item["title"] for item in body["data"]] == ["近", "较近"]
    assert body["data"][0]["distance_km"] < body["data"][1]["distance_km"] <= 3


def test_drafts_stay_off_the_calendar_and_detail(client, create_activity):
    draft = create_activity(status="draft", starts_at=_local(2026, 12, 13, 9))
    body = client.get("/api/v1/activities?start=2026-12-13&end=2026-12-13").get_json()
    assert body["data"] == []
    assert client.get(f"/api/v1/activities/{draft.id}").status_code == 404


def test_month_widget_counts_per_local_day(client, create_activity):
    create_activity(starts_at=_local(2027, 1, 1, 0, 10), ends_at=_local(2027, 1, 1, 1, 0))
    create_activity(starts_at=_local(2027, 1, 1, 9), ends_at=_local(2027, 1, 1, 10))
    create_activity(starts_at=_local(2027, 1, 31, 23, 0), ends_at=_local(2027, 1, 31, 23, 30))
    create_activity(starts_at=_local(2027, 2, 1, 9), ends_at=_local(2027, 2, 1, 10))

    body = client.get("/api/v1/activities/calendar?month=2027-01").get_json()

    assert body == {
        "month": "2027-01",
        "days": [{"date": "2027-01-01", "count": 2}, {"date": "2027-01-31", "count": 1}],
    }


def test_bad_calendar_queries_get_chinese_validation_errors(client):
    reversed_range = client.get("/api/v1/activities?start=2027-01-10&end=2027-01-01")
    bad_month = client.get("/api/v1/activities/calendar?month=2027-13")
    assert reversed_range.status_code == 422
    assert reversed_range.get_json()["errors"]["end"] == ["结束日期不能早于开始日期"]
    assert bad_month.status_code == 422
    assert "month" in bad_month.get_json()["errors"]


def test_items_carry_counts_and_signup_state(client, create_activity):
    activity = create_activity(capacity=None, starts_at=_local(2030, 5, 1, 9))
    body = client.get("/api/v1/activities?start=2030-05-01&end=2030-05-01").get_json()
    item = body["data"][0]
    assert item["id"] == activity.id
    assert (item["capacity"], item["confirmed_count"], item["waitlist_count"]) == (None, 0, 0)
    assert item["signup_open"] is True


def test_corpus_import_is_idempotent_and_keeps_line_numbers(tmp_path, corpus_units, corpus_dir):
    first = import_activities(corpus_dir / "activities.csv")
    second = import_activities(corpus_dir / "activities.csv")
    assert (first.created, second.created, second.updated) == (320, 0, 0)
    with (corpus_dir / "activities.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["theme"] = "wellness"  # the third record starts on line 4
    broken = tmp_path / "activities.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(CorpusRowError, match=r"activities\.csv:4: .*wellness"):
        import_activities(broken)


def test_xlsx_with_the_same_columns_imports(tmp_path, client, corpus_units, corpus_dir):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    with (corpus_dir / "activities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[:4]
    for row in rows:
        sheet.append(row)
    workbook.save(tmp_path / "plan.xlsx")

    counts = import_activities(tmp_path / "plan.xlsx")

    assert counts.created == 3
    first_day = date.fromisoformat(rows[1][7][:10]).isoformat()
    body = client.get(f"/api/v1/activities?start={first_day}&end={first_day}").get_json()
    assert rows[1][0] in {item["external_id"] for item in body["data"]}
