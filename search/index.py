"""The search index: one directory, one writer at a time, atomic rebuilds.

The files are described in ``search.store``.  Writes (``add_or_update``, ``delete``)
take ``write.lock`` (waiting for it, across processes and threads), so Whoosh's own
lock is never contended and a caller never sees ``LockError``.  While a rebuild runs,
each write is applied to the served generation *and* appended to the journal; the
rebuild replays the journal into the new generation under ``write.lock`` just before it
swaps ``current`` with ``os.replace``, so no update made during a rebuild is lost.  A
rebuild that dies (exception, SIGKILL) never touches ``current``; its half-built
generation is removed on the spot or by the next rebuild.

Readers keep one searcher per thread.  Before every query they compare ``current`` with
the generation they have open (one ``readlink``) and each shard's latest commit with
the one they read (one directory listing per shard), reopening on any change: a commit
or a swap is visible to the very next query.  The check costs tens of microseconds,
reopening after a commit a few milliseconds (``benchmarks/search_bench.py``).
"""

from __future__ import annotations

import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Query, Term

from . import analysis, bitsets, build, lexicon, plan, ranking, scoring
from .highlight import snippet
from .schema import CHINA, prepare_document, to_datetime
from .store import GenerationSearcher, SearchIndexBusy, Store, apply_ops, shard_dirs

MAX_PER_PAGE = 100
#: Matches of a type counted at most (beyond: "500+", ``total_is_lower_bound``).  Chosen
#: by measurement (benchmarks/search_bench.py, 152,000 documents): counting walks the
#: postings in Python, and 500 keeps the slowest kinds of query under 100 ms.
TOTAL_BOUND = 500
#: Matches of a type ranked at most, newest first (the rest are only counted).
RANK_BOUND = 300

__all__ = [
    "Hit",
    "RebuildInProgress",
    "SearchIndex",
    "SearchIndexBusy",
    "SearchResults",
    "Suggestion",
]


class RebuildInProgress(RuntimeError):
    """Another rebuild of the same index is running."""


@dataclass(frozen=True)
class Hit:
    """One search result.  ``snippet`` is HTML: escaped text with ``<mark>`` tags."""

    type: str
    id: str
    external_id: str | None
    db_id: int | None
    title: str
    snippet: str
    url: str
    score: float
    date: datetime


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total number of matches and facet counts over all of them
    (or, for very common queries, over the first ``total_bound`` of each type)."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: True when counting stopped at ``SearchIndex.total_bound`` matches (of a type):
    #: ``total`` and ``facets`` are then lower bounds ("500+")
    total_is_lower_bound: bool = False


@dataclass(frozen=True)
class Suggestion:
    """An autocomplete entry: a title, and the document it leads to."""

    text: str
    type: str
    id: str
    url: str


def _system_clock() -> datetime:
    return datetime.now(UTC)


