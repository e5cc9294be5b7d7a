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

import heapq
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import And, Query, Term

from . import analysis, build, plan
from .highlight import snippet
from .schema import CHINA, prepare_document, to_datetime
from .store import GenerationSearcher, SearchIndexBusy, Store, apply_ops, shard_dirs

MAX_PER_PAGE = 100
#: Fewer complete matches than this, and partial matches are shown after them.
RELAX_BELOW = 10

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
    """A page of hits, the total number of matches and facet counts over all of them."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """An autocomplete entry: a title, and the document it leads to."""

    text: str
    type: str
    id: str
    url: str


class _Tally:
    """Counts and facets of matches, and the ``keep`` best by key (a min-heap)."""

    def __init__(self, keep: int):
        self.keep = keep
        self.total = 0
        self.types: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        #: ((complete, upcoming, concepts matched, score), -docnum, score)
        self.heap: list[tuple[tuple, int, float]] = []

    def push(self, item: tuple[tuple, int, float]) -> None:
        if len(self.heap) < self.keep:
            heapq.heappush(self.heap, item)
        elif item > self.heap[0]:
            heapq.heappushpop(self.heap, item)

    def count(self, docnums: list[int], doc_types: list[str], categories: list[str]) -> None:
        """Add a segment's matches (counted in bulk: map and Counter run in C)."""
        self.total += len(docnums)
        self.types.update(map(doc_types.__getitem__, docnums))
        self.categories.update(map(categories.__getitem__, docnums))

    def ranked(self) -> list[tuple[int, float]]:
        return [(-negdoc, score) for _key, negdoc, score in sorted(self.heap, reverse=True)]

    def facets(self) -> dict[str, dict[str, int]]:
        return {
            "type": dict(self.types.most_common()),
            "category": {k: v for k, v in self.categories.most_common() if k},
        }


def _filter_matcher(filter_query: Query | None, leaf):
    """None (no filter), False (nothing passes in this segment) or a matcher."""
    if filter_query is None:
        return None
    matcher = filter_query.matcher(leaf, leaf.boolean_context())
    return matcher if matcher.is_active() else False


