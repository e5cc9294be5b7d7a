"""Chinese text analysis shared by indexing and querying.

The same normalisation runs on documents and on queries, in this order:

1. NFKC (full-width letters, digits and punctuation become half-width) and case folding;
2. pinyin artifacts of a faulty converter are removed: a Han character followed by a
   parenthesised, tone-marked syllable, ``學(xué)`` -> ``學``;
3. Traditional -> Simplified folding with OpenCC ``t2s``, *before* segmentation, so that
   ``寫春聯`` and ``写春联`` produce the same words;
4. word segmentation with jieba's dictionary plus ``userdict.txt`` (documents in search
   mode, queries in precise mode; see below), punctuation split off, stop words
   (``stopwords.txt``) dropped.

Segmenter: rjieba (the Rust port of jieba, same dictionary).  Measured on the corpus
(320 activities + 42 articles, 86,784 characters after folding; CPU time on the 2-core
development machine; ``benchmarks/search_bench.py`` repeats the measurement)::

    precise mode      jieba 0.40-0.46 s   rjieba 0.020-0.022 s   (18-23x)
    search mode       jieba 0.45-0.47 s   rjieba 0.023-0.032 s   (14-21x)
    start-up          jieba 1.1-1.8 s (dictionary; 0.4 s from its /tmp cache)
                      rjieba 0.19 s (loads its dictionary on import)
    same words        with the HMM off and userdict.txt loaded (as used here): all 362
                      documents segment identically in both modes.  With jieba's
                      defaults (HMM on) 634 of 682 titles and bodies are identical, the
                      others differ only in ASCII runs such as ``0395-8861568``, which
                      rjieba keeps whole and jieba splits at ``-``; tokens are split at
                      punctuation afterwards, which removes that difference too.

So rjieba is used; jieba is only loaded by the benchmark and by the test that checks the
two agree.  The HMM new-word guesser is switched off (``hmm=False``): it segments the
same characters differently depending on their neighbours (``放学娃之家`` ->
``放学 / 娃之家`` but ``放学娃`` -> ``放学 / 娃``), which makes a query miss a document
that contains it; without it, unknown words fall back to single characters on both
sides, and the words that matter are listed in ``userdict.txt``.

Heavy resources (OpenCC, rjieba's dictionary, pypinyin's tables, the data files) are
loaded once per process, lazily, behind ``functools.cache``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

#: Runs of consecutive title words spelled in pinyin/initials: at most this many words
#: and syllables (``zhiyuanfuwudui`` is two words, five syllables).
MAX_RUN_WORDS, MAX_RUN_SYLLABLES = 4, 6
#: Initials are indexed from two letters: ``gx``, ``fxw``, ``zyfw``.
MIN_INITIALS = 2
#: Titles are compared whole up to this many characters.
MAX_TITLE_KEY = 120

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# 學(xué): a Han character, then a parenthesised syllable that carries a tone mark.
_PINYIN_ARTIFACT = re.compile(rf"(?<=[{_HAN}])\((?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,6}}\)")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_HAN_WORD = re.compile(rf"^[{_HAN}]+$")
_WORD_PART = re.compile(r"[^\W_]+")
_LATIN_WORD = re.compile(r"^[a-z]+$")


# --- lazily loaded, process-wide resources -------------------------------------------


@functools.cache
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _rjieba():
    import rjieba

    for word in _read_data_lines("userdict.txt"):
        rjieba.add_word(word, 20000, None)
    return rjieba


def load_jieba():
    """Return the pure-Python jieba module, initialised with ``userdict.txt``.

    Only the benchmark and the agreement test use it.  jieba warns on import (a
    ``pkg_resources`` deprecation, invalid escape sequences on first compile), which
    would fail a test run under ``filterwarnings = error``; the import is silenced here.
    """
    return _jieba()


@functools.cache
def _jieba():
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jieba.initialize()
    for word in _read_data_lines("userdict.txt"):
        jieba.add_word(word, 20000)
    return jieba


def _read_data_lines(name: str) -> list[str]:
    lines = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@functools.cache
def stop_words() -> frozenset[str]:
    """The stop words of ``stopwords.txt`` (whitespace separated), normalised."""
    words = set()
    for line in _read_data_lines("stopwords.txt"):
        words.update(normalize(w) for w in line.split())
    return frozenset(words)


@functools.cache
def _pinyin():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pypinyin
    return pypinyin


_UNTONE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (``ü`` spelled ``v``, as typed)."""
    _pinyin()
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = set()
    for readings in pinyin_dict.values():
        syllables.update(readings.translate(_UNTONE).split(","))
    return frozenset(s for s in syllables if _LATIN_WORD.match(s))