class SearchIndex:
    """A Whoosh index of activities and articles stored under ``index_dir``.

    Documents are plain dicts (see ``search.schema.prepare_document`` and the package
    docstring).  One instance may be shared by the threads of a process; any number of
    processes may open the same directory.
    """

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        lock_timeout: float = 60.0,
        parallel_rebuild: bool = True,
        cache_size: int = 128,
        total_bound: int | None = TOTAL_BOUND,
        rank_bound: int | None = RANK_BOUND,
        clock: Callable[[], datetime] | None = None,
    ):
        """Open (lazily) the index under ``index_dir``; nothing is read or created yet.

        ``lock_timeout``: seconds a write waits for another writer before raising
        SearchIndexBusy.  ``parallel_rebuild``: build the shards of big rebuilds (more
        than 2,000 documents) in parallel processes, one per shard.  ``cache_size``:
        query results remembered per thread until the next commit (0 turns it off):
        a popular word that matches most of a county-scale index costs hundreds of
        milliseconds to count and facet, and is asked again and again.
        ``total_bound``: stop counting the matches of a type (activities, articles)
        at this many, newest first (None: count them all); ``rank_bound``: rank only
        the newest this many matches of a type (and any page asked for); see
        ``search.ranking``.  ``clock``: what "now" is (an aware datetime) when a query
        is given no ``now``; the system clock by default, the application's clock in
        the app (``api.searching.index``).
        """
        self.total_bound = total_bound
        self.rank_bound = rank_bound
        self.root = Path(index_dir)
        self.lock_timeout = lock_timeout
        self.parallel_rebuild = parallel_rebuild
        self.cache_size = cache_size
        self.clock = clock or _system_clock
        self._store = Store(self.root, lock_timeout, self.clock)
        self._local = threading.local()
        self._columns: dict[Any, Any] = {}  # per segment: columns, latest date
        self._bitsets = bitsets.Bitsets()  # per segment and term: its documents
        self._lengths = scoring.FieldLengths()  # per segment and field: for BM25F

    # --- writing -----------------------------------------------------------------------

    def add_or_update(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Index documents, replacing any with the same ``id``; returns how many.

        Raises InvalidDocument (before writing anything) for a malformed document and
        SearchIndexBusy if the write lock is not free within ``lock_timeout``.
        """
        ops = [("put", prepare_document(doc)) for doc in docs]
        self._write(ops)
        return len(ops)

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by ``id`` (unknown ids are ignored); returns how many ids."""
        ops = [("delete", str(doc_id)) for doc_id in ids]
        self._write(ops)
        return len(ops)

    def rebuild(
        self,
        docs: Iterable[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; returns the count.

        ``docs`` should be lazy (a generator reading the database), so that it reflects
        the data from the moment the rebuild starts; writes made meanwhile are
        journalled and replayed before the swap.  ``progress(done)`` is called every
        1,000 documents and at the end.  Until the swap the old index keeps answering;
        if anything fails (or the process dies) the old index stays, and the partial
        one is removed.  Raises RebuildInProgress if another rebuild is running.
        """
        store = self._store
        rebuild_lock = store.rebuild_lock()
        with store.write_lock():
            if not rebuild_lock.acquire(timeout=0):
                raise RebuildInProgress(f"a rebuild of {self.root} is already running")
            store.clear_journal()
            store.remove_generations(keep={store.current_generation()})
        generation = None
        try:
            generation = store.new_generation()
            count = build.fill_shards(
                shard_dirs(generation), docs, progress, parallel=self.parallel_rebuild
            )
            with store.write_lock():
                apply_ops(generation, store.journalled())
                _write_lexicon(generation)
                previous = store.current_generation()
                store.point_current_at(generation)
                store.clear_journal()
                store.remove_generations(keep={generation, previous})
            generation = None
            if progress is not None:
                progress(count)
            return count
        finally:
            if generation is not None:
                shutil.rmtree(generation, ignore_errors=True)
            rebuild_lock.release()

    def remove_stale_generations(self, min_age_seconds: float = 3600.0) -> int:
        """Delete generations left behind (by a rebuild whose process died, or replaced
        long ago): every one but the current, older than ``min_age_seconds`` (a reader may
        still hold the one just replaced). Skipped while a rebuild runs; returns how many."""
        store = self._store
        if not store.root.is_dir():
            return 0
        rebuild_lock = store.rebuild_lock()
        if not rebuild_lock.acquire(timeout=0):
            return 0
        try:
            with store.write_lock():
                current = store.current_generation()
                cutoff = time.time() - min_age_seconds
                stale = [
                    path
                    for path in store.generations()
                    if path != current and path.stat().st_mtime < cutoff
                ]
                for path in stale:
                    shutil.rmtree(path, ignore_errors=True)
                return len(stale)
        finally:
            rebuild_lock.release()

    def _write(self, ops: list[tuple[str, Any]]) -> None:
        if not ops:
            return
        store = self._store
        with store.write_lock():
            generation = store.ensure_current()
            if store.rebuild_running():
                store.journal(ops)
            apply_ops(generation, ops)

    # --- reading -----------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher on the current generation, fresh; or None."""
        local = self._local
        generation = self._store.current_generation()
        if generation is None:
            return None
        opened = getattr(local, "opened", None)
        if opened is not None and opened.generation != generation:
            opened.close()
            opened = local.opened = None
        if opened is None:
            opened = local.opened = GenerationSearcher(generation)
        return opened.fresh()

    def _with_searcher(self, function: Callable[[Any], Any], empty: Any) -> Any:
        for attempt in range(2):
            try:
                searcher = self._searcher()
                if searcher is None:
                    return empty
                return function(searcher)
            except (OSError, whoosh_index.EmptyIndexError):
                # The generation was swapped and removed under us: reopen once.
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def doc_count(self) -> int:
        """Number of documents in the served index."""
        return self._with_searcher(lambda s: s.doc_count(), 0)

    def _leaves(self, searcher) -> list:
        """The searcher's segments, newest documents first (see ``search.ranking``):
        by the latest date in each (segments are immutable: cached by their id)."""
        leaves = []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            segment = reader.segment() if reader.doc_count_all() else None
            if segment is None:  # an empty index: nothing to walk
                continue
            key = ("latest", segment.segment_id())
            latest = self._columns.get(key)
            if latest is None:
                dates = ranking.segment_columns(self._columns, reader)[2]
                latest = self._columns[key] = max(dates, default=0)
            leaves.append((latest, offset, leaf))
        leaves.sort(key=lambda item: (-item[0], item[1]))
        return [(leaf, offset) for _latest, offset, leaf in leaves]

    def _collector(
        self, filters, date_range, now_ts: int, keep: int, split_types: bool
    ) -> ranking.Collector:
        bound = max(self.total_bound, keep) if self.total_bound else None
        return ranking.Collector(
            lambda reader: ranking.segment_columns(self._columns, reader),
            filters,
            date_range,
            now_ts,
            keep,
            bound=bound,
            split_types=split_types,
            score_bound=self.rank_bound,
            bitsets=self._bitsets,
            lengths=self._lengths,
        )

    def query(
        self,
        q: str | None,
        *,
        type: str | None = None,
        category: str | None = None,
        theme: str | None = None,
        unit_code: str | None = None,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        page: int = 1,
        per_page: int = 20,
        now: datetime | None = None,
    ) -> SearchResults:
        """Search activities and articles.

        ``q`` is free text in Simplified or Traditional Chinese, pinyin or initials;
        it is cut to 200 characters and never parsed as a query language, so any input
        is safe (no searchable words gives an empty result).  Filters: ``type``
        (activity | article), ``category``, ``theme``, ``unit_code`` (the unit and its
        whole subtree), ``date_from``/``date_to`` (inclusive; a ``date`` is a local
        day in China).  Hits are ordered by relevance, except that activities that
        have already started (``date < now``, default the current time) come after
        upcoming activities and articles.  ``facets`` counts the matches by type and
        by category, with the filters applied.  ``per_page`` is capped at 100.
        Beyond ``total_bound`` matches of a type, counting stops (newest first) and
        ``total_is_lower_bound`` is set; see ``search.ranking``.
        Results are remembered (per thread, ``cache_size``) until the next commit, and
        while "now" leaves every activity they walked on the same side of its start.
        """
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
        empty = SearchResults([], 0, page, per_page, {"type": {}, "category": {}})
        filters = _filters(type, category, theme, unit_code)
        date_range = (_bound(date_from, end=False), _bound(date_to, end=True))
        now_ts = int((now or self.clock()).timestamp())
        keep = page * per_page

        # Results are remembered on the searcher, which is reopened (and its results
        # forgotten) at every commit or swap: the key is this index generation's.  "Now"
        # only decides which activities have started; a result is reused while none of
        # the activities it walked has started or "un-started" (``Tally.now_window``).
        key = (
            plan.clean_query_text(q),
            type,
            category,
            theme,
            unit_code,
            date_range,
            page,
            per_page,
        )

        def run(searcher) -> SearchResults:
            cache = self._local.opened.results
            cached = cache.get(key)
            if cached is not None and cached[1][0] < now_ts <= cached[1][1]:
                cache.move_to_end(key)
                return _copy(cached[0])
            result, now_window = search(searcher)
            if self.cache_size:
                cache[key] = (_copy(result), now_window)
                cache.move_to_end(key)
                if len(cache) > self.cache_size:
                    cache.popitem(last=False)
            return result

        def search(searcher) -> tuple[SearchResults, tuple[float, float]]:
            always = (-math.inf, math.inf)
            reader = searcher.reader()
            query_plan = plan.build_plan(reader, q, self._local.opened.lexicon)
            if query_plan is None:
                return empty, always
            exact = query_plan.exact_title
            exact_found = exact is not None and reader.doc_frequency("title_key", exact.text) > 0
            if exact_found:
                query_plan = query_plan.focused_on(_body_of_title(searcher, exact))
            collector = self._collector(filters, date_range, now_ts, keep, split_types=not type)
            tally = collector.collect(searcher, self._leaves(searcher), query_plan, exact_found)
            if not tally.total:
                return empty, tally.now_window
            hits = [
                self._hit(searcher, docnum, score, query_plan)
                for docnum, score in tally.ranked()[(page - 1) * per_page :]
            ]
            return SearchResults(
                hits, tally.total, page, per_page, tally.facets(), tally.truncated
            ), tally.now_window

        return self._with_searcher(run, empty)

    @staticmethod
    def _hit(searcher, docnum: int, score: float, query_plan: plan.QueryPlan) -> Hit:
        fields = searcher.stored_fields(docnum)
        stored = fields["doc"]
        terms = set(query_plan.highlight)
        for token in query_plan.latin:
            terms.update(analysis.title_pinyin_matches(stored["title"], token))
        return Hit(
            type=fields["type"],
            id=fields["id"],
            external_id=stored["external_id"],
            db_id=stored["db_id"],
            title=stored["title"],
            snippet=snippet(stored["text"], terms),
            url=stored["url"],
            score=round(score, 4),
            date=datetime.fromisoformat(stored["date"]),
        )

    def suggest(
        self, q: str | None, limit: int = 8, *, now: datetime | None = None
    ) -> list[Suggestion]:
        """Autocomplete: up to ``limit`` distinct titles for what has been typed so far.

        Chinese text matches titles containing it; Latin letters match the start of a
        title's pinyin (``gaox``, ``zhiyuan fu``) or initials (``fxw``).  Upcoming
        activities and articles come before past activities.  Never raises on odd input.
        """
        limit = max(1, min(int(limit), 50))
        now_ts = int((now or self.clock()).timestamp())

        def run(searcher) -> list[Suggestion]:
            query_plan = plan.suggest_plan(searcher.reader(), q)
            collector = self._collector([], (None, None), now_ts, limit * 8, split_types=True)
            tally = collector.collect(searcher, self._leaves(searcher), query_plan, False)
            suggestions: list[Suggestion] = []
            seen: set[str] = set()
            for docnum, _score in tally.ranked():
                fields = searcher.stored_fields(docnum)
                title = fields["doc"]["title"]
                if title in seen:
                    continue
                seen.add(title)
                url = fields["doc"]["url"]
                suggestions.append(Suggestion(title, fields["type"], fields["id"], url))
                if len(suggestions) == limit:
                    break
            return suggestions

        return self._with_searcher(run, [])

    def close(self) -> None:
        """Close this thread's searcher (others close when their threads end)."""
        opened = getattr(self._local, "opened", None)
        if opened is not None:
            opened.close()
            self._local.opened = None


def _body_of_title(searcher, exact_title: Query) -> str:
    """The normalised text (without the title) of the first document with that title."""
    for docnum in searcher.docs_for_query(exact_title):
        return analysis.normalize(searcher.stored_fields(docnum)["doc"]["text"])
    return ""


def _write_lexicon(generation: Path) -> None:
    """Store the pinyin lexicon of a freshly built generation beside its shards."""
    opened = GenerationSearcher(generation)
    try:
        lexicon.write(generation, lexicon.from_reader(opened.searcher.reader()))
    finally:
        opened.close()


def _copy(result: SearchResults) -> SearchResults:
    """A copy whose lists and dicts the caller may change without touching the cache."""
    facets = {name: dict(counts) for name, counts in result.facets.items()}
    return replace(result, hits=list(result.hits), facets=facets)


def _filters(type, category, theme, unit_code) -> list[Query]:
    filters: list[Query] = []
    for fieldname, value in (("type", type), ("category", category), ("theme", theme)):
        if value:
            filters.append(Term(fieldname, str(value)))
    if unit_code:
        filters.append(Term("units", str(unit_code)))
    return filters


def _bound(value: date | datetime | None, *, end: bool) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return int(to_datetime(value, "date filter").timestamp())
    moment = datetime(value.year, value.month, value.day, tzinfo=CHINA).timestamp()
    return int(moment) + (86399 if end else 0)
