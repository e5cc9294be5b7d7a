"""我来帮: residents ask for help, dispatchers dispatch, teams take and complete, residents
rate; the public board shows only category, township and status."""

from api.auth.current import optional_user, require_user
from api.blueprint import Blueprint
from api.extensions import configured_limit, limiter
from api.help import privacy, queries, ratings, responders, services, submitting
from api.help.schemas import (
    AssignedQuerySchema,
    BoardQuerySchema,
    CompleteSchema,
    DispatchSchema,
    HelpActivitySchema,
    HelpRequestCreateSchema,
    HelpRequestSchema,
    PublicHelpRequestSchema,
    QueueQuerySchema,
    RateSchema,
    ReasonSchema,
    ResponderListSchema,
    ResponderSchema,
    RouteSchema,
    is_hotline,
)
from api.pagination import Page, PaginationQuerySchema, page_schema, paginate

blp = Blueprint("help", __name__, url_prefix="/api/v1", description="我来帮：群众求助")

_ONE = "/help-requests/<int:request_id>"


def _presented(statement, query: dict, viewer) -> Page:
    page = paginate(statement, query["page"], query["per_page"])
    page.data = privacy.present_all(page.data, viewer)
    return page


@blp.route("/help-requests", methods=["POST"])
@limiter.limit(configured_limit("HELP_REQUEST_RATE_LIMIT"))
@blp.arguments(HelpRequestCreateSchema)
@blp.response(201, HelpRequestSchema)
def create_help_request(values):
    """Ask for help (residents), or enter a hotline caller's request (dispatchers)."""
    user = require_user()
    submit = submitting.enter_hotline if is_hotline(values) else submitting.submit
    return privacy.present(submit(user, values), user)


@blp.route("/help-requests", methods=["GET"])
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, page_schema(HelpRequestSchema))
def list_queue(query):
    """List the help requests of my subtree, by default those waiting, oldest first."""
    user = require_user()
    filters = {name: query[name] for name in ("unit_id", "status", "category", "overdue")}
    return _presented(queries.queue_query(user, **filters), query, user)


@blp.route("/help-requests/board", methods=["GET"])
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, page_schema(PublicHelpRequestSchema))
def list_board(query):
    """List help requests publicly: category, township and status only."""
    page, per_page = query.pop("page"), query.pop("per_page")
    listed = paginate(queries.board_query(**query), page, per_page)
    listed.data = [ratings.show_effective_rating(help_request) for help_request in listed.data]
    return listed


@blp.route("/help-requests/assigned", methods=["GET"])
@blp.arguments(AssignedQuerySchema, location="query")
@blp.response(200, page_schema(HelpRequestSchema))
def list_assigned(query):
    """List the help requests now with the teams I take requests for."""
    user = require_user()
    return _presented(queries.assigned_query(user, status=query["status"]), query, user)


@blp.route("/me/help-requests", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(HelpRequestSchema))
def list_mine(query):
    """List the help requests I asked for, newest first."""
    user = require_user()
    return _presented(queries.my_requests_query(user), query, user)


@blp.route(_ONE, methods=["GET"])
@blp.response(200, HelpRequestSchema)
def get_help_request(request_id):
    """Show a help request to its requester, its dispatchers or its assignee."""
    return queries.get_request(optional_user(), request_id)


@blp.route(f"{_ONE}/release", methods=["POST"])
@blp.response(200, HelpRequestSchema)
def release(request_id):
    """Let a request held by the content check into the queue."""
    return services.release(require_user(), request_id)


@blp.route(f"{_ONE}/reject", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, HelpRequestSchema)
def reject(body, request_id):
    """Decline a waiting request, with a reason only the requester sees."""
    return services.reject(require_user(), request_id, body["reason"])


@blp.route(f"{_ONE}/route", methods=["POST"])
@blp.arguments(RouteSchema)
@blp.response(200, HelpRequestSchema)
def route(body, request_id):
    """Pass a waiting request to another unit of my subtree."""
    return services.route(require_user(), request_id, body["unit_id"])


@blp.route(f"{_ONE}/dispatch", methods=["POST"])
@blp.arguments(DispatchSchema)
@blp.response(200, HelpRequestSchema)
def dispatch(body, request_id):
    """Dispatch a waiting request to a team (派单)."""
    return services.dispatch(require_user(), request_id, body["team_id"])


@blp.route(f"{_ONE}/redispatch", methods=["POST"])
@blp.arguments(DispatchSchema)
@blp.response(200, HelpRequestSchema)
def redispatch(body, request_id):
    """Take a request from its team or station and dispatch it to another team (改派)."""
    return services.dispatch(require_user(), request_id, body["team_id"], again=True)


@blp.route(f"{_ONE}/requeue", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, HelpRequestSchema)
def requeue(body, request_id):
    """Take a request back from its team or station into the queue."""
    return services.requeue(require_user(), request_id, body["reason"])


@blp.route(f"{_ONE}/claim", methods=["POST"])
@blp.response(200, HelpRequestSchema)
def claim(request_id):
    """Take a request routed down to my station for the station itself."""
    return services.claim(require_user(), request_id)


@blp.route(f"{_ONE}/accept", methods=["POST"])
@blp.response(200, HelpRequestSchema)
def accept(request_id):
    """Accept a request dispatched to my team (接单)."""
    return services.accept(require_user(), request_id)


@blp.route(f"{_ONE}/complete", methods=["POST"])
@blp.arguments(CompleteSchema)
@blp.response(200, HelpRequestSchema)
def complete(body, request_id):
    """Report a request done, with the volunteers' minutes (pending service records).

    Only responders of the assigned team (or, for a station that took the request itself, its
    teams' responders and volunteers) may be credited: 422 `not_a_responder`. One record is
    capped at `HELP_RECORD_MAX_MINUTES` (422 `minutes_over_record_cap`), a volunteer's day at
    `DAILY_SERVICE_MAX_MINUTES` (409 `minutes_over_daily_cap`).
    """
    return services.complete(require_user(), request_id, body["report"], body["volunteers"])


@blp.route(f"{_ONE}/rate", methods=["POST"])
@blp.arguments(RateSchema)
@blp.response(200, HelpRequestSchema)
def rate(body, request_id):
    """Rate a completed request 1–5 stars (评单)."""
    return services.rate(require_user(), request_id, body["rating"], body["comment"])


@blp.route(f"{_ONE}/cancel", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, HelpRequestSchema)
def cancel(body, request_id):
    """Withdraw my request before it is completed."""
    return services.cancel(require_user(), request_id, body["reason"])


@blp.route(f"{_ONE}/activity", methods=["POST"])
@blp.arguments(HelpActivitySchema)
@blp.response(201, HelpRequestSchema)
def make_activity(values, request_id):
    """Turn an accepted request into a draft activity of my team."""
    return services.make_activity(require_user(), request_id, values)


@blp.route("/help-teams/<int:team_id>/responders", methods=["GET"])
@blp.response(200, ResponderSchema(many=True))
def list_responders(team_id):
    """List who takes help requests for a team."""
    return responders.team_responders(require_user(), team_id)


@blp.route("/help-teams/<int:team_id>/responders", methods=["PUT"])
@blp.arguments(ResponderListSchema)
@blp.response(200, ResponderSchema(many=True))
def set_responders(body, team_id):
    """Set who takes help requests for a team."""
    return responders.set_responders(require_user(), team_id, body["user_ids"])
