"""The activity calendar and its management by organizers."""

import hashlib

from flask import Response, jsonify, request

from api.activities import imports, lookup, series, services, wxacode
from api.activities.schemas import (
    ActivityCreateSchema,
    ActivityDetailSchema,
    ActivityImportSchema,
    ActivityQuerySchema,
    ActivitySchema,
    ActivityWriteSchema,
    CancelActivitySchema,
    ImportResultSchema,
    ManagedQuerySchema,
    MonthCalendarSchema,
    MonthQuerySchema,
    SeriesCreateSchema,
    SeriesSchema,
    SeriesUpdateSchema,
    ViewerSignupSchema,
)
from api.auth.current import optional_user, require_user
from api.blueprint import Blueprint
from api.caching.public import cached_public_read, expire_at, shared_answer
from api.pagination import Page, page_schema, paginate
from api.signups.services import active_signup
from api.timeutil import utcnow

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="活动日历")


@blp.route("/activities", methods=["GET"])
@cached_public_read
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, page_schema(ActivitySchema))
def list_activities(query):
    """List published activities between two local dates, filtered, or near a point."""
    page, per_page = query.pop("page"), query.pop("per_page")
    lat, lng, radius_km = query.pop("lat"), query.pop("lng"), query.pop("radius_km")
    statement = services.calendar_query(services.CalendarFilters(**query))
    if lat is None:
        result = paginate(statement, page, per_page)
    else:
        found = services.nearby(statement, lat, lng, radius_km)
        result = Page(found[(page - 1) * per_page : page * per_page], page, per_page, len(found))
    _expire_with(result.data)
    if query["upcoming"]:  # the answer changes when the first of them ends
        expire_at(services.first_end(statement))
    return result


@blp.route("/activities/managed", methods=["GET"])
@blp.arguments(ManagedQuerySchema, location="query")
@blp.response(200, page_schema(ActivitySchema))
def list_managed_activities(query):
    """List the activities I organise (drafts included), filtered by date, unit and status."""
    page, per_page = query.pop("page"), query.pop("per_page")
    statement = services.managed_query(require_user(), services.ManagedFilters(**query))
    return paginate(statement, page, per_page)


@blp.route("/activities/imports", methods=["POST"])
@blp.arguments(ActivityImportSchema, location="files")
@blp.response(200, ImportResultSchema)
def import_activities(files):
    """Import activities from a spreadsheet as drafts; every bad row is listed, none written."""
    upload = files["file"]
    data = upload.stream.read(imports.MAX_BYTES + 1)
    return imports.import_upload(require_user(), upload.filename or "", data)


@blp.route("/activities/calendar", methods=["GET"])
@cached_public_read
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, MonthCalendarSchema)
def month_calendar(query):
    """Count activities per day of a month, for a month widget."""
    year, month = map(int, query["month"].split("-"))
    counts = services.month_counts(year, month, query["unit_id"])
    return {
        "month": query["month"],
        "days": [{"date": day, "count": count} for day, count in counts.items()],
    }


@blp.route("/activities/<int:activity_id>", methods=["GET"])
@cached_public_read
@blp.response(200, ActivityDetailSchema)
def get_activity(activity_id):
    """Show an activity, with my sign-up when signed in."""
    viewer = optional_user()
    shared = shared_answer(lambda: _everyones_detail(activity_id)) if viewer else None
    if shared is not None:  # what everyone sees (cached), with my sign-up read afresh
        signup = active_signup(viewer.id, activity_id)
        return jsonify({**shared, "my_signup": _VIEWER_SIGNUP.dump(signup) if signup else None})
    activity = lookup.get_activity(activity_id, viewer)
    if viewer is not None:
        activity.my_signup = active_signup(viewer.id, activity.id)
    _expire_with([activity])
    return activity


_DETAIL, _VIEWER_SIGNUP = ActivityDetailSchema(), ViewerSignupSchema()


def _everyones_detail(activity_id) -> Response | None:
    """The detail as an anonymous reader gets it, or None when they get none (a draft)."""
    try:
        activity = lookup.get_activity(activity_id)
    except lookup.ActivityNotFound:
        return None
    _expire_with([activity])
    return jsonify(_DETAIL.dump(activity))


# operationId kept from the blueprint it was first served by: the mini-program's client names it.
@blp.route("/activities/<int:activity_id>/wxacode", methods=["GET"])
@blp.doc(operationId="wechat_activity_wxacode")
@blp.response(200, content_type="image/png")
def activity_wxacode(activity_id):
    """Get an activity's 小程序码 (an image for share posters)."""
    code = wxacode.activity_wxacode(activity_id, optional_user())
    response = Response(
        code.image,
        content_type=code.content_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )
    response.set_etag(hashlib.sha256(code.image).hexdigest()[:32])
    return response.make_conditional(request)


def _expire_with(activities) -> None:
    """A cached answer lasts until the next sign-up opening or closing among ``activities``."""
    now = utcnow()
    expire_at(
        min(
            (
                moment
                for activity in activities
                if (moment := services.next_signup_change(activity, now))
            ),
            default=None,
        )
    )


@blp.route("/activities", methods=["POST"])
@blp.arguments(ActivityCreateSchema)
@blp.response(201, ActivityDetailSchema)
def create_activity(values):
    """Create a draft activity in your subtree.

    `team_id` must name a team of a unit you organize (403 `team_out_of_scope`).
    """
    return services.create_activity(require_user(), values)


@blp.route("/activities/<int:activity_id>", methods=["PATCH"])
@blp.arguments(ActivityWriteSchema, required=False)
@blp.response(200, ActivityDetailSchema)
def update_activity(changes, activity_id):
    """Edit an activity; a move notifies everyone signed up.

    `team_id` must name a team of a unit you organize (403 `team_out_of_scope`).
    """
    return services.update_activity(require_user(), activity_id, changes)


@blp.route("/activities/<int:activity_id>/publish", methods=["POST"])
@blp.response(200, ActivityDetailSchema)
def publish_activity(activity_id):
    """Publish a draft activity."""
    return services.publish_activity(require_user(), activity_id)


@blp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@blp.arguments(CancelActivitySchema)
@blp.response(200, ActivityDetailSchema)
def cancel_activity(body, activity_id):
    """Cancel an activity and notify everyone signed up."""
    return services.cancel_activity(require_user(), activity_id, body["reason"])


def _with_occurrences(activity_series):
    activity_series.occurrences = series.occurrences(activity_series.id)
    return activity_series


@blp.route("/activity-series", methods=["POST"])
@blp.arguments(SeriesCreateSchema)
@blp.response(201, SeriesSchema)
def create_series(body):
    """Create a weekly series and its dated activities."""
    created = series.create_series(require_user(), body["rule"], body["template"], body["publish"])
    return _with_occurrences(created)


@blp.route("/activity-series/<int:series_id>", methods=["GET"])
@blp.response(200, SeriesSchema)
def get_series(series_id):
    """Show a series with its occurrences (drafts only to organizers of its unit)."""
    return series.visible_series(series_id, optional_user())


@blp.route("/activity-series/<int:series_id>", methods=["PATCH"])
@blp.arguments(SeriesUpdateSchema, required=False)
@blp.response(200, SeriesSchema)
def update_series(body, series_id):
    """Change a series from now on (past occurrences stay as they were)."""
    updated = series.update_series(require_user(), series_id, body["rule"], body["template"])
    return _with_occurrences(updated)
