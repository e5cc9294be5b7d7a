"""The Whoosh schema and the conversion of a search document into index fields.

Text is analysed in Python (``search.analysis``) and handed to Whoosh as lists of
tokens through ``TokensField``, which skips Whoosh's own tokenising: at county scale
(150,000 documents) indexing time is what matters.  The schema is pickled into the
index, so ``TokensField`` must stay importable as ``search.schema.TokensField``
(renaming it requires a rebuild).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.matching import ReadTooFar
from whoosh.system import pack_uint

from . import analysis

TYPES = ("activity", "article")
THEMES = ("etiquette", "history", "performance", "caring", "health")
#: Dates without a time (an article's ``date: 2026-12-03``) are local days in China.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class InvalidDocument(ValueError):
    """A search document is missing a field or has a value of the wrong kind."""


class TokensField(TEXT):
    """A TEXT field (term frequencies, no positions) fed a list of analysed tokens."""

    def __init__(self):
        super().__init__(analyzer=SpaceSeparatedTokenizer(), phrase=False)

    def index(self, value, **kwargs):
        if isinstance(value, str):
            value = value.split()
        return [
            (word.encode("utf-8"), freq, float(freq), pack_uint(freq))
            for word, freq in Counter(value).items()
        ]


class SearchCodec(W3Codec):
    """Whoosh's default codec without per-block length statistics.

    Those statistics only serve Whoosh's top-N skipping, which ``SearchIndex`` does
    not use (it needs every match for totals and facets); gathering them re-reads the
    length of every posting from disk at commit, 40 % of the indexing time.  Segment
    objects keep a reference to their codec: keep this class importable.

    Postings are read by ``LeafMatcher``, which skips within a block by bisection.
    """

    length_stats = False

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        """A matcher of a term's postings (``LeafMatcher`` unless they are inlined)."""
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class LeafMatcher(W3LeafMatcher):
    """Whoosh 2.7's posting reader, with ``skip_to`` bisecting the block it lands in.

    Whoosh steps to the target one posting at a time (three Python calls each): the
    scorers of the ranked matches skip through the postings of words found in most
    documents (``进社区``, a title's common bigrams), hundreds of postings per match.
    A block's ids are summed from their gaps by ``accumulate`` (in C) for the same
    reason.
    """

    def skip_to(self, targetid):
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        while targetid > self._maxid:
            self._next_block()
            if not self.is_active():
                return
        if self._ids is None:
            self._read_ids()
        self._i = bisect.bisect_left(self._ids, targetid, self._i)

    def weight_at(self, docnum: int) -> float | None:
        """The weight of ``docnum``'s posting, or None when it has none; the matcher
        moves to the first posting at or after ``docnum`` (``search.scoring`` asks a
        term's documents in increasing order, without ``is_active``/``id``/``skip_to``
        calls)."""
        if self._atend:
            return None
        while docnum > self._maxid:
            self._next_block()
            if self._atend:
                return None
        if self._ids is None:
            self._read_ids()
        i = self._i = bisect.bisect_left(self._ids, docnum, self._i)
        if self._ids[i] != docnum:
            return None
        if self._weights is None:
            if self._data[1] is None:  # every weight of the block is 1
                return 1.0
            self._read_weights()
        return self._weights[i]

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))


