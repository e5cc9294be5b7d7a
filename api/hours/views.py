"""Service hours: my hours, review by organizers, disputes, the public lookup, the honor
roll, certificates and reports."""

from flask import Blueprint as FlaskBlueprint
from flask import Response, request, url_for
from werkzeug.exceptions import MethodNotAllowed

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.extensions import configured_limit, limiter, namespaced
from api.hours import certificates, cli, disputes, lookup, pdf, records, reports, reviews, totals
from api.hours.schemas import (
    CertificateCreateSchema,
    CertificateSchema,
    CertificateSettingsSchema,
    CorrectionSchema,
    DisputeCreateSchema,
    DisputeQuerySchema,
    DisputeSchema,
    HonorRollQuerySchema,
    HonorRollSchema,
    LookupAnswerSchema,
    LookupQuerySchema,
    ManagedDisputeSchema,
    ManagedRecordSchema,
    ManualRecordSchema,
    MyHoursQuerySchema,
    MyHoursSchema,
    RecordQuerySchema,
    RejectSchema,
    ReportQuerySchema,
    ReportSchema,
    ResolveSchema,
    ReviewSchema,
    RevokeSchema,
    RosterRejectSchema,
    RosterReviewResultSchema,
    RosterReviewSchema,
    VerificationSchema,
    VoidSchema,
)
from api.pagination import PaginationQuerySchema, page_schema, paginate

blp = Blueprint("hours", __name__, url_prefix="/api/v1", description="志愿服务时长与证明")
for _command in cli.COMMANDS:
    blp.cli.add_command(_command)

_CODE = "<string:code>"


def _lookup_target() -> str:
    """Caps guesses at one person's digits, whoever asks (see ``lookup.target_key``)."""
    body = request.get_json(silent=True)
    return namespaced(lookup.target_key(body.get("name") if isinstance(body, dict) else None))


# --- my hours -----------------------------------------------------------------------------


@blp.route("/me/hours", methods=["GET"])
@blp.arguments(MyHoursQuerySchema, location="query")
@blp.response(200, MyHoursSchema)
def my_hours(query):
    """Show my approved, this year's and pending hours, star level and records."""
    return totals.my_hours(require_user(), query["page"], query["per_page"], query["status"])


# --- organizers: records and review -------------------------------------------------------


@blp.route("/hours/records", methods=["GET"])
@blp.arguments(RecordQuerySchema, location="query")
@blp.response(200, page_schema(ManagedRecordSchema))
def list_records(query):
    """List service records of my subtree (organizers), filtered."""
    page, per_page = query.pop("page"), query.pop("per_page")
    return paginate(records.records_query(require_user(), **query), page, per_page)


@blp.route("/hours/records", methods=["POST"])
@blp.arguments(ManualRecordSchema)
@blp.response(201, ManagedRecordSchema)
def create_record(body):
    """Enter a volunteer's hours by hand (marked manual, pending review).

    The volunteer must have signed up for the activity or be a member (responder) of its team
    (409 `manual_record_needs_link`). One record is capped at `MANUAL_RECORD_MAX_MINUTES`
    (422 `minutes_over_record_cap`), a volunteer's live records of one day at
    `DAILY_SERVICE_MAX_MINUTES` (409 `minutes_over_daily_cap`). Another organizer reviews it.
    """
    return records.create_manual_record(require_user(), **body)


@blp.route("/hours/records/<int:record_id>", methods=["GET"])
@blp.response(200, ManagedRecordSchema)
def get_record(record_id):
    """Show one record (its volunteer, or organizers in scope)."""
    return records.get_record(require_user(), record_id)


@blp.route("/hours/records/<int:record_id>/approve", methods=["POST"])
@blp.arguments(ReviewSchema, required=False)
@blp.response(200, ManagedRecordSchema)
def approve_record(body, record_id):
    """Approve a pending record.

    Separation of duties: refused with 403 `own_record` when the record is the caller's own
    hours, and `self_review` when the caller entered it; another organizer must act.
    """
    return reviews.review_record(require_user(), record_id, approve=True, note=body["note"])


@blp.route("/hours/records/<int:record_id>/reject", methods=["POST"])
@blp.arguments(RejectSchema)
@blp.response(200, ManagedRecordSchema)
def reject_record(body, record_id):
    """Reject a pending record, with a reason the volunteer sees.

    Separation of duties: refused with 403 `own_record` when the record is the caller's own
    hours, and `self_review` when the caller entered it; another organizer must act.
    """
    return reviews.review_record(require_user(), record_id, approve=False, note=body["note"])


