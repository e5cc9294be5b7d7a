"""Collecting the matches of a query plan: totals, facets and the best hits.

Order of the hits (the sort key of ``_Tally``):

1. a document whose title *is* the query (``QueryPlan.exact_title``) first;
2. documents that match at least ``min_match`` of the concepts ("most content words",
   see ``search.plan``) -- or whose title contains the whole query -- before those that
   match fewer;
3. upcoming activities and articles before activities that have already started;
4. more concepts matched before fewer;
5. BM25F score (sum over the concepts and optional words matched).

Documents matching fewer than ``min_match`` concepts are counted and shown only when
fewer than RELAX_BELOW documents reach it (or when a title equals the query: its key
terms then continue under OR), and never below ``relax_match``.
"""

from __future__ import annotations

import heapq
import sys
from collections import Counter
from collections.abc import Callable

from whoosh.query import And, Query

from . import plan

#: Fewer documents matching most of the concepts than this, and documents matching
#: fewer follow them.
RELAX_BELOW = 10


class Tally:
    """Counts and facets of matches, and the ``keep`` best by key (a min-heap)."""

    def __init__(self, keep: int):
        self.keep = keep
        self.total = 0
        self.types: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        #: (key, -docnum, score)
        self.heap: list[tuple[tuple, int, float]] = []
        #: True when counting stopped at a bound: ``total`` is a lower bound
        self.truncated = False

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


def _score_at(scorer, docnum: int) -> float | None:
    """The scorer's score for ``docnum``, or None when it does not match it."""
    if not scorer.is_active():
        return None
    if scorer.id() < docnum:
        scorer.skip_to(docnum)
        if not scorer.is_active():
            return None
    return scorer.score() if scorer.id() == docnum else None


class Collector:
    """Walks the candidates of a plan once, segment by segment.

    ``columns(reader)`` gives a segment's (types, categories, dates) lists; ``bound``
    (None: no bound) stops the walk once that many documents reach ``min_match``:
    the total is then a lower bound (``Tally.truncated``).  Segments are walked in the
    order given, so callers hand the newest first.
    """

    def __init__(
        self,
        columns: Callable,
        filters: list[Query],
        date_range: tuple[int | None, int | None],
        now_ts: int,
        keep: int,
        bound: int | None = None,
    ):
        self.columns = columns
        self.filter_query = And(filters) if filters else None
        self.low, self.high = date_range
        self.now_ts = now_ts
        self.keep = keep
        self.bound = bound

    def collect(self, searcher, leaves, query_plan: plan.QueryPlan, exact_found: bool) -> Tally:
        """Tally the plan's matches; ``exact_found``: some title equals the query."""
        concepts = query_plan.concepts
        n = len(concepts)
        min_match = query_plan.min_match
        floor = 1 if exact_found else query_plan.relax_match
        extras = list(query_plan.optional)
        title_at = exact_at = -1
        if query_plan.title_match is not None:
            title_at = n + len(extras)
            extras.append(query_plan.title_match)
        if exact_found:
            exact_at = n + len(extras)
            extras.append(query_plan.exact_title)
        leads = list(query_plan.concept_leads)
        if query_plan.title_match is not None:
            leads.append(query_plan.title_match)
        if exact_found:
            leads.append(query_plan.exact_title)
        candidates = leads[0] if len(leads) == 1 else plan.Union(leads)
        context, boolean = searcher.context(), searcher.boolean_context()
        low, high, now_ts = self.low, self.high, self.now_ts
        strict, relaxed = Tally(self.keep), Tally(self.keep)
        bound = self.bound
        for leaf, offset in leaves:
            matcher = candidates.matcher(leaf, boolean)
            allowed = _filter_matcher(self.filter_query, leaf)
            if not matcher.is_active() or allowed is False:
                continue
            scorers = [q.matcher(leaf, context) for q in (*concepts, *extras)]
            doc_types, doc_categories, dates = self.columns(leaf.reader())
            matched_strict: list[int] = []
            matched_relaxed: list[int] = []
            while matcher.is_active():
                docnum = matcher.id()
                if allowed is not None:
                    if allowed.id() < docnum:
                        allowed.skip_to(docnum)
                        if not allowed.is_active():
                            break
                    if allowed.id() != docnum:
                        matcher.skip_to(allowed.id())
                        continue
                when = dates[docnum]
                if (low is not None and when < low) or (high is not None and when > high):
                    matcher.next()
                    continue
                score, covered, exact = 0.0, 0, False
                for position, scorer in enumerate(scorers):
                    value = _score_at(scorer, docnum)
                    if value is None:
                        continue
                    score += value
                    if position < n:
                        covered += 1
                    elif position == title_at:
                        covered = n + 1
                    elif position == exact_at:
                        exact = True
                covered = min(covered, n)
                if covered >= floor or exact:
                    reaches = covered >= min_match or exact
                    upcoming = when >= now_ts or doc_types[docnum] != "activity"
                    key = (exact, reaches, upcoming, covered, score)
                    item = (key, -(docnum + offset), score)
                    if reaches:
                        matched_strict.append(docnum)
                        strict.push(item)
                    matched_relaxed.append(docnum)
                    relaxed.push(item)
                    if bound is not None and strict.total + len(matched_strict) >= bound:
                        strict.truncated = relaxed.truncated = True
                        break
                matcher.next()
            strict.count(matched_strict, doc_types, doc_categories)
            relaxed.count(matched_relaxed, doc_types, doc_categories)
            if strict.truncated:
                break
        if exact_found or strict.total < RELAX_BELOW:
            return relaxed
        return strict


def segment_columns(cache: dict, reader) -> tuple[list, list, list]:
    """type, category and date of every document of a segment, cached per segment
    (segments are immutable; their ids are random)."""
    key = reader.segment().segment_id()
    columns = cache.get(key)
    if columns is None:
        columns = (
            [sys.intern(v) for v in reader.column_reader("type")],
            [sys.intern(v) for v in reader.column_reader("category")],
            list(reader.column_reader("date")),
        )
        if len(cache) > 256:
            cache.clear()
        cache[key] = columns
    return columns
