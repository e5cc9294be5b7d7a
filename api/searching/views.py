"""Unified search over activities and articles, and autocomplete."""

from api.blueprint import Blueprint
from api.extensions import configured_limit, limiter
from api.searching import services
from api.searching.schemas import (
    SearchQuerySchema,
    SearchResultsSchema,
    SuggestionListSchema,
    SuggestQuerySchema,
)

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="搜索")


@blp.route("/search", methods=["GET"])
@limiter.limit(configured_limit("SEARCH_RATE_LIMIT"))
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, SearchResultsSchema)
def search(query):
    """Search activities and articles (Simplified, Traditional, pinyin or initials)."""
    return services.search(**query)


@blp.route("/search/suggest", methods=["GET"])
@limiter.limit(configured_limit("SEARCH_RATE_LIMIT"))
@blp.arguments(SuggestQuerySchema, location="query")
@blp.response(200, SuggestionListSchema)
def suggest(query):
    """Suggest titles for what has been typed so far."""
    return {"data": services.suggest(query["q"], query["limit"])}
