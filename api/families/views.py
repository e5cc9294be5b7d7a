"""家庭成员: a guardian's children, consent, and what the guardian does for them."""

from flask import Response, url_for

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.families import services
from api.families.consent import CONSENT_TEXT, CONSENT_VERSION
from api.families.schemas import (
    ConsentSchema,
    ConsentTextSchema,
    FamilyMemberCreateSchema,
    FamilyMemberSchema,
    MemberSignupCreateSchema,
    MemberSignupSchema,
)
from api.hours import certificates, pdf
from api.hours.schemas import CertificateSchema, MyHoursQuerySchema, MyHoursSchema
from api.pagination import PaginationQuerySchema, page_schema, paginate
from api.signups.schemas import MySignupSchema

blp = Blueprint("families", __name__, url_prefix="/api/v1", description="家庭成员与监护人同意")

_MEMBER = "/me/family/<int:member_id>"


def _certificate_out(certificate, member_id: int):
    certificate.verify_url = certificates.verify_url(certificate.code)
    certificate.pdf_url = url_for(
        "families.member_certificate_pdf", member_id=member_id, code=certificate.code
    )
    return certificate


@blp.route("/family/consent-text", methods=["GET"])
@blp.response(200, ConsentTextSchema)
def consent_text():
    """Show the current guardian consent text and its version."""
    return {"version": CONSENT_VERSION, "text": CONSENT_TEXT}


@blp.route("/me/family", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(FamilyMemberSchema))
def list_members(query):
    """List my family members."""
    return paginate(services.members_query(require_user()), query["page"], query["per_page"])


@blp.route("/me/family", methods=["POST"])
@blp.arguments(FamilyMemberCreateSchema)
@blp.response(201, FamilyMemberSchema)
def add_member(body):
    """Add a child as a family member, with my consent as guardian."""
    return services.add_member(require_user(), **body)


@blp.route(f"{_MEMBER}/consent", methods=["POST"])
@blp.arguments(ConsentSchema)
@blp.response(200, FamilyMemberSchema)
def renew_consent(body, member_id):
    """Give my consent again after withdrawing it."""
    return services.renew_consent(require_user(), member_id, body["consent_version"])


@blp.route(f"{_MEMBER}/consent", methods=["DELETE"])
@blp.response(200, FamilyMemberSchema)
def withdraw_consent(member_id):
    """Withdraw my consent: future sign-ups are cancelled and the child's data hidden."""
    return services.withdraw_consent(require_user(), member_id)


@blp.route(f"{_MEMBER}/signups", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(MySignupSchema))
def member_signups(query, member_id):
    """List the child's sign-ups."""
    statement = services.member_signups_query(require_user(), member_id)
    return paginate(statement, query["page"], query["per_page"])


@blp.route(f"{_MEMBER}/signups", methods=["POST"])
@blp.arguments(MemberSignupCreateSchema)
@blp.response(201, MemberSignupSchema)
def sign_up_member(body, member_id):
    """Sign the child up (and me with it where a guardian must come)."""
    guardian = require_user()
    signup = services.sign_up_member(guardian, member_id, body["activity_id"])
    mine = services.guardian_signup(guardian, body["activity_id"])
    return {
        "id": signup.id,
        "activity_id": signup.activity_id,
        "status": signup.status,
        "guardian_signup_status": mine.status if mine else None,
    }


@blp.route(f"{_MEMBER}/signups/<int:activity_id>", methods=["DELETE"])
@blp.response(204)
def cancel_member_signup(member_id, activity_id):
    """Cancel the child's sign-up."""
    services.cancel_member_signup(require_user(), member_id, activity_id)


@blp.route(f"{_MEMBER}/hours", methods=["GET"])
@blp.arguments(MyHoursQuerySchema, location="query")
@blp.response(200, MyHoursSchema)
def member_hours(query, member_id):
    """Show the child's hours, star level and records."""
    return services.member_hours(
        require_user(), member_id, query["page"], query["per_page"], query["status"]
    )


@blp.route(f"{_MEMBER}/certificates", methods=["GET"])
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_schema(CertificateSchema))
def member_certificates(query, member_id):
    """List the child's certificates."""
    page = paginate(
        services.member_certificates_query(require_user(), member_id),
        query["page"],
        query["per_page"],
    )
    page.data = [_certificate_out(certificate, member_id) for certificate in page.data]
    return page


@blp.route(f"{_MEMBER}/certificates", methods=["POST"])
@blp.response(201, CertificateSchema)
def issue_member_certificate(member_id):
    """Issue a certificate of the child's approved hours."""
    return _certificate_out(services.issue_member_certificate(require_user(), member_id), member_id)


@blp.route(f"{_MEMBER}/certificates/<string:code>/pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def member_certificate_pdf(member_id, code):
    """Download the child's certificate as a PDF."""
    certificate = services.member_certificate(require_user(), member_id, code)
    body = pdf.render_certificate(certificate, certificates.verify_url(certificate.code))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{certificate.number}.pdf"'},
    )
