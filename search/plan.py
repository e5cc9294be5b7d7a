"""Turn what a resident typed into a Whoosh query, without Whoosh's query language.

User input never reaches a query parser: it is analysed into tokens
(``search.analysis``) and the query is assembled from ``Term`` objects, so ``"``,
``AND (``, ``*`` or ``title:`` are just characters (mostly dropped as punctuation).

A query becomes a list of *concepts*, one per token, or per synonym expression
(``量血压`` -> 量血压 | 测血压 | 血压测量 ...).  Question and function words
(``怎么``, ``哪里``, ``要注意``: ``stopwords.txt``) are dropped first.  A concept matches a
document when any of its alternatives does: the word in the text (title, body, tags;
the title adds a boost); for a Latin token also the title's pinyin (``gaoxueya``) or
initials (``fxw``), and the index words it spells (``search.lexicon``: ``xueya`` ->
血压, ``xy`` -> 血压 | 学员 | ..., weighted by frequency), in titles and bodies.

Concepts are ORed and ranked by BM25F (``search.ranking``), with a minimum number that
must match (``min_match``): all of one or two, most of three or more (two of three,
three of four, four of five or six, ...), so a question need not contain every word
of the answer.  Two kinds of words do not count towards it and only add to the score:

* single Han characters next to real words (``防`` in ``防诈骗``, ``打`` in
  ``流感疫苗在哪里打``), which segmentation leaves all around;
* *common* words, found in more than COMMON_SHARE of the documents (活动, 志愿, 服务):
  they would otherwise pull unrelated documents ahead of the topic word.  They weigh
  COMMON_WEIGHT of a normal word; a query made only of common words keeps them.

A document whose title contains the whole query (by character bigrams) counts as
matching every concept: that rescues title substrings the segmenter cut otherwise (and
serves one-character queries).  A document whose title *is* the query
(``exact_title``, compared without punctuation or spaces) comes first, and the
title's concepts then continue under OR, so its topic follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from whoosh.query import And, AndMaybe, NullQuery, Or, Query, Term

from . import analysis
from .lexicon import Lexicon

#: Longer queries are cut: nobody types more, and a 10,000-character query must not
#: turn into 5,000 terms.
MAX_QUERY_CHARS = 200
MAX_CONCEPTS = 24
#: Titles are searched for the query as a substring up to this many Han characters.
MAX_TITLE_PART = 8

TITLE_BOOST = 3.0
PINYIN_BOOST = 2.5
INITIALS_BOOST = 2.0
TITLE_GRAMS_BOOST = 1.5
#: A word in more than this share of the documents is common (see above) ...
COMMON_SHARE = 0.12
#: ... and weighs this much of a normal word.
COMMON_WEIGHT = 0.3


class Union(Or):
    """``Or`` that always walks a tree of union matchers.

    Whoosh's automatic choice preloads an array the size of the segment for unscored
    use and small segments (``ArrayUnionMatcher``): that cost more than the whole
    search on small indexes, and per segment it adds up on big ones.
    """

    matcher_type = Or.DEFAULT_MATCHER


def min_match_for(concepts: int) -> int:
    """Concepts a document must match: all of one or two, two thirds (rounded up)
    of more."""
    return concepts if concepts <= 2 else -(-2 * concepts // 3)


@dataclass(frozen=True)
class QueryPlan:
    """The Whoosh queries for one user query, and what to highlight."""

    #: one query per concept that counts towards ``min_match``
    concepts: list[Query]
    #: the same concepts without the title boosts: cheaper to walk, for finding matches
    concept_leads: list[Query]
    #: single characters beside real words and common words: scored, never required
    optional: list[Query]
    #: titles containing the whole query text (None for a query without Han text)
    title_match: Query | None
    #: titles equal to the query (None when nothing is left of it to compare)
    exact_title: Query | None
    #: normalised strings to mark in snippets
    highlight: frozenset[str]
    #: Latin tokens, which may match a title's pinyin or initials
    latin: tuple[str, ...]
    #: the words of each concept (normalised), parallel to ``concepts``
    concept_words: tuple[frozenset[str], ...] = ()

    @property
    def min_match(self) -> int:
        """Concepts a match needs to rank with the full matches."""
        return min_match_for(len(self.concepts))

    @property
    def relax_match(self) -> int:
        """Concepts a partial match needs (shown after full ones): half, rounded up."""
        return (len(self.concepts) + 1) // 2

    def focused_on(self, body: str) -> QueryPlan:
        """The plan for a query that is the title of a document whose (normalised)
        text is ``body``: the title's key terms -- the concepts the text names at least
        twice -- keep matching; the others (``六个``, ``要点``) only add to the score,
        so the topic follows the document, not the filler words of its title."""
        key = [
            i
            for i, words in enumerate(self.concept_words)
            if sum(body.count(word) for word in words) >= 2
        ]
        if not key or len(key) == len(self.concepts):
            return self
        others = [
            _weighed(query, COMMON_WEIGHT) for i, query in enumerate(self.concepts) if i not in key
        ]
        return replace(
            self,
            concepts=[self.concepts[i] for i in key],
            concept_leads=[self.concept_leads[i] for i in key],
            optional=[*self.optional, *others],
            concept_words=tuple(self.concept_words[i] for i in key),
        )


def clean_query_text(text: str | None) -> str:
    """The query as analysed: at most MAX_QUERY_CHARS characters, stripped."""
    return (text or "")[:MAX_QUERY_CHARS].strip()


def _word(token: str, scored: bool = True, boost: float = 1.0) -> Query:
    # The text postings; scored, the title's score is added where it has the word too.
    if not scored:
        return Term("text", token)
    return AndMaybe(
        Term("text", token, boost=boost), Term("title", token, boost=TITLE_BOOST * boost)
    )


def _sequence(sequence: tuple[str, ...], scored: bool, boost: float = 1.0) -> Query:
    words = [_word(token, scored, boost) for token in sequence]
    return words[0] if len(words) == 1 else And(words)


def _concept(
    concept: tuple[tuple[str, ...], ...], scored: bool, lexicon: Lexicon, spelled: set[str]
) -> Query:
    alternatives = [_sequence(sequence, scored) for sequence in concept]
    if len(concept) == 1 and len(concept[0]) == 1 and analysis.is_latin_word(concept[0][0]):
        alternatives.extend(_pinyin_alternatives(concept[0][0], scored, lexicon, spelled))
    return alternatives[0] if len(alternatives) == 1 else Union(alternatives)


def _pinyin_alternatives(
    token: str, scored: bool, lexicon: Lexicon, spelled: set[str]
) -> list[Query]:
    """The title's own pinyin and initials, and the index words the token spells
    (``search.lexicon``), weighted by their frequency, with their synonyms;
    ``spelled`` collects the words (to highlight)."""
    alternatives: list[Query] = [Term("title_pinyin", token, boost=PINYIN_BOOST)]
    if len(token) >= analysis.MIN_INITIALS:
        # Whole syllables typed are rarely meant as initials: rank those matches lower.
        boost = INITIALS_BOOST / 2 if analysis.split_syllables(token) else INITIALS_BOOST
        alternatives.append(Term("title_initials", token, boost=boost))
    synonyms = analysis.synonym_table()
    for pieces, weight in lexicon.readings(token):
        matched: list[Query] = []
        for piece in pieces:
            words: list[Query] = []
            for word, share in piece:
                spelled.add(word)
                for sequence in synonyms.get((word,), ((word,),)):
                    words.append(_sequence(sequence, scored, weight * share))
            matched.append(words[0] if len(words) == 1 else Union(words))
        alternatives.append(matched[0] if len(matched) == 1 else And(matched))
    return alternatives


def _indexed(reader, concept):
    """The concept with unknown words split (``_known_words``), without the synonym
    alternatives that name a word no document holds (they would only cost time)."""
    sequences = [tuple(_known_words(reader, list(sequence))) for sequence in concept]
    kept = [sequences[0]] + [
        sequence
        for sequence in sequences[1:]
        if all(reader.doc_frequency("text", token) for token in sequence)
    ]
    return tuple(dict.fromkeys(kept))


def _known_words(reader, tokens: list[str]) -> list[str]:
    """Tokens, each word no document contains replaced by the longest indexed words
    inside it (``糖尿病人`` -> ``糖尿病``): the index holds the dictionary words
    within long words (search-mode segmentation), queries are cut whole."""
    known: list[str] = []
    for token in tokens:
        if len(token) < 3 or reader.doc_frequency("text", token) or not analysis.han_runs(token):
            known.append(token)
            continue
        parts = sorted(analysis.index_tokens(token), key=len, reverse=True)
        covered: list[tuple[int, str]] = []
        for part in parts:
            start = token.find(part)
            if len(part) < 2 or part == token or not reader.doc_frequency("text", part):
                continue
            end = start + len(part)
            if all(end <= s or start >= s + len(p) for s, p in covered):
                covered.append((start, part))
        known.extend(part for _start, part in sorted(covered)) if covered else known.append(token)
    return known


def build_plan(reader, text: str | None, lexicon: Lexicon | None = None) -> QueryPlan | None:
    """Analyse a query; None when nothing searchable is left (empty, only stop words).

    ``reader`` (the index being searched) gives document frequencies (common words)
    and expands a one-character query into the title bigrams starting with it;
    ``lexicon`` rewrites pinyin and initials into the index's Chinese words.
    """
    lexicon = lexicon or Lexicon()
    text = clean_query_text(text)
    tokens = analysis.query_tokens(text)
    if not tokens:
        return None
    concepts = analysis.expand_synonyms(tokens)[:MAX_CONCEPTS]
    concepts = [_indexed(reader, concept) for concept in concepts]
    highlight: set[str] = set()
    latin: list[str] = []
    has_words = any(not _is_single_han(concept) for concept in concepts)
    words: list[tuple[Query, Query, float, bool, frozenset[str]]] = []
    optional: list[Query] = []
    for concept in concepts:
        for sequence in concept:
            highlight.update(sequence)
        if len(concept) == 1 and len(concept[0]) == 1 and analysis.is_latin_word(concept[0][0]):
            latin.append(concept[0][0])
        spelled: set[str] = set()
        scored = _concept(concept, True, lexicon, spelled)
        highlight.update(spelled)
        if has_words and _is_single_han(concept):
            optional.append(scored)
            continue
        share = _document_share(reader, concept, spelled)
        is_latin = bool(latin) and latin[-1] == concept[0][0]
        names = frozenset(token for sequence in concept for token in sequence) | spelled
        words.append((scored, _concept(concept, False, lexicon, set()), share, is_latin, names))
    # A Han word no document holds cannot count against the documents.
    words = [w for w in words if w[2] or w[3]] or words
    specific = [word for word in words if word[2] <= COMMON_SHARE]
    if specific and len(specific) < len(words):
        for scored, _lead, share, _latin, _names in words:
            if share > COMMON_SHARE:
                optional.append(_weighed(scored, COMMON_WEIGHT))
        words = specific
    normalized = analysis.normalize(text)
    han = "".join(analysis.han_runs(normalized))
    # Longer text is a whole title (exact_title) or a question, not a title's part.
    title_match = _title_contains(reader, normalized) if len(han) <= MAX_TITLE_PART else None
    if title_match is not None:
        highlight.update(analysis.han_runs(normalized))
        if latin:  # the Han part of a mixed query is not the whole query
            optional.append(title_match)
            title_match = None
    key = analysis.title_key(text)
    exact_title = Term("title_key", key) if key else None
    return QueryPlan(
        [word[0] for word in words],
        [word[1] for word in words],
        optional,
        title_match,
        exact_title,
        frozenset(highlight),
        tuple(latin),
        tuple(word[4] for word in words),
    )


def _document_share(reader, concept, spelled: set[str]) -> float:
    """The share of documents a concept's most frequent alternative can match (an
    alternative of several words at most as many as its rarest word)."""
    documents = reader.doc_count() or 1
    sequences = [*concept, *((word,) for word in spelled)]
    return (
        max(
            min(reader.doc_frequency("text", token) for token in sequence) for sequence in sequences
        )
        / documents
    )


def _weighed(query: Query, weight: float) -> Query:
    """The query with every term's boost multiplied by ``weight``."""
    if isinstance(query, Term):
        return Term(query.fieldname, query.text, boost=query.boost * weight)
    return query.apply(lambda child: _weighed(child, weight))


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


def suggest_plan(reader, text: str | None) -> QueryPlan:
    """The autocomplete query (``suggest_query``) as a plan of one concept."""
    query = suggest_query(reader, text)
    return QueryPlan([query], [query], [], None, None, frozenset(), ())


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