SCHEMA = Schema(
    id=ID(unique=True, stored=True),
    type=ID(stored=True, sortable=True),
    category=ID(stored=True, sortable=True),
    theme=ID(stored=True),
    # Every code on the unit path, so a township's code also finds its villages.
    units=KEYWORD(lowercase=False),
    # Everything searchable as words: title + body + tags.  One field, so a word is one
    # posting list to walk (a union over three fields cost twice as much per match);
    # the title is also indexed alone, for its boost.
    text=TokensField(),
    title=TokensField(),
    # All scorable: Whoosh 2.7 stats the disk for every posting of a field without
    # lengths when it commits, which made non-scorable fields slower to index.
    title_pinyin=TokensField(),
    title_initials=TokensField(),
    # Han bigrams of the title: title substrings the segmenter cut differently, and
    # autocomplete.
    title_grams=TokensField(),
    # The whole title, normalised (``analysis.title_key``): a query equal to a title.
    title_key=ID(),
    # Seconds since the epoch; a column, not indexed: date filters and the
    # upcoming-first order read it for the documents that match.
    date=COLUMN(NumericColumn("q", default=0)),
    doc=STORED(),
)

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.MULTILINE)
_MD_LINE_START = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|`+|~~)")
_WHITESPACE = re.compile(r"\s+")


def plain_text(body: str) -> str:
    """Flatten Markdown to one line of text for indexing and snippets.

    Headings, list markers, emphasis, link syntax and table rules go; table cells are
    separated by spaces; pinyin artifacts (``學(xué)``) are removed.  HTML-looking text
    is kept as text (snippets escape it).
    """
    text = _MD_TABLE_RULE.sub(" ", body)
    text = _MD_LINE_START.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub("", text).replace("|", " ")
    text = analysis.strip_pinyin_artifacts(text)
    return _WHITESPACE.sub(" ", text).strip()


def to_datetime(value: Any, field: str = "date") -> datetime:
    """Return an aware datetime; a bare date is midnight in China; naive is an error."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidDocument(f"{field} must be timezone-aware: {value!r}")
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), CHINA)
    if isinstance(value, str):
        try:
            return to_datetime(datetime.fromisoformat(value), field)
        except ValueError as error:
            raise InvalidDocument(f"{field} is not an ISO 8601 datetime: {value!r}") from error
    raise InvalidDocument(f"{field} must be a datetime, got {type(value).__name__}")


def unit_codes(unit_path: str | None) -> list[str]:
    """``"LY/LY-JL/LY-JL-YFC"`` -> ``["LY", "LY-JL", "LY-JL-YFC"]``."""
    return [code for code in (unit_path or "").split("/") if code]


def prepare_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a search document and return the Whoosh fields for it.

    Raises InvalidDocument when ``id``, ``type``, ``title`` or ``date`` is missing or
    malformed.  The result holds only JSON-serialisable values.
    """
    doc_id = doc.get("id")
    doc_type = doc.get("type")
    if not isinstance(doc_id, str) or not doc_id:
        raise InvalidDocument(f"id must be a non-empty string: {doc_id!r}")
    if doc_type not in TYPES:
        raise InvalidDocument(f"{doc_id}: type must be one of {TYPES}: {doc_type!r}")
    title = doc.get("title") or ""
    if not isinstance(title, str) or not title.strip():
        raise InvalidDocument(f"{doc_id}: title must be a non-empty string")
    when = to_datetime(doc.get("date"), f"{doc_id}: date")
    body = plain_text(doc.get("body") or "")
    tags = [str(tag) for tag in doc.get("tags") or ()]
    timestamp = int(when.timestamp())
    title_terms = analysis.title_terms(title)
    db_id = doc.get("db_id")
    stored = {
        "title": title,
        "text": body,
        "url": doc.get("url") or "",
        "external_id": doc.get("external_id") or None,
        "db_id": int(db_id) if db_id is not None else None,
        "date": when.isoformat(),
        "unit_path": doc.get("unit_path") or "",
        "tags": tags,
    }
    return {
        "id": doc_id,
        "type": doc_type,
        "category": doc.get("category") or None,
        "theme": doc.get("theme") or None,
        "units": " ".join(unit_codes(doc.get("unit_path"))) or None,
        "text": [
            *title_terms.words,
            *analysis.index_tokens(body),
            *(t for tag in tags for t in analysis.index_tokens(tag)),
        ],
        "title": title_terms.words,
        "title_pinyin": title_terms.pinyin,
        "title_initials": title_terms.initials,
        "title_grams": title_terms.grams,
        "title_key": analysis.title_key(title),
        "date": timestamp,
        "doc": stored,
    }
