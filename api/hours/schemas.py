"""Hours schemas: records, my hours, reviews, disputes, lookup, certificates, reports.

Nothing here writes a name, phone or ID number unmasked (DESIGN §4 invariant 7).
"""

from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from api.hours.models import MISSING, WRONG, CertificateStatus, DisputeStatus, RecordStatus
from api.hours.totals import hours
from api.pagination import PaginationQuerySchema, PaginationSchema
from api.personal_data import mask_name
from api.timeutil import local_isoformat, to_local, utcnow
from api.validation import LocalDateTime, Schema

MAX_MINUTES = 24 * 60
MAX_REPORT_DAYS = 366 * 3


def _volunteer_name(record) -> str | None:
    profile = record.user.volunteer if record.user else None
    return mask_name(profile.real_name) if profile else None


class MyRecordSchema(Schema):
    """A record as its volunteer sees it (and, with more, an organizer: a record's
    relations give the names; a row of the volunteer's own list is written by
    :func:`my_record_answer`)."""

    id = fields.Integer()
    activity_id = fields.Integer(allow_none=True)
    activity_title = fields.Function(
        lambda record: record.activity.title if record.activity else None
    )
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda record: record.unit.name)
    category = fields.String()
    credited_minutes = fields.Integer()
    hours = fields.Function(lambda record: hours(record.credited_minutes))
    source = fields.String(metadata={"description": "checkin | manual | help_request"})
    status = fields.String(metadata={"description": "pending | approved | rejected | voided"})
    served_at = LocalDateTime()
    corrects_id = fields.Integer(allow_none=True)
    reason = fields.String()
    review_note = fields.String()
    reviewed_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


def my_record_answer(row) -> dict:
    """What :class:`MyRecordSchema` writes, for a row of the volunteer's own list (the
    columns of ``totals._RECORD_COLUMNS``, names joined in), written directly: through
    marshmallow, the page's 20 rows cost more than the rest of "my hours" together. A test
    holds the two equal (tests/hours/test_my_hours.py)."""
    return {
        "id": row.id,
        "activity_id": row.activity_id,
        "activity_title": row.activity_title,
        "unit_id": row.unit_id,
        "unit_name": row.unit_name,
        "category": row.category,
        "credited_minutes": row.credited_minutes,
        "hours": hours(row.credited_minutes),
        "source": row.source,
        "status": row.status,
        "served_at": local_isoformat(row.served_at),
        "corrects_id": row.corrects_id,
        "reason": row.reason,
        "review_note": row.review_note,
        "reviewed_at": local_isoformat(row.reviewed_at),
        "created_at": local_isoformat(row.created_at),
    }