def warm_up() -> None:
    """Load OpenCC, the segmenter, pypinyin and the data files now rather than on the
    first request (call it before forking workers, e.g. with gunicorn ``--preload``)."""
    normalize("預熱")
    query_tokens("预热")
    stop_words()
    synonym_table()
    pinyin_syllables()
    title_terms("预热")


# --- normalisation and tokenisation --------------------------------------------------


def strip_pinyin_artifacts(text: str) -> str:
    """Remove ``(xué)``-style annotations that follow a Han character."""
    return _PINYIN_ARTIFACT.sub("", text)


def normalize(text: str) -> str:
    """Fold width, case and script: NFKC, casefold, strip pinyin artifacts, t2s."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = strip_pinyin_artifacts(text)
    return _opencc().convert(text)


def _split_parts(words: list[str]) -> Iterator[str]:
    stops = stop_words()
    for word in words:
        if word.isalnum():
            if word not in stops:
                yield word
            continue
        # rjieba keeps "0395-8861568" whole where jieba splits it; splitting every
        # token at punctuation makes both agree and drops punctuation tokens.
        for part in _WORD_PART.findall(word):
            if part not in stops:
                yield part


def index_tokens(text: str) -> list[str]:
    """Tokens of a document field: normalised, search-mode segmentation, no stop words.

    Search mode emits every word of precise mode plus the dictionary words inside long
    words (``高血压`` -> ``血压``, ``高血压``), so a query for a part still matches.
    """
    if not text:
        return []
    return list(_split_parts(_rjieba().cut_for_search(normalize(text), False)))


def query_tokens(text: str) -> list[str]:
    """Tokens of a query: normalised, precise-mode segmentation, no stop words."""
    if not text:
        return []
    return list(_split_parts(_rjieba().cut(normalize(text), False)))


def title_key(text: str) -> str:
    """A title (or query) compared as a whole: normalised letters, digits and Han only
    (``健康大講堂：高血壓的防與治`` and ``健康大讲堂 高血压的防与治`` are the same)."""
    return "".join(_WORD_PART.findall(normalize(text)))[:MAX_TITLE_KEY]


def is_latin_word(token: str) -> bool:
    """True for an ASCII-letter token, which may be pinyin or initials."""
    return bool(_LATIN_WORD.match(token))


def han_runs(text: str) -> list[str]:
    """Maximal runs of Han characters in (already normalised) text."""
    return _HAN_RUN.findall(text)


def han_bigrams(text: str) -> list[str]:
    """Character bigrams of each Han run (a one-character run gives itself)."""
    grams = []
    for run in han_runs(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


# --- pinyin ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _title_syllable_runs(title: str) -> tuple[tuple[str, ...], ...]:
    pypinyin = _pinyin()
    return tuple(tuple(pypinyin.lazy_pinyin(run)) for run in han_runs(normalize(title)))


@functools.lru_cache(maxsize=65536)
def word_pinyin(word: str) -> tuple[str, ...] | None:
    """Toneless syllables of an all-Han word (read as a word: 行长 -> hang zhang)."""
    if not _HAN_WORD.match(word):
        return None
    return tuple(_pinyin().lazy_pinyin(word))


def _word_runs(words: list[str]) -> list[list[tuple[str, ...]]]:
    """Syllables of consecutive Han words; punctuation, digits and Latin end a run,
    stop words are skipped (``老人的养老钱`` spells ``laorenyanglaoqian``)."""
    runs: list[list[tuple[str, ...]]] = [[]]
    stops = stop_words()
    for word in words:
        if word in stops:
            continue
        syllables = word_pinyin(word)
        if syllables:
            runs[-1].append(syllables)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


@dataclass(frozen=True)
class TitleTerms:
    """Everything indexed for a title."""

    #: search-mode words, as for any text
    words: list[str]
    #: pinyin of each word and of runs of up to four consecutive words (<= 6 syllables)
    pinyin: list[str]
    #: initials of the same words and runs (2..6 letters)
    initials: list[str]
    #: Han character bigrams
    grams: list[str]


def title_terms(title: str) -> TitleTerms:
    """Analyse a title for the title, pinyin, initials and bigram fields.

    Pinyin is indexed per word and per run of consecutive words, not per character
    window: ``放学娃之家志愿服务队`` gives ``fangxuewa``, ``zhiyuan``, ``fuwu``,
    ``zhiyuanfuwudui``, ``fxw``, ``zyfwd`` ... -- what people type for words -- at a
    third of the index postings of all 1..4-syllable windows (which dominated
    indexing time at county scale).
    """
    normalized = normalize(title)
    segmenter = _rjieba()
    words = list(_split_parts(segmenter.cut_for_search(normalized, False)))
    pinyin: dict[str, None] = {}
    initials: dict[str, None] = {}
    for word in words:
        syllables = word_pinyin(word)
        if syllables:
            pinyin["".join(syllables)] = None
            if len(syllables) >= MIN_INITIALS:
                initials["".join(s[0] for s in syllables)] = None
    for run in _word_runs(segmenter.cut(normalized, False)):
        for i in range(len(run)):
            spelled: list[str] = []
            for syllables in run[i : i + MAX_RUN_WORDS]:
                spelled.extend(syllables)
                if len(spelled) > MAX_RUN_SYLLABLES:
                    break
                if len(spelled) > len(syllables):  # two words or more
                    pinyin["".join(spelled)] = None
                    initials["".join(s[0] for s in spelled)] = None
    return TitleTerms(words, list(pinyin), list(initials), han_bigrams(normalized))


def split_syllables(word: str) -> list[str] | None:
    """Split run-together pinyin into syllables (fewest syllables wins), or None."""
    syllables = pinyin_syllables()
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            prefix = best[start]
            piece = word[start:end]
            if prefix is not None and piece in syllables:
                candidate = [*prefix, piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[n]


# --- synonyms ---------------------------------------------------------------------------


@functools.cache
def synonym_table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Map each expression of ``synonyms.txt`` (as query tokens) to all of its group.

    A line of the file is one group of interchangeable expressions separated by
    whitespace or commas; lines starting with ``#`` are comments.
    """
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for line in _read_data_lines("synonyms.txt"):
        group = []
        for expression in re.split(r"[\s,，]+", line):
            tokens = tuple(query_tokens(expression))
            if tokens and tokens not in group:
                group.append(tokens)
        if len(group) < 2:
            continue
        for tokens in group:
            merged = list(table.get(tokens, (tokens,)))
            merged.extend(t for t in group if t not in merged)
            table[tokens] = tuple(merged)
    return table


def expand_synonyms(tokens: list[str]) -> list[tuple[tuple[str, ...], ...]]:
    """Group query tokens into concepts, each a tuple of alternative token sequences.

    The longest synonym expression starting at each position wins; a token without
    synonyms is a concept with one alternative, itself.
    """
    table = synonym_table()
    longest = max((len(k) for k in table), default=1)
    concepts = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + n])
            if key in table:
                concepts.append(table[key])
                i += n
                break
        else:
            concepts.append(((tokens[i],),))
            i += 1
    return concepts


def title_pinyin_matches(title: str, token: str) -> list[str]:
    """Han substrings of a (normalised) title whose pinyin or initials spell ``token``.

    Used to highlight ``高血压`` in a snippet when the query was ``gaoxueya`` or ``gxy``.
    """
    matches = []
    for run in han_runs(normalize(title)):
        syllables = _pinyin().lazy_pinyin(run)
        for i in range(len(run)):
            spelled = initials = ""
            for j in range(i, len(run)):
                spelled += syllables[j]
                initials += syllables[j][:1]
                if spelled == token or (len(token) >= MIN_INITIALS and initials == token):
                    matches.append(run[i : j + 1])
                if len(spelled) >= len(token) and len(initials) >= len(token):
                    break
    return matches
