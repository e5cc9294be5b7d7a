"""The domain errors of the hours ledger, each mapped once to the JSON error envelope."""

from api.errors import Conflict, Forbidden, NotFound, ValidationFailed


class RecordNotFound(NotFound):
    error, message = "service_record_not_found", "服务记录不存在"


class RecordNotPending(Conflict):
    error, message = "record_not_pending", "该记录已审核，不能重复审核"


class RecordSuperseded(Conflict):
    error, message = "record_superseded", "该记录已被更正或作废"


class RecordExists(Conflict):
    error, message = "record_exists", "该志愿者在此活动已有服务记录，如有错误请提出更正"


class ActivityNotHeld(Conflict):
    error, message = "activity_not_held", "活动尚未举行或已取消，不能登记时长"


class ExceedsPlannedDuration(ValidationFailed):
    error, message = "exceeds_planned_duration", "服务时长不能超过活动计划时长"


class DisputeNotFound(NotFound):
    error, message = "dispute_not_found", "异议不存在"


class DisputeExists(Conflict):
    error, message = "dispute_exists", "已有待处理的异议，请等待处理结果"


class DisputeClosed(Conflict):
    error, message = "dispute_closed", "该异议已处理"


class OwnRecord(Forbidden):
    error, message = "own_record", "不能审核、更正或处理本人的服务记录"


class SelfReview(Forbidden):
    error, message = "self_review", "不能审核、更正或处理自己登记的服务记录，请由其他管理员处理"


class ManualRecordNeedsLink(Conflict):
    error, message = (
        "manual_record_needs_link",
        "该志愿者未报名此活动，也不是承办服务队的成员，不能补录时长",
    )


class MinutesOverRecordCap(ValidationFailed):
    error, message = "minutes_over_record_cap", "单条服务记录的时长超过上限"


class MinutesOverDailyCap(Conflict):
    error, message = "minutes_over_daily_cap", "该志愿者当天的服务时长将超过每日上限"
