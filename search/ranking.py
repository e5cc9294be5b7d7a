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

import bisect
import heapq
import itertools
import math
import operator
import sys
from collections import Counter
from collections.abc import Callable

from whoosh.query import And, Query, Term

from . import plan, scoring
from .bitsets import Bitsets, BitWalk

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
        #: The "now"s for which this tally holds, ``after < now <= until``: the latest
        #: start of an activity walked that had started and the earliest of one that had
        #: not (whether an activity is upcoming is the only thing "now" changes)
        self.now_window: tuple[float, float] = (-math.inf, math.inf)

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


class _Scores:
    """The scores of a segment's documents, asked in order of their numbers.

    The bitset of each of ``queries`` says which documents it matches; a query's scorer
    (``search.scoring``: BM25F from the postings, as Whoosh's matchers score) is
    compiled for the segment when a document first has it.  With ``whole``, the first
    ``whole`` queries are the concepts of the strict query, ``And(concepts) |
    title_match`` (optional words maybe): they add to a score only when all of them
    match.
    """

    def __init__(
        self,
        queries: list[Query],
        bits: list[int],
        leaf,
        context,
        whole: int,
        lengths: scoring.FieldLengths,
    ):
        self.queries = queries
        self.bits = bits
        self.leaf = leaf
        self.context = context
        self.lengths = lengths
        self.scorers: list[scoring.Scorer | None] = [None] * len(queries)
        self.whole = whole

    def of(self, docnum: int) -> float:
        scores: list[float | None] = []
        for i, bits in enumerate(self.bits):
            if not bits >> docnum & 1:
                scores.append(None)
                continue
            scorer = self.scorers[i]
            if scorer is None:
                matcher = self.queries[i].matcher(self.leaf, self.context)
                scorer = scoring.compile_scorer(matcher, self.leaf.reader(), self.lengths)
                self.scorers[i] = scorer
            scores.append(scorer(docnum))
        if self.whole and None in scores[: self.whole]:
            scores = scores[self.whole :]
        return sum([score for score in scores if score is not None])


