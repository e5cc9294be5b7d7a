"""The organizer's own list (drafts included), the roster workbook, and the spreadsheet
import of activities as drafts (every bad row reported, nothing written)."""

import io
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from api.activities.models import Activity
from api.audit.models import AuditEntry
from api.extensions import db
from api.timeutil import utcnow

HEADER = (
    "external_id,title,description,theme,category,unit_code,team_code,starts_at,"
    "ends_at,address,lat,lng,capacity,audience"
)


def _row(
    external_id: str, unit_code: str = "LY-JL-YFC", theme: str = "health", title: str = "义诊进村"
) -> str:
    return (
        f"{external_id},{title},测血压,{theme},医疗健身,{unit_code},,2026-12-20T09:00:00+08:00,"
        "2026-12-20T11:00:00+08:00,村委会,,,30,public"
    )


def _csv(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode("utf-8")


def _upload(client, headers, data: bytes, name: str = "活动.csv"):
    return client.post(
        "/api/v1/activities/imports",
        headers=headers,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _activities() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def test_the_managed_list_shows_drafts_of_my_subtree_only(
    client, create_user, auth_headers, create_activity, corpus_units
):
    mine = create_activity(title="巨陵草稿", status="draft")
    create_activity(title="巨陵已发布")
    create_activity(title="城关草稿", status="draft", unit_id=corpus_units["LY-CG"].id)
    headers = auth_headers(create_user("jl", roles=[("team_leader", "LY-JL")]))

    listed = client.get("/api/v1/activities/managed", headers=headers).get_json()
    assert {row["title"] for row in listed["data"]} == {"巨陵草稿", "巨陵已发布"}
    drafts = client.get("/api/v1/activities/managed?status=draft", headers=headers).get_json()
    assert [row["id"] for row in drafts["data"]] == [mine.id]
    tomorrow = (utcnow() + timedelta(days=1)).date()
    later = client.get(
        f"/api/v1/activities/managed?start={tomorrow + timedelta(days=2)}", headers=headers
    ).get_json()
    assert later["pagination"]["total"] == 0

    outside = client.get(
        f"/api/v1/activities/managed?unit_id={corpus_units['LY-CG'].id}", headers=headers
    )
    assert outside.status_code == 403
    resident = auth_headers(create_user())
    assert client.get("/api/v1/activities/managed", headers=resident).status_code == 403


def test_the_roster_workbook_lists_sign_ups_masked(
    client, create_user, auth_headers, create_activity
):
    activity = create_activity()
    organizer = auth_headers(create_user("jl", roles=[("unit_admin", "LY-JL")]))
    assisted = client.post(
        f"/api/v1/activities/{activity.id}/assisted-signups",
        headers=organizer,
        json={"real_name": "王秀兰", "phone": "13812345678"},
    )
    assert assisted.status_code == 201

    response = client.get(f"/api/v1/activities/{activity.id}/roster.xlsx", headers=organizer)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == activity.title
    assert rows[2][:3] == ("序号", "姓名", "状态")
    assert rows[3][2] == "已报名" and rows[3][4] == "是"
    assert "13812345678" not in str(rows)

    activity.title = '=HYPERLINK("http://x","y")'
    db.session.commit()
    sheet = load_workbook(
        io.BytesIO(
            client.get(f"/api/v1/activities/{activity.id}/roster.xlsx", headers=organizer).data
        )
    ).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == activity.title

    other = auth_headers(create_user("cg", roles=[("unit_admin", "LY-CG")]))
    assert (
        client.get(f"/api/v1/activities/{activity.id}/roster.xlsx", headers=other).status_code
        == 403
    )


def test_an_import_creates_drafts_and_a_second_changes_nothing(
    client, create_user, auth_headers, corpus_units
):
    user = create_user("jl", roles=[("unit_admin", "LY-JL")])
    headers = auth_headers(user)
    data = _csv(_row("X-1"), _row("X-2", unit_code="LY-JL"))

    first = _upload(client, headers, data)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"created": 2, "updated": 0, "unchanged": 0}
    imported = db.session.scalars(select(Activity).order_by(Activity.external_id)).all()
    assert [(row.status, row.created_by_id) for row in imported] == [("draft", user.id)] * 2
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "activity.import"))

    again = _upload(client, headers, data)
    assert again.get_json() == {"created": 0, "updated": 0, "unchanged": 2}
    renamed = _upload(client, headers, _csv(_row("X-1", title="义诊进村（改期）")))
    assert renamed.get_json()["updated"] == 1


def test_an_xlsx_import_reads_the_first_sheet(client, create_user, auth_headers, corpus_units):
    headers = auth_headers(create_user("jl", roles=[("team_leader", "LY-JL")]))
    book = Workbook()
    for line in (HEADER, _row("X-9")):
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    answer = _upload(client, headers, buffer.getvalue(), "活动.xlsx")
    assert answer.status_code == 200 and answer.get_json()["created"] == 1


def test_every_bad_row_is_listed_and_nothing_is_written(
    client, create_user, auth_headers, create_activity, corpus_units
):
    create_activity(external_id="P-1")  # published already
    headers = auth_headers(create_user("jl", roles=[("unit_admin", "LY-JL")]))
    before = _activities()
    answer = _upload(
        client,
        headers,
        _csv(
            _row("X-1"),
            _row("X-2", theme="sports"),
            _row("X-3", unit_code="LY-CG"),
            _row("P-1"),
            _row("X-1"),
        ),
    )
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "import_rows_invalid"
    assert [message.split("：")[0] for message in body["errors"]["file"]] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
    ]
    assert "管理范围" in body["errors"]["file"][1]
    assert "已发布" in body["errors"]["file"][2]
    assert _activities() == before


def test_an_import_refuses_other_files_and_people_without_a_role(
    client, create_user, auth_headers, corpus_units
):
    headers = auth_headers(create_user("jl", roles=[("unit_admin", "LY-JL")]))
    wrong = _upload(client, headers, b"hello", "notes.txt")
    assert wrong.status_code == 422 and wrong.get_json()["error"] == "import_file_invalid"
    broken = _upload(client, headers, b"not a zip", "活动.xlsx")
    assert broken.status_code == 422 and broken.get_json()["error"] == "import_file_invalid"
    resident = auth_headers(create_user())
    assert _upload(client, resident, _csv(_row("X-1"))).status_code == 403


def test_the_managed_list_runs_no_query_per_activity(
    client, create_user, auth_headers, create_activity, count_queries
):
    headers = auth_headers(create_user("jl", roles=[("team_leader", "LY-JL")]))

    def statements() -> int:
        with count_queries() as counted:
            assert client.get("/api/v1/activities/managed", headers=headers).status_code == 200
        return counted.n

    create_activity(status="draft")
    few = statements()
    for _ in range(5):
        create_activity()
    assert statements() == few
