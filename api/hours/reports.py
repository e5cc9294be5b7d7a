"""Reports of approved hours for admins: a subtree and a range of local dates, by unit,
team and volunteer (JSON, .xlsx, CSV), and the national volunteer information system's
export (全国志愿服务信息系统: ID number, name, activity, date, hours).

Names in the JSON, the workbook and the CSV are masked (DESIGN §4 invariant 7). The
national export needs the real ID numbers and names, so it is no endpoint: it is the
``flask hours export-national`` command, run by an operator on the server, and every run
is audit-logged.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from api.accounts import roles
from api.accounts.models import User, VolunteerProfile
from api.activities.models import Activity
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.hours.totals import hours
from api.personal_data import decrypt, mask_name
from api.spreadsheets import append_row, csv_row
from api.timeutil import local_day_bounds, to_local
from api.transactions import atomic
from api.units.models import Team, Unit
from api.units.tree import UnitNotFound, get_unit, in_subtree

NO_TEAM = "（未归属服务队）"


@dataclass
class Summary:
    unit: Unit
    first: date
    last: date
    total_minutes: int
    volunteer_count: int
    by_unit: list[dict]
    by_team: list[dict]
    by_volunteer: list[dict]


def _approved_in(unit: Unit, first: date, last: date):
    """Conditions: approved records of the unit's subtree served on local days first..last
    (join :class:`Unit` on the record's unit)."""
    start, end = local_day_bounds(first, last)
    return (
        ServiceRecord.status == RecordStatus.APPROVED,
        ServiceRecord.served_at >= start,
        ServiceRecord.served_at < end,
        in_subtree(unit),
    )


def summary(actor: User, unit_id: int, first: date, last: date) -> Summary:
    """Approved hours of a subtree between two local dates, grouped three ways in SQL.

    :raises UnitNotFound: :raises Forbidden: outside the actor's subtree.
    """
    unit = get_unit(unit_id)
    ensure_manages(actor, unit, roles.MANAGING_ROLES)
    where = _approved_in(unit, first, last)
    minutes = func.sum(ServiceRecord.credited_minutes).label("minutes")
    records = func.count(ServiceRecord.id).label("records")
    by_unit = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, minutes, records)
        .join(ServiceRecord, ServiceRecord.unit_id == Unit.id)
        .where(*where)
        .group_by(Unit.id, Unit.code, Unit.name)
        .order_by(Unit.code)
    ).all()
    by_team = db.session.execute(
        select(Team.id, Team.name, minutes, records)
        .select_from(ServiceRecord)
        .join(Unit, Unit.id == ServiceRecord.unit_id)
        .outerjoin(Activity, Activity.id == ServiceRecord.activity_id)
        .outerjoin(Team, Team.id == Activity.team_id)
        .where(*where)
        .group_by(Team.id, Team.name)
        .order_by(minutes.desc(), Team.id)
    ).all()
    by_volunteer = db.session.execute(
        select(ServiceRecord.user_id, VolunteerProfile.real_name, minutes, records)
        .join(Unit, Unit.id == ServiceRecord.unit_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == ServiceRecord.user_id)
        .where(*where)
        .group_by(ServiceRecord.user_id, VolunteerProfile.real_name)
        .order_by(minutes.desc(), ServiceRecord.user_id)
    ).all()
    return Summary(
        unit=unit,
        first=first,
        last=last,
        total_minutes=sum(int(row.minutes) for row in by_unit),
        volunteer_count=len(by_volunteer),
        by_unit=[
            {
                "unit_id": row.id,
                "code": row.code,
                "name": row.name,
                "minutes": int(row.minutes),
                "hours": hours(int(row.minutes)),
                "records": row.records,
            }
            for row in by_unit
        ],
        by_team=[
            {
                "team_id": row.id,
                "name": row.name or NO_TEAM,
                "minutes": int(row.minutes),
                "hours": hours(int(row.minutes)),
                "records": row.records,
            }
            for row in by_team
        ],
        by_volunteer=[
            {
                "user_id": row.user_id,
                "name": mask_name(row.real_name or "志愿者"),
                "minutes": int(row.minutes),
                "hours": hours(int(row.minutes)),
                "records": row.records,
            }
            for row in by_volunteer
        ],
    )


