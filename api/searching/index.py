"""The one :class:`search.SearchIndex` of this app (readers keep searchers open per thread,
so the instance is shared, not created per request)."""

from flask import current_app

from api.timeutil import utcnow
from search import SearchIndex


def search_index() -> SearchIndex:
    """The app's search index, at ``SEARCH_INDEX_DIR``, on the application clock."""
    index_dir = current_app.config["SEARCH_INDEX_DIR"]
    indexes = current_app.extensions.setdefault("search_indexes", {})
    if index_dir not in indexes:
        indexes[index_dir] = SearchIndex(index_dir, clock=utcnow)
    return indexes[index_dir]


def warm_up(app) -> None:
    """Load the Chinese analysis and, when the index exists, read its per-segment columns
    with one query, then close the searcher (no open file crosses a fork): what a process's
    first search would otherwise pay (call it once per process, before forking)."""
    from search import warm_up as warm_up_analysis

    warm_up_analysis()
    with app.app_context():
        index = search_index()
        try:
            index.query("志愿服务")
        finally:
            close_search_indexes()


def close_search_indexes() -> None:
    """Close this thread's searchers of the app's indexes (tests, shutdown)."""
    for index in current_app.extensions.get("search_indexes", {}).values():
        index.close()