@blp.route("/hours/records/<int:record_id>/corrections", methods=["POST"])
@blp.arguments(CorrectionSchema)
@blp.response(201, ManagedRecordSchema)
def correct_record(body, record_id):
    """Correct a record: a new approved record replaces it, with the reason.

    Separation of duties: refused with 403 `own_record` when the record is the caller's own
    hours, and `self_review` when the caller entered it; another organizer must act.
    """
    return reviews.correct_record(
        require_user(), record_id, body["credited_minutes"], body["reason"]
    )


@blp.route("/hours/records/<int:record_id>/void", methods=["POST"])
@blp.arguments(VoidSchema)
@blp.response(200, ManagedRecordSchema)
def void_record(body, record_id):
    """Void a record that should not count, with the reason.

    Separation of duties: refused with 403 `own_record` when the record is the caller's own
    hours, and `self_review` when the caller entered it; another organizer must act.
    """
    return reviews.void_record(require_user(), record_id, body["reason"])


@blp.route("/activities/<int:activity_id>/service-records/approve", methods=["POST"])
@blp.arguments(RosterReviewSchema, required=False)
@blp.response(200, RosterReviewResultSchema)
def approve_roster(body, activity_id):
    """Approve all pending records of an activity (or the listed ones).

    The caller's own records (as volunteer or as creator) are skipped, left pending for another
    organizer; `record_ids` lists those that moved.
    """
    moved = reviews.review_activity(
        require_user(), activity_id, approve=True, note=body["note"], record_ids=body["record_ids"]
    )
    return {"activity_id": activity_id, "status": "approved", "record_ids": moved}


@blp.route("/activities/<int:activity_id>/service-records/reject", methods=["POST"])
@blp.arguments(RosterRejectSchema)
@blp.response(200, RosterReviewResultSchema)
def reject_roster(body, activity_id):
    """Reject all pending records of an activity (or the listed ones), with the reason.

    The caller's own records (as volunteer or as creator) are skipped, left pending for another
    organizer; `record_ids` lists those that moved.
    """
    moved = reviews.review_activity(
        require_user(), activity_id, approve=False, note=body["note"], record_ids=body["record_ids"]
    )
    return {"activity_id": activity_id, "status": "rejected", "record_ids": moved}


# --- disputes -----------------------------------------------------------------------------


@blp.route("/me/hours/disputes", methods=["POST"])
@blp.arguments(DisputeCreateSchema)
@blp.response(201, DisputeSchema)
def open_dispute(body):
    """Contest one of my records, or report one missing."""
    return disputes.open_dispute(require_user(), **body)


@blp.route("/me/hours/disputes", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(DisputeSchema))
def my_disputes(query):
    """List my disputes, latest first."""
    return paginate(disputes.my_disputes_query(require_user()), query["page"], query["per_page"])


@blp.route("/hours/disputes", methods=["GET"])
@blp.arguments(DisputeQuerySchema, location="query")
@blp.response(200, page_schema(ManagedDisputeSchema))
def list_disputes(query):
    """List disputes of my subtree, oldest first (organizers)."""
    statement = disputes.disputes_query(
        require_user(), unit_id=query["unit_id"], status=query["status"]
    )
    return paginate(statement, query["page"], query["per_page"])


