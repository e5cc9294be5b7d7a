"""Staff administration: people and roles of my subtree, staff accounts and passwords."""

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.pagination import page_schema, paginate
from api.staff import services
from api.staff.schemas import (
    GrantCreateSchema,
    GrantSchema,
    PasswordResetResultSchema,
    PasswordResetSchema,
    RevokeQuerySchema,
    StaffCreatedSchema,
    StaffCreateSchema,
    StaffUserSchema,
    UserQuerySchema,
)

blp = Blueprint("staff", __name__, url_prefix="/api/v1", description="人员与角色管理")


@blp.route("/users", methods=["GET"])
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, page_schema(StaffUserSchema))
def list_users(query):
    """List the people of my subtree (personal data masked)."""
    page, per_page = query.pop("page"), query.pop("per_page")
    return paginate(services.users_query(require_user(), **query), page, per_page)


@blp.route("/users", methods=["POST"])
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffCreatedSchema)
def create_staff(body):
    """Open a staff account with one role on a unit of my subtree."""
    user, password = services.create_staff(require_user(), **body)
    return {"user": user, "password": password}


@blp.route("/users/<int:user_id>", methods=["GET"])
@blp.response(200, StaffUserSchema)
def get_user(user_id):
    """Show a person of my subtree with their roles."""
    return services.get_user_in_scope(require_user(), user_id)


@blp.route("/users/<int:user_id>/roles", methods=["POST"])
@blp.arguments(GrantCreateSchema)
@blp.response(201, GrantSchema)
def grant_role(body, user_id):
    """Grant a person a role on a unit of my subtree."""
    return services.grant(require_user(), user_id, **body)


@blp.route("/role-grants/<int:grant_id>", methods=["DELETE"])
@blp.arguments(RevokeQuerySchema, location="query")
@blp.response(204)
def revoke_role(query, grant_id):
    """Revoke a role grant of my subtree."""
    services.revoke(require_user(), grant_id, query["reason"])


@blp.route("/users/<int:user_id>/password", methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(200, PasswordResetResultSchema)
def reset_password(body, user_id):
    """Reset a staff member's password and sign them out everywhere."""
    actor = require_user()
    password = services.reset_password(actor, user_id, body["password"])
    user = services.get_user(user_id)
    return {
        "user_id": user.id,
        "username": user.username,
        "password": None if body["password"] else password,
        "signed_out": True,
    }
