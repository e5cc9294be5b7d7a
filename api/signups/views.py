"""Signing up, cancelling, my sign-ups, the organizer's roster."""

from flask import Response

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.extensions import configured_limit, limiter
from api.pagination import PaginationQuerySchema, page_schema, paginate
from api.signups import services
from api.signups.export import roster_workbook
from api.signups.schemas import (
    AssistedSignupSchema,
    MySignupSchema,
    RosterSchema,
    SignupSchema,
)

blp = Blueprint("signups", __name__, url_prefix="/api/v1", description="报名与候补")


@blp.route("/activities/<int:activity_id>/signups", methods=["POST"])
@limiter.limit(configured_limit("SIGNUP_RATE_LIMIT"))
@blp.response(201, SignupSchema)
def sign_up(activity_id):
    """Sign up for an activity (confirmed, or waitlisted when full); retries are safe."""
    return services.sign_up(require_user(), activity_id)


@blp.route("/activities/<int:activity_id>/signups/me", methods=["DELETE"])
@blp.response(204)
def cancel_signup(activity_id):
    """Cancel my sign-up; the first waitlisted person takes the place."""
    services.cancel_signup(require_user(), activity_id)


@blp.route("/activities/<int:activity_id>/assisted-signups", methods=["POST"])
@blp.arguments(AssistedSignupSchema)
@blp.response(201, SignupSchema)
def assisted_sign_up(body, activity_id):
    """Sign up a resident without a smartphone (staff in scope)."""
    return services.assisted_sign_up(require_user(), activity_id, body["real_name"], body["phone"])


@blp.route("/me/signups", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(MySignupSchema))
def my_signups(query):
    """List my sign-ups, latest activity first."""
    statement = services.my_signups_query(require_user())
    page = paginate(statement, query["page"], query["per_page"])
    services.fill_waitlist_positions(page.data)
    return page


@blp.route("/activities/<int:activity_id>/roster", methods=["GET"])
@blp.response(200, RosterSchema)
def roster(activity_id):
    """Show an activity's sign-ups and attendance (organizers in scope)."""
    activity, signups = services.roster(require_user(), activity_id)
    return {
        "activity_id": activity.id,
        "capacity": activity.capacity,
        "confirmed_count": activity.confirmed_count,
        "waitlist_count": activity.waitlist_count,
        "signups": signups,
    }


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/activities/<int:activity_id>/roster.xlsx", methods=["GET"])
@blp.response(200, content_type=_XLSX)
def roster_export(activity_id):
    """Download an activity's roster as an .xlsx workbook (organizers in scope; names masked)."""
    activity, signups = services.roster(require_user(), activity_id)
    return Response(
        roster_workbook(activity, signups),
        mimetype=_XLSX,
        headers={"Content-Disposition": f'attachment; filename="roster-{activity.id}.xlsx"'},
    )
