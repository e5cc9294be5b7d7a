"""Reports for admins (their subtree, a date range): JSON, .xlsx, CSV; the national export
command; the honor roll."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from api.activities.models import Activity
from api.audit.models import AuditEntry
from api.extensions import db
from api.hours.models import RecordStatus
from api.timeutil import to_local, utcnow
from api.units.models import Team


@pytest.fixture
def ledger(volunteer, past_activity, add_record, corpus_units):
    """Approved hours in 巨陵镇 (two stations' worth) and in 城关街道, plus noise."""
    team = db.session.scalar(select(Team).where(Team.unit_id == corpus_units["LY-JL"].id))
    jl = past_activity(days_ago=5, team_id=team.id if team else None)
    jl_station_unit = next(unit for code, unit in corpus_units.items() if code.startswith("LY-JL-"))
    jl_station = past_activity(days_ago=4, unit_id=jl_station_unit.id)
    cg = past_activity(days_ago=3, unit_id=corpus_units["LY-CG"].id)
    people = [volunteer("周一"), volunteer("吴二"), volunteer("郑三", unit_code="LY-CG")]
    add_record(people[0], jl, 120, status=RecordStatus.APPROVED)
    add_record(people[1], jl, 90, status=RecordStatus.APPROVED)
    add_record(people[0], jl_station, 60, status=RecordStatus.APPROVED)
    add_record(people[1], jl_station, 45)  # pending: not counted
    add_record(people[2], cg, 100, status=RecordStatus.APPROVED)
    old = past_activity(days_ago=400)
    add_record(people[0], old, 30, status=RecordStatus.APPROVED)  # outside the default range
    return {"people": people, "jl_station_unit": jl_station_unit}


def _range():
    today = to_local(utcnow()).date()
    return {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}


def test_summary_totals_of_the_subtree(client, organizer, corpus_units, ledger):
    response = client.get(
        "/api/v1/hours/reports/summary",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY-JL"].id, **_range()},
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["total_minutes"], body["volunteer_count"]) == (270, 2)
    assert {row["code"]: row["minutes"] for row in body["by_unit"]} == {
        "LY-JL": 210,
        ledger["jl_station_unit"].code: 60,
    }
    assert sum(row["minutes"] for row in body["by_team"]) == 270


def test_the_workbook_opens_and_its_totals_equal_the_apis(client, organizer, corpus_units, ledger):
    query = {"unit_id": corpus_units["LY-JL"].id, **_range()}
    summary = client.get(
        "/api/v1/hours/reports/summary", headers=organizer.headers, query_string=query
    ).get_json()

    response = client.get(
        "/api/v1/hours/reports/summary.xlsx", headers=organizer.headers, query_string=query
    )

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况", "按单位", "按服务队", "按志愿者"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert overview["服务时长（分钟）"] == summary["total_minutes"]
    assert overview["志愿者人数"] == summary["volunteer_count"]
    for sheet in ("按单位", "按服务队", "按志愿者"):
        rows = list(book[sheet].iter_rows(values_only=True))
        minutes_column = rows[0].index("分钟")
        body_rows, total_row = rows[1:-1], rows[-1]
        assert total_row[0] == "合计"
        assert sum(row[minutes_column] for row in body_rows) == summary["total_minutes"]
        assert total_row[minutes_column] == summary["total_minutes"]
    names = [row[0] for row in book["按志愿者"].iter_rows(min_row=2, values_only=True)]
    assert names == ["周*", "吴*", "合计"]


def test_the_csv_lists_masked_volunteers(client, organizer, corpus_units, ledger):
    response = client.get(
        "/api/v1/hours/reports/volunteers.csv",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY-JL"].id, **_range()},
    )
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["志愿者", "记录数", "分钟", "小时"]
    assert rows[1:] == [
        ["周*", "2", "180", "3.0"],
        ["吴*", "1", "90", "1.5"],
        ["合计", "3", "270", "4.5"],
    ]


def test_reports_stop_at_the_admins_subtree(client, organizer, volunteer, corpus_units, ledger):
    query = _range()
    county = client.get(
        "/api/v1/hours/reports/summary",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY"].id, **query},
    )
    other = client.get(
        "/api/v1/hours/reports/summary.xlsx",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY-CG"].id, **query},
    )
    by_volunteer = client.get(
        "/api/v1/hours/reports/summary",
        headers=ledger["people"][0].headers,
        query_string={"unit_id": corpus_units["LY-JL"].id, **query},
    )
    assert [county.status_code, other.status_code, by_volunteer.status_code] == [403, 403, 403]


def test_a_bad_range_is_a_field_error(client, organizer, corpus_units):
    response = client.get(
        "/api/v1/hours/reports/summary",
        headers=organizer.headers,
        query_string={
            "unit_id": corpus_units["LY-JL"].id,
            "from": "2026-05-01",
            "to": "2026-04-01",
        },
    )
    assert response.status_code == 422
    assert "to" in response.get_json()["errors"]


def _export_national(runner, output):
    """``flask hours export-national`` of 巨陵镇's last 30 days into ``output``."""
    today = to_local(utcnow()).date()
    first = (today - timedelta(days=30)).isoformat()
    return runner.invoke(
        args=["hours", "export-national", "--unit", "LY-JL", "--from", first]
        + ["--to", today.isoformat(), "--output", str(output)]
        + ["--operator", "县中心 王某", "--reason", "季度报送"]
    )


def test_the_national_export_is_unmasked_and_audit_logged(runner, ledger, tmp_path):
    output = tmp_path / "national.csv"

    result = _export_national(runner, output)

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["身份证号", "姓名", "活动名称", "服务日期", "服务时长（小时）"]
    assert len(rows) == 4
    assert {row[1] for row in rows[1:]} == {"周一", "吴二"}
    assert all(len(row[0]) == 18 for row in rows[1:])
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "hours.national_export")
    )
    assert entry.details["rows"] == 3
    assert entry.details["operator"] == "县中心 王某"
    assert entry.reason == "季度报送"