class Collector:
    """Walks the matches of a plan, segment by segment, newest documents first.

    ``columns(reader)`` gives a segment's (types, categories, dates) lists.  Articles
    and activities are walked apart (unless a type filter picks one), each until
    ``bound`` documents reach ``min_match`` (None: no bound): the total is then a
    lower bound (``Tally.truncated``) and the best hits are the best of the newest
    ``bound`` matches of each type -- all upcoming activities come first in a
    rebuilt index, whose documents are written latest first.  ``bitsets`` finds the
    documents of the leads and filters (``search.bitsets``; share one: it keeps the
    terms' bitsets); ``lengths``, the field lengths the scores read (share one too).
    """

    def __init__(
        self,
        columns: Callable,
        filters: list[Query],
        date_range: tuple[int | None, int | None],
        now_ts: int,
        keep: int,
        bound: int | None = None,
        split_types: bool = False,
        score_bound: int | None = None,
        bitsets: Bitsets | None = None,
        lengths: scoring.FieldLengths | None = None,
    ):
        self.columns = columns
        self.bitsets = bitsets or Bitsets()
        self.lengths = lengths or scoring.FieldLengths()
        self.filters = filters
        self.low, self.high = date_range
        self.now_ts = now_ts
        self.keep = keep
        self.bound = bound
        self.split_types = split_types
        self.score_bound = score_bound

    def collect(self, searcher, leaves, query_plan: plan.QueryPlan, exact_found: bool) -> Tally:
        """Tally the plan's matches; ``exact_found``: some title equals the query."""
        if not self.split_types:
            return self._collect(searcher, leaves, query_plan, exact_found, self.filters)
        parts = [
            self._collect(searcher, leaves, query_plan, exact_found, [*self.filters, part])
            for part in (Term("type", "activity"), Term("type", "article"))
        ]
        return _merged(parts, self.keep)

    def _collect(self, searcher, leaves, query_plan, exact_found, filters) -> Tally:
        if exact_found:
            # The title's key terms under OR: what follows the document is its topic,
            # ranked among (and counted up to) the newest rank-bound matches of a type.
            bound = min(filter(None, (self.bound, self.score_bound)), default=None)
            _strict, relaxed = self._walk(
                searcher,
                leaves,
                query_plan,
                True,
                filters,
                _lead(query_plan, 1, True),
                1,
                bound,
            )
            return relaxed
        min_match, floor = query_plan.min_match, query_plan.relax_match
        strict, _relaxed = self._walk(
            searcher,
            leaves,
            query_plan,
            False,
            filters,
            _lead(query_plan, min_match, False),
            min_match,
        )
        if strict.total >= RELAX_BELOW or floor >= min_match:
            return strict
        _strict, relaxed = self._walk(
            searcher, leaves, query_plan, False, filters, _lead(query_plan, floor, False), floor
        )
        return relaxed

    def _scores(self, queries: list[Query], leaf, context, whole: int) -> _Scores:
        bits = [self.bitsets.of(query, leaf) for query in queries]
        return _Scores(queries, bits, leaf, context, whole, self.lengths)

    def _walk(self, searcher, leaves, query_plan, exact_found, filters, lead, floor, bound=None):
        """One pass over the documents ``lead`` finds: (those reaching ``min_match``,
        all reaching ``floor``).  Only the first ``score_bound`` matches are scored
        (ranked); after them, matches are only counted, up to ``bound``."""
        concepts = query_plan.concepts
        n = len(concepts)
        min_match = query_plan.min_match
        # Which concepts a document matches is read from the unscored leads (cheap);
        # the scored queries are only walked for documents that are ranked.
        checks = list(query_plan.concept_leads)
        scored = [*concepts, *query_plan.optional]
        title_at = exact_at = -1
        if query_plan.title_match is not None:
            title_at = len(checks)
            checks.append(query_plan.title_match)
            scored.append(query_plan.title_match)
        if exact_found:
            exact_at = len(checks)
            checks.append(query_plan.exact_title)
            scored.append(query_plan.exact_title)
        # Every document the lead finds matches all concepts: no need to check them
        # one by one; its score is the strict query's (``_score``).
        complete = floor >= n and not exact_found
        filter_query = And(filters) if filters else None
        context = searcher.context()
        low, high, now_ts = self.low, self.high, self.now_ts
        bound = bound or self.bound
        if bound is not None:
            bound = max(bound, self.keep)
        score_bound = max(self.score_bound, self.keep) if self.score_bound else None
        strict, relaxed = Tally(self.keep), Tally(self.keep)
        ranked = 0
        started_after, started_before = -math.inf, math.inf
        for leaf, offset in leaves:
            # The lead's (and filters') documents at once, as bitsets: see search.bitsets
            allowed = None if filter_query is None else self.bitsets.of(filter_query, leaf)
            if allowed == 0:
                continue
            found = self.bitsets.of(lead, leaf)
            if allowed is not None:
                found &= allowed
            if not found:
                continue
            checked = [] if complete else [self.bitsets.of(q, leaf) for q in checks]
            matcher = BitWalk(found)
            scores = None
            doc_types, doc_categories, dates, descending = self.columns(leaf.reader())
            if descending and dates and (low is not None or high is not None):
                # a rebuilt segment is written latest first: skip what is out of range
                if (low is not None and dates[0] < low) or (high is not None and dates[-1] > high):
                    continue
                if high is not None and dates[0] > high:
                    matcher.skip_to(bisect.bisect_left(dates, -high, key=operator.neg))
                    if not matcher.is_active():
                        continue
            matched_strict: list[int] = []
            matched_relaxed: list[int] = []
            counted = strict.total if complete else relaxed.total
            while matcher.is_active():
                docnum = matcher.id()
                when = dates[docnum]
                if (low is not None and when < low) or (high is not None and when > high):
                    if descending and low is not None and when < low:
                        break  # the rest of the segment is older still
                    matcher.next()
                    continue
                if doc_types[docnum] != "activity":
                    upcoming = True
                elif when >= now_ts:
                    upcoming = True
                    if when < started_before:
                        started_before = when
                else:
                    upcoming = False
                    if when > started_after:
                        started_after = when
                if complete:
                    matched_strict.append(docnum)
                    if score_bound is None or ranked < score_bound:
                        heap = strict.heap
                        if len(heap) < self.keep or upcoming or not heap[0][0][2]:
                            if scores is None:
                                scores = self._scores(scored, leaf, context, n)
                            ranked += 1
                            score = scores.of(docnum)
                            key = (False, True, upcoming, n, score)
                            strict.push((key, -(docnum + offset), score))
                    if bound is not None and counted + len(matched_strict) >= bound:
                        strict.truncated = True
                        break
                    matcher.next()
                    continue
                hits = [bits >> docnum & 1 for bits in checked]
                covered = sum(hits[:n])
                exact = exact_at >= 0 and bool(hits[exact_at])
                if title_at >= 0 and hits[title_at]:
                    covered = n
                if covered >= floor or exact:
                    reaches = bool(covered >= min_match or exact)
                    tally = strict if reaches else relaxed
                    prefix = (exact, reaches, upcoming, covered)
                    if (score_bound is None or ranked < score_bound) and (
                        len(tally.heap) < self.keep or prefix >= tally.heap[0][0][:4]
                    ):
                        if scores is None:
                            scores = self._scores(scored, leaf, context, 0)
                        ranked += 1
                        score = scores.of(docnum)
                        item = ((*prefix, score), -(docnum + offset), score)
                        if reaches:
                            strict.push(item)
                        relaxed.push(item)
                    if reaches:
                        matched_strict.append(docnum)
                    matched_relaxed.append(docnum)
                    if bound is not None and counted + len(matched_relaxed) >= bound:
                        strict.truncated = relaxed.truncated = True
                        break
                matcher.next()
            strict.count(matched_strict, doc_types, doc_categories)
            relaxed.count(matched_relaxed, doc_types, doc_categories)
            if strict.truncated:
                break
        if complete:
            relaxed = strict
        strict.now_window = relaxed.now_window = (started_after, started_before)
        return strict, relaxed


