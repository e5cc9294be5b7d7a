"""The audit log, for the administrators of a subtree."""

from api.audit.queries import entries_query
from api.audit.schemas import AuditEntrySchema, AuditQuerySchema
from api.auth.current import require_user
from api.blueprint import Blueprint
from api.pagination import page_schema, paginate

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="操作日志")


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_audit_entries(query):
    """List audit entries of my subtree, newest first, filtered by actor, object and date."""
    page, per_page = query.pop("page"), query.pop("per_page")
    return paginate(entries_query(require_user(), **query), page, per_page)
