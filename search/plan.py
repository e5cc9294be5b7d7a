"""Turn what a resident typed into a Whoosh query, without Whoosh's query language.

User input never reaches a query parser: it is analysed into tokens
(``search.analysis``) and the query is assembled from ``Term`` objects, so ``"``,
``AND (``, ``*`` or ``title:`` are just characters (mostly dropped as punctuation).

A query becomes a list of *concepts*, one per token, or per synonym expression
(``量血压`` -> 量血压 | 测血压 | 血压测量 ...).  A concept matches a document when any of
its alternatives does: the word in the text (title, body, tags; the title adds a
boost); for a Latin token also the title's pinyin (``gaoxueya``) or initials (``fxw``).
Single Han characters next to real words (``防`` in ``防诈骗``, ``打`` in
``流感疫苗在哪里打``) are *optional*: they add to the score but are not required,
because segmentation leaves all sorts of glue characters alone.  A document whose
title contains the whole query (by character bigrams) counts as matching every
concept: that rescues title substrings the segmenter cut otherwise (and serves
one-character queries).

``SearchIndex`` first requires every concept; when that finds fewer than
``RELAX_BELOW`` documents (typical of questions: ``如何识别电信诈骗``), it searches
again, counting title matches as complete and letting documents with at least half of
the concepts follow the complete matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.query import And, AndMaybe, NullQuery, Or, Query, Term

from . import analysis

#: Longer queries are cut: nobody types more, and a 10,000-character query must not
#: turn into 5,000 terms.
MAX_QUERY_CHARS = 200
MAX_CONCEPTS = 24

TITLE_BOOST = 3.0
PINYIN_BOOST = 2.5
INITIALS_BOOST = 2.0
TITLE_GRAMS_BOOST = 1.5


class Union(Or):
    """``Or`` that always walks a tree of union matchers.

    Whoosh's automatic choice preloads an array the size of the segment for unscored
    use and small segments (``ArrayUnionMatcher``): that cost more than the whole
    search on small indexes, and per segment it adds up on big ones.
    """

    matcher_type = Or.DEFAULT_MATCHER


@dataclass(frozen=True)
class QueryPlan:
    """The Whoosh queries for one user query, and what to highlight."""

    #: one query per concept; a complete match matches them all
    concepts: list[Query]
    #: the same concepts without the title boosts: cheaper to walk, for finding matches
    concept_leads: list[Query]
    #: single characters beside real words: scored when present, never required
    optional: list[Query]
    #: titles containing the whole query text (None for a query without Han text)
    title_match: Query | None
    #: normalised strings to mark in snippets
    highlight: frozenset[str]
    #: Latin tokens, which may match a title's pinyin or initials
    latin: tuple[str, ...]

    @property
    def min_match(self) -> int:
        """Concepts a partial match needs: at least half, rounded up."""
        return (len(self.concepts) + 1) // 2

    def strict(self) -> Query:
        """Every concept, scored; optional characters only add to the score."""
        query = self.concepts[0] if len(self.concepts) == 1 else And(self.concepts)
        if self.optional:
            query = AndMaybe(query, Union(self.optional))
        return query

    def strict_lead(self) -> Query:
        """The documents ``strict()`` matches, found without scoring machinery."""
        leads = self.concept_leads
        return leads[0] if len(leads) == 1 else And(leads)


def clean_query_text(text: str | None) -> str:
    """The query as analysed: at most MAX_QUERY_CHARS characters, stripped."""
    return (text or "")[:MAX_QUERY_CHARS].strip()


def _word(token: str, scored: bool = True) -> Query:
    # The text postings; scored, the title's score is added where it has the word too.
    if not scored:
        return Term("text", token)
    return AndMaybe(Term("text", token), Term("title", token, boost=TITLE_BOOST))


def _concept(concept: tuple[tuple[str, ...], ...], scored: bool) -> Query:
    alternatives: list[Query] = []
    for sequence in concept:
        words = [_word(token, scored) for token in sequence]
        alternatives.append(words[0] if len(words) == 1 else And(words))
    if len(concept) == 1 and len(concept[0]) == 1 and analysis.is_latin_word(concept[0][0]):
        alternatives.extend(_pinyin_alternatives(concept[0][0]))
    return alternatives[0] if len(alternatives) == 1 else Union(alternatives)


def _pinyin_alternatives(token: str) -> list[Query]:
    alternatives: list[Query] = [Term("title_pinyin", token, boost=PINYIN_BOOST)]
    if len(token) >= analysis.MIN_INITIALS:
        # Whole syllables typed are rarely meant as initials: rank those matches lower.
        boost = INITIALS_BOOST / 2 if analysis.split_syllables(token) else INITIALS_BOOST
        alternatives.append(Term("title_initials", token, boost=boost))
    return alternatives


def build_plan(reader, text: str | None) -> QueryPlan | None:
    """Analyse a query; None when nothing searchable is left (empty, only stop words).

    ``reader`` (the index being searched) is needed to expand a one-character query
    into the title bigrams starting with it.
    """
    text = clean_query_text(text)
    tokens = analysis.query_tokens(text)
    if not tokens:
        return None
    concepts = analysis.expand_synonyms(tokens)[:MAX_CONCEPTS]
    required: list[Query] = []
    leads: list[Query] = []
    optional: list[Query] = []
    highlight: set[str] = set()
    latin: list[str] = []
    has_words = any(not _is_single_han(concept) for concept in concepts)
    for concept in concepts:
        for sequence in concept:
            highlight.update(sequence)
        if len(concept) == 1 and len(concept[0]) == 1 and analysis.is_latin_word(concept[0][0]):
            latin.append(concept[0][0])
        if has_words and _is_single_han(concept):
            optional.append(_concept(concept, scored=True))
        else:
            required.append(_concept(concept, scored=True))
            leads.append(_concept(concept, scored=False))
    normalized = analysis.normalize(text)
    title_match = _title_contains(reader, normalized)
    if title_match is not None:
        highlight.update(analysis.han_runs(normalized))
    return QueryPlan(required, leads, optional, title_match, frozenset(highlight), tuple(latin))


def _is_single_han(concept: tuple[tuple[str, ...], ...]) -> bool:
    return (
        len(concept) == 1
        and len(concept[0]) == 1
        and len(concept[0][0]) == 1
        and bool(analysis.han_runs(concept[0][0]))
    )


def _title_contains(reader, normalized: str, expansions: int = 64) -> Query | None:
    """Titles containing every Han run of the text (by bigrams; a lone character by
    the bigrams that start with it)."""
    parts: list[Query] = []
    for run in analysis.han_runs(normalized):
        if len(run) == 1:
            options = prefix_terms(reader, "title_grams", run, expansions)
            if not options:
                return NullQuery
            parts.append(Union([Term("title_grams", g, boost=TITLE_GRAMS_BOOST) for g in options]))
        else:
            grams = dict.fromkeys(analysis.han_bigrams(run))
            parts.extend(Term("title_grams", g, boost=TITLE_GRAMS_BOOST) for g in grams)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def prefix_terms(reader, fieldname: str, prefix: str, limit: int) -> list[str]:
    """Up to ``limit`` indexed terms of a field that start with ``prefix``."""
    terms = []
    for term in reader.expand_prefix(fieldname, prefix):
        terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(terms) >= limit:
            break
    return terms


def suggest_query(reader, text: str | None, expansions: int = 64) -> Query:
    """Autocomplete query: Han text must occur in the title (by character bigrams),
    Latin text must start a pinyin or initials n-gram of the title."""
    text = clean_query_text(text)
    normalized = analysis.normalize(text)
    han = "".join(analysis.han_runs(normalized))
    latin = "".join(c for c in normalized if c.isascii() and c.isalpha())
    parts: list[Query] = []
    if han:
        # title characters in sequence ("contains"): 高血 finds 健康大讲堂：高血压的防与治
        parts.append(_title_contains(reader, normalized, expansions))
    if len(latin) >= 2:
        options = [
            Term(field, term)
            for field in ("title_pinyin", "title_initials")
            for term in prefix_terms(reader, field, latin, expansions)
        ]
        parts.append(Union(options) if options else NullQuery)
    if not parts:
        return NullQuery
    return parts[0] if len(parts) == 1 else And(parts)
