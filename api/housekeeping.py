"""Housekeeping: remove what site builds and search rebuilds left behind.

Run daily by the periodic task ``housekeeping.clean_up``; idempotent, and safe beside a
running build or rebuild (each takes the lock of what it cleans).
"""

from api.articles.services import site_dir
from api.searching.index import search_index
from publishing import sitebuild


def clean_up_builds_and_indexes() -> dict:
    """Delete stale site builds and search index generations; returns how many of each."""
    return {
        "site_builds_removed": sitebuild.remove_stale_builds(site_dir()),
        "index_generations_removed": search_index().remove_stale_generations(),
    }