def workbook(report: Summary) -> bytes:
    """The summary as an .xlsx workbook: 概况, 按单位, 按服务队, 按志愿者."""
    book = Workbook()
    overview = book.active
    overview.title = "概况"
    append_row(overview, ["单位", report.unit.name])
    append_row(overview, ["开始日期", report.first.isoformat()])
    append_row(overview, ["结束日期", report.last.isoformat()])
    append_row(overview, ["志愿者人数", report.volunteer_count])
    append_row(overview, ["服务时长（分钟）", report.total_minutes])
    append_row(overview, ["服务时长（小时）", hours(report.total_minutes)])
    sheets = (
        (
            "按单位",
            ["单位编码", "单位", "记录数", "分钟", "小时"],
            report.by_unit,
            lambda row: [row["code"], row["name"]],
        ),
        (
            "按服务队",
            ["服务队", "记录数", "分钟", "小时"],
            report.by_team,
            lambda row: [row["name"]],
        ),
        (
            "按志愿者",
            ["志愿者", "记录数", "分钟", "小时"],
            report.by_volunteer,
            lambda row: [row["name"]],
        ),
    )
    for title, header, rows, label in sheets:
        sheet = book.create_sheet(title)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, [*label(row), row["records"], row["minutes"], row["hours"]])
        append_row(
            sheet,
            ["合计"]
            + [""] * (len(header) - 4)
            + [
                sum(row["records"] for row in rows),
                report.total_minutes,
                hours(report.total_minutes),
            ],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def volunteers_csv(report: Summary) -> str:
    """Hours by volunteer as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["志愿者", "记录数", "分钟", "小时"])
    for row in report.by_volunteer:
        writer.writerow(csv_row([row["name"], row["records"], row["minutes"], row["hours"]]))
    writer.writerow(
        [
            "合计",
            sum(row["records"] for row in report.by_volunteer),
            report.total_minutes,
            hours(report.total_minutes),
        ]
    )
    return buffer.getvalue()


NATIONAL_FIELDS = ("身份证号", "姓名", "活动名称", "服务日期", "服务时长（小时）")


@atomic()  # the audit entry commits with the export it records
def national_export(
    unit_code: str, first: date, last: date, output: io.TextIOBase, operator: str, reason: str
) -> int:
    """Write approved records of a subtree in the national system's fields (unmasked: the
    system needs them) to ``output``; audit-logged. Returns the number of rows.

    :raises UnitNotFound:
    """
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise UnitNotFound()
    writer = csv.writer(output)
    writer.writerow(NATIONAL_FIELDS)
    rows = db.session.execute(
        select(
            VolunteerProfile.id_number_encrypted,
            VolunteerProfile.real_name,
            Activity.title,
            ServiceRecord.category,
            ServiceRecord.served_at,
            ServiceRecord.credited_minutes,
        )
        .select_from(ServiceRecord)
        .join(Unit, Unit.id == ServiceRecord.unit_id)
        .join(VolunteerProfile, VolunteerProfile.user_id == ServiceRecord.user_id)
        .outerjoin(Activity, Activity.id == ServiceRecord.activity_id)
        .where(*_approved_in(unit, first, last))
        .order_by(ServiceRecord.served_at, ServiceRecord.id)
        .execution_options(yield_per=1000)
    )
    count = 0
    for row in rows:
        id_number = decrypt(row.id_number_encrypted) if row.id_number_encrypted else ""
        writer.writerow(
            csv_row(
                [
                    id_number,
                    row.real_name,
                    row.title or f"{row.category}服务",
                    to_local(row.served_at).date().isoformat(),
                    f"{hours(row.credited_minutes):.2f}",
                ]
            )
        )
        count += 1
    audit(
        None,
        "hours.national_export",
        "unit",
        unit.id,
        details={
            "unit": unit.code,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "rows": count,
            "operator": operator,
        },
        reason=reason,
    )
    return count