def _leapfrog(allowed, docnum: int) -> int | None:
    """The first allowed document at or after ``docnum`` (None: no more)."""
    if allowed.id() < docnum:
        allowed.skip_to(docnum)
        if not allowed.is_active():
            return None
    return allowed.id()


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
        clock: Callable[[], datetime] | None = None,
    ):
        """Open (lazily) the index under ``index_dir``; nothing is read or created yet.

        ``lock_timeout``: seconds a write waits for another writer before raising
        SearchIndexBusy.  ``parallel_rebuild``: build the shards of big rebuilds (more
        than 2,000 documents) in parallel processes, one per shard.  ``cache_size``:
        query results remembered per thread until the next commit (0 turns it off):
        a popular word that matches most of a county-scale index costs hundreds of
        milliseconds to count and facet, and is asked again and again.  ``clock``: what
        "now" is (an aware datetime) when a query is given no ``now``; the system clock by
        default, the application's clock in the app (``api.searching.index``).
        """
        self.root = Path(index_dir)
        self.lock_timeout = lock_timeout
        self.parallel_rebuild = parallel_rebuild
        self.cache_size = cache_size
        self.clock = clock or _system_clock
        self._store = Store(self.root, lock_timeout, self.clock)
        self._local = threading.local()
        self._columns: dict[str, tuple[list, list, list]] = {}

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
                stale = [path for path in store.generations()
                         if path != current and path.stat().st_mtime < cutoff]
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

    def _segment_columns(self, reader) -> tuple[list, list, list]:
        """type, category and date of every document of a segment, cached per segment
        (segments are immutable; their ids are random)."""
        key = reader.segment().segment_id()
        columns = self._columns.get(key)
        if columns is None:
            columns = (
                [sys.intern(v) for v in reader.column_reader("type")],
                [sys.intern(v) for v in reader.column_reader("category")],
                list(reader.column_reader("date")),
            )
            if len(self._columns) > 256:
                self._columns.clear()
            self._columns[key] = columns
        return columns

    def _collect(
        self,
        searcher,
        lead: Query,
        scored: Query,
        keep: int,
        now_ts: int,
        filters: list[Query],
        date_range: tuple[int | None, int | None] = (None, None),
    ) -> _Tally:
        """Tally every match: total, facets and the best ``keep`` hits.

        ``lead`` finds the matches (walked unscored); ``scored`` matches the same
        documents and gives their scores.  This is the hot path of every search and
        visits each match once (totals and facets are exact), so it does as little
        per document as it can: dates and types come from per-segment column lists,
        facets are counted in bulk per segment, and only documents that can still
        reach the page are scored -- once the page is full of upcoming hits, a past
        activity is not scored at all.
        """
        low, high = date_range
        boolean, context = searcher.boolean_context(), searcher.context()
        filter_query = And(filters) if filters else None
        tally = _Tally(keep)
        heap = tally.heap
        for leaf, offset in searcher.leaf_searchers():
            matcher = lead.matcher(leaf, boolean)
            allowed = _filter_matcher(filter_query, leaf)
            if not matcher.is_active() or allowed is False:
                continue
            scorer = scored.matcher(leaf, context)
            doc_types, doc_categories, dates = self._segment_columns(leaf.reader())
            matched: list[int] = []
            while matcher.is_active():
                docnum = matcher.id()
                if allowed is not None:
                    target = _leapfrog(allowed, docnum)
                    if target is None:
                        break
                    if target != docnum:
                        matcher.skip_to(target)
                        continue
                when = dates[docnum]
                if (low is not None and when < low) or (high is not None and when > high):
                    matcher.next()
                    continue
                matched.append(docnum)
                upcoming = when >= now_ts or doc_types[docnum] != "activity"
                if upcoming or len(heap) < keep or not heap[0][0][1]:
                    if scorer.id() < docnum:
                        scorer.skip_to(docnum)
                    score = scorer.score()
                    item = ((True, upcoming, 0, score), -(docnum + offset), score)
                    if len(heap) < keep:
                        heapq.heappush(heap, item)
                    elif item > heap[0]:
                        heapq.heappushpop(heap, item)
                matcher.next()
            tally.count(matched, doc_types, doc_categories)
        return tally

    def _collect_relaxed(
        self,
        searcher,
        query_plan: plan.QueryPlan,
        keep: int,
        now_ts: int,
        filters: list[Query],
        date_range: tuple[int | None, int | None] = (None, None),
    ) -> _Tally:
        """The second pass, for queries with few complete matches.

        Candidates are documents matching any concept or the title match; each
        concept is checked with its own matcher.  Complete matches (every concept, or
        the title containing the query) are tallied apart from partial ones (at least
        ``min_match`` concepts); partial ones are used only when complete ones are
        fewer than RELAX_BELOW, and then rank after them: the order is complete first,
        then upcoming, then concepts matched, then score.
        """
        low, high = date_range
        required = query_plan.concepts
        n = len(required)
        title_match = query_plan.title_match
        extras = query_plan.optional + ([title_match] if title_match is not None else [])
        title_at = n + len(query_plan.optional) if title_match is not None else -1
        leads = required + ([title_match] if title_match is not None else [])
        candidates = leads[0] if len(leads) == 1 else plan.Union(leads)
        filter_query = And(filters) if filters else None
        context = searcher.context()
        complete, partial = _Tally(keep), _Tally(keep)
        for leaf, offset in searcher.leaf_searchers():
            matcher = candidates.matcher(leaf, searcher.boolean_context())
            allowed = _filter_matcher(filter_query, leaf)
            if not matcher.is_active() or allowed is False:
                continue
            scorers = [q.matcher(leaf, context) for q in required + extras]
            doc_types, doc_categories, dates = self._segment_columns(leaf.reader())
            matched_complete: list[int] = []
            matched_partial: list[int] = []
            while matcher.is_active():
                docnum = matcher.id()
                if allowed is not None:
                    target = _leapfrog(allowed, docnum)
                    if target is None:
                        break
                    if target != docnum:
                        matcher.skip_to(target)
                        continue
                when = dates[docnum]
                if (low is not None and when < low) or (high is not None and when > high):
                    matcher.next()
                    continue
                score, covered = 0.0, 0
                for position, scorer in enumerate(scorers):
                    if scorer.is_active() and scorer.id() < docnum:
                        scorer.skip_to(docnum)
                    if scorer.is_active() and scorer.id() == docnum:
                        score += scorer.score()
                        if position < n:
                            covered += 1
                        elif position == title_at:
                            covered = n + 1
                covered = min(covered, n)
                if covered >= query_plan.min_match:
                    upcoming = when >= now_ts or doc_types[docnum] != "activity"
                    item = ((covered == n, upcoming, covered, score), -(docnum + offset), score)
                    if covered == n:
                        matched_complete.append(docnum)
                        complete.push(item)
                    matched_partial.append(docnum)
                    partial.push(item)
                matcher.next()
            complete.count(matched_complete, doc_types, doc_categories)
            partial.count(matched_partial, doc_types, doc_categories)
        return complete if complete.total >= RELAX_BELOW else partial

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
        Results are remembered (per thread, ``cache_size``) until the next commit.
        """
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
        empty = SearchResults([], 0, page, per_page, {"type": {}, "category": {}})
        filters = _filters(type, category, theme, unit_code)
        date_range = (_bound(date_from, end=False), _bound(date_to, end=True))
        now_ts = int((now or self.clock()).timestamp())
        keep = page * per_page

        # The current minute is close enough to "now" for ordering, and lets results
        # be remembered; they are forgotten at the next commit (a new searcher).
        key = (
            plan.clean_query_text(q),
            type,
            category,
            theme,
            unit_code,
            date_range,
            page,
            per_page,
            now_ts // 60,
        )

        def run(searcher) -> SearchResults:
            cache = self._local.opened.results
            if key in cache:
                cache.move_to_end(key)
                return _copy(cache[key])
            result = search(searcher)
            if self.cache_size:
                cache[key] = _copy(result)
                if len(cache) > self.cache_size:
                    cache.popitem(last=False)
            return result

        def search(searcher) -> SearchResults:
            query_plan = plan.build_plan(searcher.reader(), q)
            if query_plan is None:
                return empty
            strict, lead = query_plan.strict(), query_plan.strict_lead()
            tally = self._collect(searcher, lead, strict, keep, now_ts, filters, date_range)
            relaxable = len(query_plan.concepts) > query_plan.min_match
            if tally.total < RELAX_BELOW and (relaxable or query_plan.title_match is not None):
                tally = self._collect_relaxed(
                    searcher, query_plan, keep, now_ts, filters, date_range
                )
            if not tally.total:
                return empty
            hits = [
                self._hit(searcher, docnum, score, query_plan)
                for docnum, score in tally.ranked()[(page - 1) * per_page :]
            ]
            return SearchResults(hits, tally.total, page, per_page, tally.facets())

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
            query = plan.suggest_query(searcher.reader(), q)
            tally = self._collect(searcher, query, query, limit * 8, now_ts, [])
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