@blp.route("/hours/disputes/<int:dispute_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, ManagedDisputeSchema)
def resolve_dispute(body, dispute_id):
    """Accept (correcting or adding the record) or dismiss a dispute.

    Separation of duties: refused with 403 `own_record` for the caller's own dispute, and
    `self_review` when the caller entered the contested record.
    """
    return disputes.resolve_dispute(
        require_user(),
        dispute_id,
        accept=body["decision"] == "accept",
        note=body["note"],
        credited_minutes=body["credited_minutes"],
    )


# --- public -------------------------------------------------------------------------------


@blp.route("/hours/lookup", methods=["POST"])
@limiter.limit(configured_limit("HOURS_LOOKUP_RATE_LIMIT"))
@limiter.limit(configured_limit("HOURS_LOOKUP_TARGET_RATE_LIMIT"), key_func=_lookup_target)
@blp.arguments(LookupQuerySchema)
@blp.response(200, LookupAnswerSchema)
def lookup_hours(query):
    """Look up a volunteer's total hours by name and last four digits (masked answer).

    A POST, so that name and digits stay out of URLs and access logs."""
    return lookup.lookup(
        query["name"], id_last4=query["id_last4"], phone_last4=query["phone_last4"]
    )


def lookup_hours_by_get():
    """The lookup's former GET (name and digits in the URL, so in access logs): 405."""
    raise MethodNotAllowed(valid_methods=["POST"])


# A plain Flask rule: not an API operation, so not in the OpenAPI document.
FlaskBlueprint.add_url_rule(
    blp, "/hours/lookup", "lookup_hours_by_get", lookup_hours_by_get, methods=["GET"]
)


@blp.route("/hours/honor-roll", methods=["GET"])
@blp.arguments(HonorRollQuerySchema, location="query")
@blp.response(200, HonorRollSchema)
def honor_roll(query):
    """List a unit's volunteers with the most approved hours this year (masked)."""
    entries = totals.honor_roll(query["unit_id"], query["year"], query["limit"])
    return {
        "unit_id": query["unit_id"],
        "year": query["year"] or totals.current_year(),
        "data": entries,
    }


# --- certificates -------------------------------------------------------------------------


def _with_urls(certificate):
    certificate.verify_url = certificates.verify_url(certificate.code)
    certificate.pdf_url = url_for("hours.certificate_pdf", code=certificate.code)
    return certificate


@blp.route("/units/<int:unit_id>/certificate-settings", methods=["GET"])
@blp.response(200, CertificateSettingsSchema)
def get_certificate_settings(unit_id):
    """Show what a unit prints on its certificates (admins in scope)."""
    return certificates.get_settings(require_user(), unit_id)


@blp.route("/units/<int:unit_id>/certificate-settings", methods=["PUT"])
@blp.arguments(CertificateSettingsSchema, required=False)
@blp.response(200, CertificateSettingsSchema)
def update_certificate_settings(body, unit_id):
    """Set a unit's 负责人, 经办人 and contact phone for certificates."""
    return certificates.update_settings(require_user(), unit_id, body)


@blp.route("/me/certificates", methods=["POST"])
@blp.arguments(CertificateCreateSchema, required=False)
@blp.response(201, CertificateSchema)
def issue_certificate(body):
    """Issue a numbered certificate of my approved hours (PDF at ``pdf_url``)."""
    return _with_urls(certificates.issue_certificate(require_user(), body["unit_id"]))


@blp.route("/me/certificates", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(CertificateSchema))
def my_certificates(query):
    """List my certificates, latest first."""
    page = paginate(
        certificates.my_certificates_query(require_user()), query["page"], query["per_page"]
    )
    page.data = [_with_urls(certificate) for certificate in page.data]
    return page


@blp.route(f"/me/certificates/{_CODE}/pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def certificate_pdf(code):
    """Download my certificate as a PDF."""
    certificate = certificates.get_my_certificate(require_user(), code)
    body = pdf.render_certificate(certificate, certificates.verify_url(certificate.code))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{certificate.number}.pdf"'},
    )


@blp.route(f"/certificates/{_CODE}", methods=["GET"])
@blp.response(200, VerificationSchema)
def verify_certificate(code):
    """Verify a certificate by its code (masked data; says when revoked)."""
    return certificates.get_certificate(code)


@blp.route(f"/certificates/{_CODE}/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, VerificationSchema)
def revoke_certificate(body, code):
    """Revoke a certificate (admins of the issuing unit's tree)."""
    return certificates.revoke_certificate(require_user(), code, body["reason"])


# --- reports ------------------------------------------------------------------------------


@blp.route("/hours/reports/summary", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
def report_summary(query):
    """Total approved hours of my subtree by unit and team, between two dates."""
    return reports.summary(require_user(), query["unit_id"], query["start"], query["end"])


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/hours/reports/summary.xlsx", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, content_type=_XLSX)
def report_workbook(query):
    """Download the report as an .xlsx workbook (by unit, team and volunteer)."""
    report = reports.summary(require_user(), query["unit_id"], query["start"], query["end"])
    return Response(
        reports.workbook(report),
        mimetype=_XLSX,
        headers={"Content-Disposition": f'attachment; filename="hours-{report.unit.code}.xlsx"'},
    )


@blp.route("/hours/reports/volunteers.csv", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
def report_csv(query):
    """Download hours by volunteer as CSV (names masked)."""
    report = reports.summary(require_user(), query["unit_id"], query["start"], query["end"])
    return Response(
        reports.volunteers_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hours-{report.unit.code}.csv"'},
    )
