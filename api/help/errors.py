"""The domain errors of 我来帮, each mapped once to the JSON error envelope."""

from api.errors import Conflict, NotFound, ValidationFailed


class HelpRequestNotFound(NotFound):
    error, message = "help_request_not_found", "求助不存在"


class InvalidTransition(Conflict):
    error, message = "invalid_transition", "求助当前状态不能执行此操作"


class ContentRefused(ValidationFailed):
    error = "content_risky"
    message = "提交的内容可能含有违法违规信息，未能提交，请修改后重试"


class NotAResponder(ValidationFailed):
    error, message = "not_a_responder", "只能为承接该求助的服务队的响应志愿者登记时长"


class TeamHasNoResponders(Conflict):
    error, message = "team_has_no_responders", "该志愿服务队尚未设置接单人，请先设置再派单"


class NotRoutedToStation(Conflict):
    error, message = "not_routed_to_station", "只有已转派到村（社区）实践站的求助可以由站认领"


class ActivityExists(Conflict):
    error, message = "activity_exists", "该求助已转为活动"
