"""The documents an unscored query matches in a segment, as a bitset (a Python int).

Whoosh finds the documents of ``And`` by leapfrogging the posting lists in Python, one
posting at a time: two words of 10,000 documents each that seldom meet cost 100-300 ms
to intersect at county scale, once per type and once more for the relaxed pass
(``benchmarks/RESULTS.md``).  Here each term's postings in a segment become a bitset
(bit *n* set: document *n* has the term), read once and kept (segments are immutable),
and a query is evaluated with ``&`` and ``|`` over whole bitsets, in C: microseconds.
Only the documents actually walked (newest first, up to the collector's bound) are
then visited one by one, with ``BitWalk``, and only those ranked are scored
(``search.scoring``).

A bitset costs one bit per document of its segment (1.25 kB for 10,000): the cache
keeps the most recently used ones up to ``max_bytes``.  Deleted documents are masked
out at query time (a segment's deletions grow with commits; its postings never
change).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from itertools import accumulate, repeat

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher
from whoosh.query import And, AndMaybe, NullQuery, Or, Query, Term

#: Bytes of bitsets kept per index (per process): about 25,000 term-segments of
#: 10,000 documents.
CACHE_BYTES = 32 * 2**20

_NULL_QUERY = type(NullQuery)
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


class Bitsets:
    """Evaluates unscored queries on segments; keeps the terms' bitsets (thread-safe)."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self._bytes = 0
        self._cache: OrderedDict[tuple, int] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, query: Query, leaf) -> int:
        """The live documents of the segment searcher ``leaf`` that ``query`` matches
        (scores and boosts ignored; ``AndMaybe`` is its required part)."""
        reader = leaf.reader()
        segment = reader.segment()
        live = self._cached(
            ("live", segment.segment_id(), segment.deleted_count()), lambda: _live(reader)
        )
        return self._evaluate(query, leaf, reader, segment.segment_id(), live) & live

    def _evaluate(self, query: Query, leaf, reader, segment_id: str, live: int) -> int:
        if isinstance(query, Term):
            key = (segment_id, query.fieldname, query.text)
            return self._cached(key, lambda: _term_bits(reader, query.fieldname, query.text))
        if isinstance(query, And):
            bits = live
            for child in query.subqueries:
                bits &= self._evaluate(child, leaf, reader, segment_id, live)
                if not bits:
                    break
            return bits
        if isinstance(query, Or) and not query.minmatch:
            bits = 0
            for child in query.subqueries:
                bits |= self._evaluate(child, leaf, reader, segment_id, live)
            return bits
        if isinstance(query, AndMaybe):
            return self._evaluate(query.a, leaf, reader, segment_id, live)
        if isinstance(query, _NULL_QUERY):
            return 0
        # Any other query: Whoosh's own matcher, walked once (not kept).
        matcher = query.matcher(leaf, leaf.boolean_context())
        return from_ids(matcher.all_ids(), reader.doc_count_all())

    def _cached(self, key: tuple, compute) -> int:
        with self._lock:
            bits = self._cache.get(key)
            if bits is not None:
                self._cache.move_to_end(key)
                return bits
        bits = compute()
        size = bits.bit_length() // 8 + 64
        with self._lock:
            if key not in self._cache:
                self._cache[key] = bits
                self._bytes += size
            while self._bytes > self.max_bytes and len(self._cache) > 1:
                _key, old = self._cache.popitem(last=False)
                self._bytes -= old.bit_length() // 8 + 64
        return bits


class BitWalk:
    """The documents of a bitset in order, with the part of Whoosh's matcher interface
    the collector uses (``is_active``, ``id``, ``next``, ``skip_to``).

    The bitset is written out once as a string of binary digits, document 0 first, and
    walked with ``str.find`` (in C): arithmetic on the int itself (``bits & -bits``,
    ``bits & bits - 1``) copies all of it at every step, 1-2 microseconds per document
    of a 10,000-document segment."""

    def __init__(self, bits: int):
        self._digits = format(bits, "b")[::-1] if bits else ""
        self._docnum = self._digits.find("1")

    def is_active(self) -> bool:
        return self._docnum >= 0

    def id(self) -> int:
        return self._docnum

    def next(self) -> None:
        self._docnum = self._digits.find("1", self._docnum + 1)

    def skip_to(self, docnum: int) -> None:
        if 0 <= self._docnum < docnum:
            self._docnum = self._digits.find("1", docnum)


def from_ids(ids, count: int) -> int:
    """The bitset of some document numbers, all below ``count`` (built in C: a byte
    per document set through ``map``, then read as a binary number)."""
    if not count:
        return 0
    flags = bytearray(count)
    deque(map(flags.__setitem__, ids, repeat(1)), maxlen=0)
    return int(flags.translate(_DIGITS)[::-1], 2)


def _live(reader) -> int:
    """The bitset of the segment's documents that are not deleted."""
    every = (1 << reader.doc_count_all()) - 1
    deleted = reader.segment().deleted_docs()
    return every & ~from_ids(deleted, reader.doc_count_all()) if deleted else every


def _term_bits(reader, fieldname: str, text: str) -> int:
    """The documents of a segment holding a term, deleted ones included."""
    if fieldname not in reader.schema:
        return 0
    try:
        term = reader.schema[fieldname].to_bytes(text)
    except ValueError:
        return 0
    if (fieldname, term) not in reader:
        return 0
    matcher = reader.postings(fieldname, term)
    if isinstance(matcher, FilterMatcher):  # the deleted documents: masked by the caller
        matcher = matcher.child
    return from_ids(_all_ids(matcher), reader.doc_count_all())


def _all_ids(matcher) -> list[int]:
    """A fresh posting matcher's document numbers.  From Whoosh 2.7's codec a block at
    a time, the gaps summed by ``accumulate`` (its ``_read_data``: ``all_ids`` steps
    posting by posting through three Python calls and a generator each); from any
    other matcher (a term with one posting, a vector), ``all_ids``."""
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return list(matcher.all_ids())
    ids: list[int] = []
    while matcher.is_active():
        matcher._read_data()
        ids.extend(accumulate(matcher._data[0]))
        matcher._next_block()
    return ids