def test_the_national_export_of_an_unknown_unit_fails_cleanly(runner, corpus_units):
    result = runner.invoke(
        args=[
            "hours",
            "export-national",
            "--unit",
            "NOPE",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--operator",
            "x",
            "--reason",
            "y",
        ]
    )
    assert result.exit_code != 0
    assert "单位不存在" in result.output


def test_the_honor_roll_ranks_this_years_hours_masked(
    client, volunteer, past_activity, add_record, corpus_units, frozen_clock
):
    frozen_clock(datetime(2027, 3, 10, 4, 0, tzinfo=UTC))  # the records of 8 March count
    people = [volunteer(name) for name in ("周大一", "吴二", "郑小三")]
    for person, minutes in zip(people, (100, 300, 200), strict=True):
        add_record(person, past_activity(days_ago=2), minutes, status=RecordStatus.APPROVED)
    add_record(
        volunteer("冯四", unit_code="LY-CG"),
        past_activity(days_ago=2),
        999,
        status=RecordStatus.APPROVED,
    )

    response = client.get(
        "/api/v1/hours/honor-roll", query_string={"unit_id": corpus_units["LY-JL"].id, "limit": 2}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["year"] == 2027
    assert body["data"] == [
        {"rank": 1, "name": "吴*", "minutes": 300, "hours": 5.0, "star_level": 0},
        {"rank": 2, "name": "郑*三", "minutes": 200, "hours": 3.33, "star_level": 0},
    ]


HOSTILE_UNIT = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_ledger(ledger, corpus_units):
    """The ledger with a unit, a team, a volunteer and an activity named like formulas."""
    corpus_units["LY-JL"].name = HOSTILE_UNIT
    for team in db.session.scalars(select(Team).where(Team.unit_id == corpus_units["LY-JL"].id)):
        team.name = "+SUM(1,2)"
    ledger["people"][0].user.volunteer.real_name = "-2+3"
    for activity in db.session.scalars(select(Activity)):
        activity.title = "@SUM(1)"
    db.session.commit()
    return ledger


def test_workbook_cells_that_look_like_formulas_stay_text(
    client, organizer, corpus_units, hostile_ledger
):
    response = client.get(
        "/api/v1/hours/reports/summary.xlsx",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY-JL"].id, **_range()},
    )

    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [
            archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")
        ]
    assert not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)
    book = load_workbook(io.BytesIO(response.data))
    cells = [
        cell
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert {cell.value for cell in cells} >= {HOSTILE_UNIT, "+SUM(1,2)", "-**3"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_csv_fields_that_look_like_formulas_are_quoted(
    client, runner, organizer, corpus_units, hostile_ledger, tmp_path
):
    response = client.get(
        "/api/v1/hours/reports/volunteers.csv",
        headers=organizer.headers,
        query_string={"unit_id": corpus_units["LY-JL"].id, **_range()},
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][0] == "'-**3"

    output = tmp_path / "national.csv"
    _export_national(runner, output)
    exported = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))[1:]
    assert "'-2+3" in {row[1] for row in exported}
    assert {row[2] for row in exported} == {"'@SUM(1)"}
    cells = [cell for row in exported for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
