"""An activity's roster as an .xlsx workbook: the same masked entries the organizer sees,
written through :func:`api.spreadsheets.append_row` (no cell runs as a formula)."""

import io

from openpyxl import Workbook

from api.activities.models import Activity
from api.signups.models import Signup, SignupStatus
from api.signups.schemas import RosterEntrySchema
from api.spreadsheets import append_row
from api.timeutil import to_local

STATUS_LABELS = {
    SignupStatus.CONFIRMED: "已报名",
    SignupStatus.WAITLISTED: "候补",
    SignupStatus.CANCELLED: "已取消",
    SignupStatus.ATTENDED: "已参加",
    SignupStatus.NO_SHOW: "缺席",
}
METHOD_LABELS = {"qr": "扫码", "staff": "工作人员代签", "hotline": "热线"}
HEADER = [
    "序号",
    "姓名",
    "状态",
    "候补顺序",
    "代报名",
    "报名时间",
    "签到时间",
    "签退时间",
    "签到方式",
]


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def roster_workbook(activity: Activity, signups: list[Signup]) -> bytes:
    """One sheet 花名册 under the activity's title and time; names masked as on screen."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    append_row(sheet, [activity.title])
    append_row(
        sheet, [f"{_local(activity.starts_at)} – {_local(activity.ends_at)}", activity.unit.name]
    )
    append_row(sheet, HEADER)
    entries = RosterEntrySchema(many=True).dump(signups)
    for number, (signup, entry) in enumerate(zip(signups, entries, strict=True), start=1):
        attendance = signup.attendance
        append_row(
            sheet,
            [
                number,
                entry["name"],
                STATUS_LABELS.get(signup.status, signup.status),
                entry["waitlist_position"] or "",
                "是" if entry["assisted"] else "",
                _local(signup.created_at),
                _local(attendance.checked_in_at) if attendance else "",
                _local(attendance.checked_out_at) if attendance else "",
                METHOD_LABELS.get(attendance.method, attendance.method) if attendance else "",
            ],
        )
    for column, width in zip("ABCDEFGHI", (6, 14, 10, 10, 8, 18, 18, 18, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
