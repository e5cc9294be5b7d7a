"""The venue's check-in code, check-in and check-out by scan or by staff."""

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.checkin import services
from api.checkin.schemas import (
    AttendanceSchema,
    CheckinCodeSchema,
    CheckoutSchema,
    ScanSchema,
    StaffEntrySchema,
)

blp = Blueprint("checkin", __name__, url_prefix="/api/v1", description="签到与签退")


@blp.route("/activities/<int:activity_id>/checkin-code", methods=["GET"])
@blp.response(200, CheckinCodeSchema)
def checkin_code(activity_id):
    """Get a fresh check-in code and its QR code for the venue (organizers in scope)."""
    return services.checkin_code(require_user(), activity_id)


@blp.route("/activities/<int:activity_id>/checkins", methods=["POST"])
@blp.arguments(ScanSchema)
@blp.response(201, AttendanceSchema)
def check_in(scan, activity_id):
    """Check in with the venue's code; a second scan returns the same attendance."""
    return services.check_in(require_user(), activity_id, scan["token"], scan["lat"], scan["lng"])


@blp.route("/activities/<int:activity_id>/checkouts", methods=["POST"])
@blp.arguments(ScanSchema)
@blp.response(200, CheckoutSchema)
def check_out(scan, activity_id):
    """Check out with the venue's code; credits a pending service record."""
    return services.check_out(require_user(), activity_id, scan["token"], scan["lat"], scan["lng"])


@blp.route("/activities/<int:activity_id>/checkins/staff", methods=["POST"])
@blp.arguments(StaffEntrySchema)
@blp.response(201, AttendanceSchema)
def staff_check_in(entry, activity_id):
    """Check a volunteer in on their behalf, with a reason (organizers in scope)."""
    return services.staff_check_in(require_user(), activity_id, entry["user_id"], entry["reason"])


@blp.route("/activities/<int:activity_id>/checkouts/staff", methods=["POST"])
@blp.arguments(StaffEntrySchema)
@blp.response(200, CheckoutSchema)
def staff_check_out(entry, activity_id):
    """Check a volunteer out on their behalf, with a reason (organizers in scope)."""
    return services.staff_check_out(require_user(), activity_id, entry["user_id"], entry["reason"])
