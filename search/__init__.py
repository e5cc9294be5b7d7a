"""Full-text search over activities and articles (the Whoosh adapter).

Nothing outside this package imports Whoosh; it knows nothing of Flask or the database.
The caller hands it plain dicts and decides where the index lives::

    from search import SearchIndex

    index = SearchIndex(app.config["SEARCH_INDEX_DIR"])
    index.add_or_update([doc, ...])          # after the transaction commits
    index.delete(["activity:A0012"])        # cancelled, unpublished
    index.rebuild(all_docs(), progress=bar)  # `flask search rebuild`
    results = index.query("量血压", type="activity", unit_code="LY-JL", page=1)
    index.suggest("gaox")

A document::

    {
        "id": "activity:A0012",      # or "activity:<db id>", "article:2026-12-03-gaoxueya"
        "type": "activity",          # activity | article
        "title": "...", "body": "...",   # body may be Markdown (articles)
        "category": "医疗健身",       # activities: service category; articles: policy|health|news
        "theme": "health",           # activities: etiquette|history|performance|caring|health
        "unit_path": "LY/LY-JL/LY-JL-YFC",
        "tags": ["高血压"],
        "date": datetime(..., tzinfo=...),   # activity starts_at, article date (aware)
        "url": "/activities/12",
        "external_id": "A0012",      # optional
        "db_id": 12,                 # optional
    }

``query`` returns ``SearchResults(hits, total, page, per_page, facets,
total_is_lower_bound)``; each ``Hit`` has type, id, external_id, db_id, title, snippet
(HTML: escaped text with ``<mark>``), url, score and date; ``facets`` is
``{"type": {...}, "category": {...}}`` over all matches -- or, past 500 matches of a
type, over the newest 500 (``total_is_lower_bound``: show "500+").
``suggest`` returns ``Suggestion(text, type, id, url)`` entries.  Any query string is
safe; writes raise ``InvalidDocument`` (nothing written) or, after ``lock_timeout``
seconds of waiting for another writer, ``SearchIndexBusy``; ``rebuild`` raises
``RebuildInProgress`` when another one runs.

Create one ``SearchIndex`` per process and share it between threads.  Under gunicorn
``--preload``, call ``warm_up()`` in the master so workers inherit the loaded
dictionaries (about 2 s of start-up otherwise paid by each worker's first query).
Big rebuilds start one process per shard (``multiprocessing`` spawn).

Text analysis (Traditional -> Simplified, segmentation, pinyin, synonyms) is described in
``search.analysis``; the synonyms are data, in ``search/synonyms.txt`` (the stop and
question words in ``stopwords.txt``, added dictionary words in ``userdict.txt``).  The
pinyin lexicon (full pinyin and initials -> the index's words, stored with each
generation) is ``search.lexicon``; query planning (concepts, minimum-should-match,
common words, whole titles) is in ``search.plan``, collecting and ranking matches in
``search.ranking`` (the documents of a query as bitsets: ``search.bitsets``; the BM25F
scores of the ranked ones, read from the postings: ``search.scoring``), files and
locks in ``search.store``, rebuilding in ``search.build``; ``search.evaluation`` measures
rankings against graded judgments.
"""

from .analysis import warm_up
from .index import (
    Hit,
    RebuildInProgress,
    SearchIndex,
    SearchIndexBusy,
    SearchResults,
    Suggestion,
)
from .schema import InvalidDocument

__all__ = [
    "Hit",
    "InvalidDocument",
    "RebuildInProgress",
    "SearchIndex",
    "SearchIndexBusy",
    "SearchResults",
    "Suggestion",
    "warm_up",
]
