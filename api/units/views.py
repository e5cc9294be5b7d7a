"""The unit tree and the volunteer teams."""

from api.auth.current import require_user
from api.blueprint import Blueprint
from api.pagination import page_schema, paginate
from api.units import services, tree
from api.units.schemas import (
    TeamCreateSchema,
    TeamQuerySchema,
    TeamSchema,
    TeamUpdateSchema,
    UnitCreateSchema,
    UnitDetailSchema,
    UnitQuerySchema,
    UnitSchema,
    UnitUpdateSchema,
)

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="阵地与志愿服务队")


@blp.route("/units", methods=["GET"])
@blp.arguments(UnitQuerySchema, location="query")
@blp.response(200, page_schema(UnitSchema))
def list_units(query):
    """List units, optionally the children of one parent or one level."""
    statement = services.units_query(query["parent_id"], query["level"])
    return paginate(statement, query["page"], query["per_page"])


@blp.route("/units", methods=["POST"])
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitDetailSchema)
def create_unit(data):
    """Open an institute or station under a unit of my subtree."""
    return services.create_unit(require_user(), data)


@blp.route("/units/<int:unit_id>", methods=["GET"])
@blp.response(200, UnitDetailSchema)
def get_unit(unit_id):
    """Show a unit with its children."""
    return tree.get_unit(unit_id)


@blp.route("/units/<int:unit_id>", methods=["PATCH"])
@blp.arguments(UnitUpdateSchema, required=False)
@blp.response(200, UnitDetailSchema)
def update_unit(changes, unit_id):
    """Update a unit's name, address, location or phone."""
    return services.update_unit(require_user(), unit_id, changes)


@blp.route("/teams", methods=["GET"])
@blp.arguments(TeamQuerySchema, location="query")
@blp.response(200, page_schema(TeamSchema))
def list_teams(query):
    """List teams of a unit's subtree, optionally of one category."""
    statement = services.teams_query(query["unit_id"], query["category"])
    return paginate(statement, query["page"], query["per_page"])


@blp.route("/teams", methods=["POST"])
@blp.arguments(TeamCreateSchema)
@blp.response(201, TeamSchema)
def create_team(data):
    """Create a team in a unit of your subtree."""
    return services.create_team(require_user(), data)


@blp.route("/teams/<int:team_id>", methods=["PATCH"])
@blp.arguments(TeamUpdateSchema, required=False)
@blp.response(200, TeamSchema)
def update_team(changes, team_id):
    """Update a team of your subtree."""
    return services.update_team(require_user(), team_id, changes)
