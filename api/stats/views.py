"""Statistics: volunteers, teams, activities, hours and help requests."""

from flask import current_app

from api.blueprint import Blueprint
from api.caching.public import STATS, cached_public_read
from api.stats import services
from api.stats.schemas import StatsQuerySchema, StatsSchema

blp = Blueprint("stats", __name__, url_prefix="/api/v1", description="统计")


@blp.route("/stats", methods=["GET"])
@cached_public_read(family=STATS)
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, StatsSchema)
def get_stats(query):
    """Count volunteers, teams, activities, hours and help requests of a subtree."""
    answer = services.statistics(query["unit_id"], query["first"], query["last"])
    max_age = current_app.config["STATS_CACHE_SECONDS"]
    return answer, {"Cache-Control": f"public, max-age={max_age}"}
