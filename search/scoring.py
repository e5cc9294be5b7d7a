"""BM25F scores of the ranked matches, read from the postings without Whoosh's matcher tree.

A cold question ranks up to ``RANK_BOUND`` matches per type, each scored by every scored
query it matches (concepts, optional words, the title match).  Whoosh scores a document
through a tree of matchers (``UnionMatcher``, ``IntersectionMatcher``, ``AndMaybeMatcher``,
boosts) over the terms' posting readers, asking ``is_active``, ``id``, ``skip_to`` and
``score`` at every level: a dozen Python calls per term and document, most of the time
of a county-scale question with a word in every document (``benchmarks/RESULTS.md``).

``compile_scorer`` turns the matcher tree Whoosh builds for a segment into nested
functions of a document number, each returning the score of its part of the tree or
None when the part does not match the document.  It is the same tree, so the same
additions and multiplications in the same order: the scores equal Whoosh's to the last
bit.  At a document, as Whoosh's matchers moved there:

* ``UnionMatcher(a, b)``: a + b when both match, else the one that does;
* ``IntersectionMatcher(a, b)``: a + b when both match, else no match;
* ``AndMaybeMatcher(a, b)``: a, plus b when b matches; no match without a;
* ``WrappingMatcher(child, boost)`` (a boosted term or query): child × boost;
* a term: BM25F of its weight in the document (``LeafMatcher.weight_at``: the posting
  block bisected) and the document's field length (``FieldLengths``, in memory), with
  the length part of the formula read from a table of the 256 length bytes.

A part that matches nothing in the segment (a word or synonym it lacks: Whoosh's
``NullMatcher``) is left out of the functions.  Any other matcher (a term with its
postings inlined, a matcher kind not listed) is scored by Whoosh itself, moved to the
document.  A scorer's documents must be asked in increasing order (the collector walks
a segment's matches that way).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import FixedBytesColumn
from whoosh.matching import (
    AndMaybeMatcher,
    FilterMatcher,
    IntersectionMatcher,
    NullMatcherClass,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from .schema import LeafMatcher

#: A document number -> its score, or None when it does not match.
Scorer = Callable[[int], "float | None"]

#: Segments whose field lengths are kept per index (per process): a byte per document
#: and field, about 50 kB for a 10,000-document segment's five scored fields.
CACHE_SEGMENTS = 256


class FieldLengths:
    """The length byte of every document of a segment in a field (Whoosh's column of
    field lengths, read once), kept by segment id: segments are immutable, and a
    searcher reopened after a commit finds the ones it had.  Thread-safe."""

    def __init__(self, max_segments: int = CACHE_SEGMENTS):
        self.max_segments = max_segments
        self._segments: OrderedDict[str, dict[str, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, reader, fieldname: str) -> bytes | None:
        """The field's length bytes of the segment reader's documents, by document
        number (0: no length); None when the field keeps no lengths."""
        segment_id = reader.segment().segment_id()
        with self._lock:
            fields = self._segments.get(segment_id)
            if fields is None:
                fields = self._segments[segment_id] = {}
                if len(self._segments) > self.max_segments:
                    self._segments.popitem(last=False)
            else:
                self._segments.move_to_end(segment_id)
            if fieldname in fields:
                return fields[fieldname]
        lengths = _read_lengths(reader, fieldname)
        with self._lock:
            fields[fieldname] = lengths
        return lengths


def _read_lengths(reader, fieldname: str) -> bytes | None:
    """The segment's column of field lengths, a byte per document, read at once
    (iterating Whoosh's column reader reads the file a byte at a time: 20 ms for a
    10,000-document segment)."""
    per_document = reader._perdoc
    column_name = _lenfield(fieldname)
    if not per_document.has_column(column_name):
        return None
    column = per_document.column_reader(column_name, LENGTHS_COLUMN)
    if not isinstance(column, FixedBytesColumn.Reader) or column._fixedlen != 1:
        return bytes(column)
    # The bytes of the documents written, then those of documents past the last one
    # with a length (the column's default, 0).
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(column._doccount - column._count)


def compile_scorer(matcher, reader, lengths: FieldLengths) -> Scorer:
    """The scores of Whoosh's ``matcher`` (fresh, built for the segment ``reader``), as
    one function of a document number (see the module docstring)."""
    kind = type(matcher)
    if kind is UnionMatcher:
        return _union(*_children(matcher, reader, lengths))
    if kind is IntersectionMatcher:
        return _intersection(*_children(matcher, reader, lengths))
    if kind is AndMaybeMatcher:
        return _and_maybe(*_children(matcher, reader, lengths))
    if kind is WrappingMatcher or kind is FilterMatcher:
        # A filter leaves out deleted documents, which are never asked.  A boosted term
        # multiplies its own score (one call less per document).
        term = _term(matcher.child, reader, lengths, matcher.boost)
        if term is not None:
            return term
        child = compile_scorer(matcher.child, reader, lengths)
        return child if matcher.boost == 1.0 else _boosted(child, matcher.boost)
    if kind is NullMatcherClass:
        return _nothing
    return _term(matcher, reader, lengths) or _whooshs(matcher)


def _term(matcher, reader, lengths: FieldLengths, boost: float = 1.0) -> Scorer | None:
    """The scores of a term's postings read by ``LeafMatcher``, times ``boost``; None
    for any other matcher."""
    if type(matcher) is not LeafMatcher:
        return None
    scorer = matcher.scorer
    if type(scorer) is WeightScorer:  # a field without lengths (an ID)
        return matcher.weight_at if boost == 1.0 else _boosted(matcher.weight_at, boost)
    if type(scorer) is not BM25FScorer:
        return None
    doc_lengths = lengths.of(reader, matcher.term()[0])
    if doc_lengths is None:
        return None
    return _bm25f(matcher.weight_at, doc_lengths, scorer, boost)


def _children(matcher, reader, lengths: FieldLengths) -> tuple[Scorer, Scorer]:
    return compile_scorer(matcher.a, reader, lengths), compile_scorer(matcher.b, reader, lengths)


def _union(a: Scorer, b: Scorer) -> Scorer:
    if a is _nothing or b is _nothing:  # a word of the query not in the segment
        return b if a is _nothing else a

    def score(docnum: int) -> float | None:
        first, second = a(docnum), b(docnum)
        if first is None:
            return second
        return first if second is None else first + second

    return score


def _intersection(a: Scorer, b: Scorer) -> Scorer:
    if a is _nothing or b is _nothing:
        return _nothing

    def score(docnum: int) -> float | None:
        first = a(docnum)
        if first is None:
            return None
        second = b(docnum)
        return None if second is None else first + second

    return score


def _and_maybe(a: Scorer, b: Scorer) -> Scorer:
    if a is _nothing or b is _nothing:
        return a

    def score(docnum: int) -> float | None:
        first = a(docnum)
        if first is None:
            return None
        second = b(docnum)
        return first if second is None else first + second

    return score


def _boosted(child: Scorer, boost: float) -> Scorer:
    if child is _nothing:
        return _nothing

    def score(docnum: int) -> float | None:
        value = child(docnum)
        return None if value is None else value * boost

    return score


def _nothing(docnum: int) -> None:
    return None


def _bm25f(weight_at: Scorer, doc_lengths: bytes, scorer: BM25FScorer, boost: float) -> Scorer:
    """``whoosh.scoring.bm25`` of the term's weight and the document's field length,
    times ``boost`` (as ``WrappingMatcher`` multiplies it, when it is not 1)."""
    idf, gain = scorer.idf, scorer.K1 + 1
    length_part = _length_parts(scorer.B, scorer.K1, scorer.avgfl)

    if boost == 1.0:

        def score(docnum: int) -> float | None:
            weight = weight_at(docnum)
            if weight is None:
                return None
            return idf * ((weight * gain) / (weight + length_part[doc_lengths[docnum]]))

        return score

    def boosted(docnum: int) -> float | None:
        weight = weight_at(docnum)
        if weight is None:
            return None
        return idf * ((weight * gain) / (weight + length_part[doc_lengths[docnum]])) * boost

    return boosted


@functools.lru_cache(maxsize=64)
def _length_parts(b: float, k1: float, average_length: float) -> tuple[float, ...]:
    """BM25's ``K1 * ((1 - B) + B * length / average)`` for each length byte, computed
    as Whoosh does (a document without a length counts as 1 word, Whoosh's default)."""
    return tuple(
        k1 * ((1 - b) + b * (byte_to_length(byte) if byte else 1) / average_length)
        for byte in range(256)
    )


def _whooshs(matcher) -> Scorer:
    """Whoosh's own score of ``matcher``, moved to the document."""

    def score(docnum: int) -> float | None:
        if not matcher.is_active():
            return None
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return None
        return matcher.score() if matcher.id() == docnum else None

    return score
