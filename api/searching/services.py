"""Searching, suggesting and rebuilding the index."""

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from flask import current_app

from api.searching.documents import (
    count_searchable_activities,
    published_article_documents,
    searchable_activity_documents,
)
from api.searching.index import search_index
from api.timeutil import local_today
from api.units.tree import get_unit
from publishing.store import store_for
from search import SearchResults, Suggestion


def search(
    q: str,
    *,
    type: str | None = None,
    category: str | None = None,
    theme: str | None = None,
    unit_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """Run a search; ``unit_id`` covers the unit's subtree. :raises UnitNotFound:"""
    unit_code = get_unit(unit_id).code if unit_id is not None else None
    return search_index().query(
        q,
        type=type,
        category=category,
        theme=theme,
        unit_code=unit_code,
        date_from=date_from,
        date_to=date_to,
        page=page,
        per_page=per_page,
    )


def suggest(q: str, limit: int = 8) -> list[Suggestion]:
    """Titles starting with (or containing) what has been typed."""
    return search_index().suggest(q, limit)


def _article_documents() -> Iterator[dict]:
    content_dir = Path(current_app.config["CONTENT_DIR"])
    if content_dir.is_dir():
        yield from published_article_documents(store_for(content_dir), local_today())


def all_documents() -> Iterator[dict]:
    """Every document the index should hold: searchable activities, published articles."""
    yield from searchable_activity_documents()
    yield from _article_documents()


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Build a fresh index of everything and swap it in; returns the document count."""
    return search_index().rebuild(all_documents(), progress=progress)


def expected_document_count() -> int:
    """Roughly how many documents a rebuild writes (for a progress bar)."""
    articles = sum(1 for _ in _article_documents())
    return count_searchable_activities() + articles