class _MyRecordRows(fields.List):
    """Documented as a list of :class:`MyRecordSchema`; written by :func:`my_record_answer`."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(MyRecordSchema), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return [my_record_answer(row) for row in value]


class ManagedRecordSchema(MyRecordSchema):
    """A record as an organizer sees it: whose (masked), who entered and reviewed it."""

    user_id = fields.Integer()
    volunteer_name = fields.Function(_volunteer_name)
    created_by_id = fields.Integer(allow_none=True)
    reviewed_by_id = fields.Integer(allow_none=True)


class RecordQuerySchema(PaginationQuerySchema):
    unit_id = fields.Integer(load_default=None)
    activity_id = fields.Integer(load_default=None)
    user_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(RecordStatus)))


class MyHoursQuerySchema(PaginationQuerySchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(tuple(RecordStatus)),
        metadata={"description": "只列出该状态的记录（合计不受影响）"},
    )


class StarSchema(Schema):
    level = fields.Integer()
    next_level_hours = fields.Integer(allow_none=True)
    hours_to_next = fields.Float(allow_none=True)
    minutes_to_next = fields.Integer(allow_none=True)


class MinutesSchema(Schema):
    minutes = fields.Integer()
    hours = fields.Function(lambda item: hours(item["minutes"]))


class CategoryMinutesSchema(MinutesSchema):
    category = fields.String()


class MonthMinutesSchema(MinutesSchema):
    month = fields.String(metadata={"description": "YYYY-MM（北京时间）"})


class MyHoursSchema(Schema):
    """``total_hours`` equals the sum of the approved records over all pages."""

    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda mine: hours(mine.total_minutes))
    year = fields.Integer()
    year_minutes = fields.Integer()
    year_hours = fields.Function(lambda mine: hours(mine.year_minutes))
    pending_minutes = fields.Integer()
    pending_hours = fields.Function(lambda mine: hours(mine.pending_minutes))
    star = fields.Nested(StarSchema)
    by_category = fields.List(fields.Nested(CategoryMinutesSchema))
    by_month = fields.List(fields.Nested(MonthMinutesSchema))
    records = _MyRecordRows(attribute="records.data")
    pagination = fields.Nested(PaginationSchema, attribute="records.pagination")


class ManualRecordSchema(Schema):
    user_id = fields.Integer(required=True)
    activity_id = fields.Integer(required=True)
    credited_minutes = fields.Integer(
        required=True, validate=validate.Range(min=1, max=MAX_MINUTES)
    )
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class ReviewSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=255))


class RejectSchema(Schema):
    note = fields.String(
        required=True,
        validate=validate.Length(min=2, max=255),
        metadata={"description": "驳回原因（志愿者可见）"},
    )


class RosterReviewSchema(Schema):
    record_ids = fields.List(
        fields.Integer(),
        load_default=None,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "不填则为该活动全部待审核记录"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=255))


class RosterRejectSchema(RosterReviewSchema):
    note = fields.String(required=True, validate=validate.Length(min=2, max=255))


class RosterReviewResultSchema(Schema):
    activity_id = fields.Integer()
    status = fields.String()
    record_ids = fields.List(fields.Integer())
    count = fields.Function(lambda result: len(result["record_ids"]))


class CorrectionSchema(Schema):
    credited_minutes = fields.Integer(
        required=True, validate=validate.Range(min=0, max=MAX_MINUTES)
    )
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class VoidSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class DisputeCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf((WRONG, MISSING)),
        metadata={"description": "wrong（记录有误）| missing（记录缺漏）"},
    )
    record_id = fields.Integer(
        load_default=None, metadata={"description": "有误的服务记录；kind 为 wrong 时必填"}
    )
    activity_id = fields.Integer(
        load_default=None, metadata={"description": "缺漏记录的活动；kind 为 missing 时必填"}
    )
    claimed_minutes = fields.Integer(
        load_default=None, validate=validate.Range(min=0, max=MAX_MINUTES)
    )
    description = fields.String(required=True, validate=validate.Length(min=2, max=500))

    @validates_schema
    def _target(self, data, **_):
        if data["kind"] == WRONG and data.get("record_id") is None:
            raise ValidationError("请指明有误的服务记录", "record_id")
        if data["kind"] == MISSING and data.get("activity_id") is None:
            raise ValidationError("请指明缺漏记录的活动", "activity_id")


class DisputeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    record_id = fields.Integer(allow_none=True)
    activity_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    claimed_minutes = fields.Integer(allow_none=True)
    description = fields.String()
    status = fields.String(metadata={"description": "open | accepted | dismissed"})
    resolution_note = fields.String()
    resolved_at = LocalDateTime(allow_none=True)
    result_record_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()


class ManagedDisputeSchema(DisputeSchema):
    user_id = fields.Integer()
    volunteer_name = fields.Function(_volunteer_name)


class DisputeQuerySchema(PaginationQuerySchema):
    unit_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(DisputeStatus)))


class ResolveSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "dismiss")))
    credited_minutes = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=MAX_MINUTES),
        metadata={
            "description": "核定的服务时长（分钟）；decision "
            "为 accept 时必填，除非异议已写明 claimed_minutes"
        },
    )
    note = fields.String(required=True, validate=validate.Length(min=2, max=255))


class LookupQuerySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    id_last4 = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{3}[\dXx]$"),
        metadata={"description": "身份证号后四位；与 phone_last4 二选一"},
    )
    phone_last4 = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{4}$"),
        metadata={"description": "手机号后四位；与 id_last4 二选一"},
    )

    @validates_schema
    def _one_of(self, data, **_):
        if (data.get("id_last4") is None) == (data.get("phone_last4") is None):
            raise ValidationError("请填写身份证号后四位或手机号后四位（二选一）", "id_last4")


class LookupAnswerSchema(Schema):
    name = fields.String()
    total_minutes = fields.Integer(attribute="approved_minutes")
    total_hours = fields.Function(lambda answer: hours(answer.approved_minutes))
    star = fields.Nested(StarSchema)


class HonorRollQuerySchema(Schema):
    unit_id = fields.Integer(required=True)
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class HonorRollEntrySchema(Schema):
    rank = fields.Integer()
    name = fields.String()
    minutes = fields.Integer(attribute="approved_minutes")
    hours = fields.Function(lambda entry: hours(entry.approved_minutes))
    star_level = fields.Function(lambda entry: entry.star.level)


class HonorRollSchema(Schema):
    unit_id = fields.Integer()
    year = fields.Integer()
    data = fields.List(fields.Nested(HonorRollEntrySchema))


class CertificateSettingsSchema(Schema):
    unit_id = fields.Integer(dump_only=True)
    principal_name = fields.String(
        validate=validate.Length(max=40), metadata={"description": "负责人"}
    )
    handler_name = fields.String(
        validate=validate.Length(max=40), metadata={"description": "经办人"}
    )
    contact_phone = fields.String(
        validate=validate.Length(max=40), metadata={"description": "单位联系电话"}
    )


class CertificateCreateSchema(Schema):
    unit_id = fields.Integer(
        load_default=None, metadata={"description": "出具单位：本人所属单位（默认）或其上级"}
    )


class CertificateSchema(Schema):
    """A certificate as its volunteer sees it (masked, like everyone)."""

    number = fields.String()
    code = fields.String()
    status = fields.String(metadata={"description": "valid | revoked"})
    name = fields.Function(lambda certificate: certificate.snapshot["name"])
    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda certificate: hours(certificate.total_minutes))
    unit_name = fields.Function(lambda certificate: certificate.snapshot["issuer"]["unit_name"])
    issued_at = LocalDateTime()
    verify_url = fields.String()
    pdf_url = fields.String()


class VerificationSchema(Schema):
    """What anyone holding the code may see: masked identity, hours, issuer, validity."""

    number = fields.String()
    valid = fields.Function(lambda certificate: certificate.status == CertificateStatus.VALID)
    status = fields.String(metadata={"description": "valid | revoked"})
    name = fields.Function(lambda certificate: certificate.snapshot["name"])
    id_number = fields.Function(lambda certificate: certificate.snapshot.get("id_number"))
    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda certificate: hours(certificate.total_minutes))
    activity_count = fields.Function(lambda certificate: certificate.snapshot["activity_count"])
    first_date = fields.Function(lambda certificate: certificate.snapshot["first_date"])
    last_date = fields.Function(lambda certificate: certificate.snapshot["last_date"])
    unit_name = fields.Function(lambda certificate: certificate.snapshot["issuer"]["unit_name"])
    issued_on = fields.Function(lambda certificate: certificate.snapshot["issued_on"])
    revoked_at = LocalDateTime(allow_none=True)


class RevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class ReportQuerySchema(Schema):
    unit_id = fields.Integer(required=True)
    start = fields.Date(
        load_default=None,
        data_key="from",
        metadata={"description": "本地日期，含当天；默认今年 1 月 1 日"},
    )
    end = fields.Date(
        load_default=None, data_key="to", metadata={"description": "本地日期，含当天；默认今天"}
    )

    @post_load
    def _default_range(self, data, **_):
        today = to_local(utcnow()).date()
        data["start"] = data["start"] or date(today.year, 1, 1)
        data["end"] = data["end"] or today
        if data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期", "to")
        if (data["end"] - data["start"]).days > MAX_REPORT_DAYS:
            raise ValidationError(f"查询范围不能超过 {MAX_REPORT_DAYS} 天", "to")
        return data


class UnitHoursSchema(Schema):
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    records = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()


class TeamHoursSchema(Schema):
    team_id = fields.Integer(allow_none=True)
    name = fields.String()
    records = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()


class ReportSchema(Schema):
    """Approved hours of a subtree; the workbook adds the sheet by volunteer."""

    unit_id = fields.Function(lambda report: report.unit.id)
    unit_name = fields.Function(lambda report: report.unit.name)
    start = fields.Date(attribute="first", data_key="from")
    end = fields.Date(attribute="last", data_key="to")
    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda report: hours(report.total_minutes))
    volunteer_count = fields.Integer()
    by_unit = fields.List(fields.Nested(UnitHoursSchema))
    by_team = fields.List(fields.Nested(TeamHoursSchema))