#: At most this many combinations of concepts make a lead; beyond, the union of the
#: concepts is walked and each document checked.
MAX_COMBINATIONS = 20


def _lead(query_plan: plan.QueryPlan, floor: int, exact_found: bool) -> Query:
    """A query finding the documents that match at least ``floor`` concepts, or whose
    title contains (or is) the query: the union of every ``floor``-concept And."""
    leads = query_plan.concept_leads
    parts: list[Query] = []
    if floor >= len(leads):
        parts.append(leads[0] if len(leads) == 1 else And(leads))
    elif floor <= 1 or math.comb(len(leads), floor) > MAX_COMBINATIONS:
        parts.extend(leads)
    else:
        parts.extend(And(list(c)) for c in itertools.combinations(leads, floor))
    if query_plan.title_match is not None:
        parts.append(query_plan.title_match)
    if exact_found:
        parts.append(query_plan.exact_title)
    return parts[0] if len(parts) == 1 else plan.Union(parts)


def _merged(parts: list[Tally], keep: int) -> Tally:
    merged = Tally(keep)
    for part in parts:
        merged.total += part.total
        merged.types.update(part.types)
        merged.categories.update(part.categories)
        merged.truncated = merged.truncated or part.truncated
        merged.now_window = (
            max(merged.now_window[0], part.now_window[0]),
            min(merged.now_window[1], part.now_window[1]),
        )
        for item in part.heap:
            merged.push(item)
    return merged


def segment_columns(cache: dict, reader) -> tuple[list, list, list, bool]:
    """type, category and date of every document of a segment, and whether the dates
    descend (a rebuilt segment: written latest first); cached per segment (segments
    are immutable; their ids are random)."""
    key = reader.segment().segment_id()
    columns = cache.get(key)
    if columns is None:
        dates = list(reader.column_reader("date"))
        columns = (
            [sys.intern(v) for v in reader.column_reader("type")],
            [sys.intern(v) for v in reader.column_reader("category")],
            dates,
            all(a >= b for a, b in itertools.pairwise(dates)),
        )
        if len(cache) > 256:
            cache.clear()
        cache[key] = columns
    return columns
