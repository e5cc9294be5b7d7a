"""The pinyin lexicon: full pinyin and initials -> the Chinese words of the index.

Residents type ``xueya`` or ``xy`` for 血压.  Titles carry their own pinyin fields
(``search.schema``), but bodies do not: indexing the pinyin of every body word would
double the index.  Instead, when a rebuild has filled a generation, every Han word of
its ``text`` field (titles, bodies, tags; two characters or more) is read once with its
document frequency, and two maps are written next to the shards, in
``<generation>/lexicon.json``::

    pinyin:   "xueya" -> [["血压", 231], ...]     (toneless, syllables run together)
    initials: "xy"    -> [["血压", 231], ["学员", 40], ...]

sorted by document frequency.  The file belongs to its generation, so it is swapped in
and removed together with the index it describes.  A generation made by incremental
writes alone (no rebuild yet: tests, a fresh install) has no file; its lexicon is
derived from the reader instead, again after each commit.  Words first written after a
rebuild are found by their title pinyin until the next rebuild adds them here.

``Lexicon.readings(token)`` turns a Latin token into the Chinese words it may spell,
weighted by how common each is in the index: the whole token as one word's pinyin,
run-together words (``zhiyuanfuwu`` -> 志愿 + 服务), and initials, which are ambiguous
and expand to at most MAX_CANDIDATES of their most frequent words.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import analysis

LEXICON_FILE = "lexicon.json"
#: An ambiguous spelling expands to at most this many words (the most frequent).
MAX_CANDIDATES = 6
#: ... and only to words at least this share as frequent as the most frequent one.
MIN_SHARE_OF_TOP = 0.02
#: A run-together spelling is split into at most this many words.
MAX_PIECES = 4
#: A word is listed under at most this many readings (its characters' heteronyms).
MAX_READINGS = 4

#: A piece of a reading: candidate words with their weights (the most frequent is 1.0).
Piece = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Lexicon:
    """Full pinyin and initials of the index's words, with document frequencies."""

    pinyin: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    initials: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def readings(self, token: str) -> list[tuple[tuple[Piece, ...], float]]:
        """What a Latin token may spell: ``[(pieces, weight), ...]``.

        A reading is a sequence of pieces that must all match (``zhiyuanfuwu`` reads
        as 志愿 then 服务); each piece is a choice of words weighted by frequency.
        Full pinyin readings weigh 1; initials weigh 1, or 0.5 when the token is also
        a valid run of full syllables (``xian`` is more likely 县 than 习 + 安).
        """
        readings: list[tuple[tuple[Piece, ...], float]] = []
        spelled = self._split_full(token)
        if spelled:
            readings.append((tuple(_weighted(self.pinyin[p]) for p in spelled), 1.0))
        initials = _split(token, self.initials, analysis.MIN_INITIALS)
        if initials:
            # Whole syllables typed are rarely meant as initials; split initials
            # (gzss -> gz + ss) are more ambiguous still.
            weight = 0.5 if analysis.split_syllables(token) or len(initials) > 1 else 1.0
            readings.append((tuple(_weighted(self.initials[p]) for p in initials), weight))
        return readings

    def _split_full(self, token: str) -> list[str] | None:
        """The token as the fewest indexed words' pinyin, run together; or None."""
        return _split(token, self.pinyin, 1)

    def to_json(self) -> dict:
        return {"version": 1, "pinyin": self.pinyin, "initials": self.initials}

    @classmethod
    def from_json(cls, data: dict) -> Lexicon:
        def pairs(mapping):
            return {key: [(w, int(df)) for w, df in words] for key, words in mapping.items()}

        return cls(pairs(data.get("pinyin", {})), pairs(data.get("initials", {})))


def _split(token: str, mapping: dict, shortest: int) -> list[str] | None:
    """``token`` as the fewest keys of ``mapping`` run together (at most MAX_PIECES,
    each at least ``shortest`` letters long), or None."""
    if token in mapping:
        return [token] if len(token) >= shortest else None
    n = len(token)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(shortest, n + 1):
        for start in range(end - shortest + 1):
            prefix = best[start]
            if prefix is None or len(prefix) >= MAX_PIECES:
                continue
            if token[start:end] not in mapping:
                continue
            if best[end] is None or len(prefix) + 1 < len(best[end]):
                best[end] = [*prefix, token[start:end]]
    return best[n]


def _weighted(candidates: list[tuple[str, int]]) -> Piece:
    top = candidates[0][1] or 1
    kept = [(w, df) for w, df in candidates[:MAX_CANDIDATES] if df >= top * MIN_SHARE_OF_TOP]
    return tuple((word, 0.5 + 0.5 * df / top) for word, df in kept)


def build(words: Iterable[tuple[str, int]]) -> Lexicon:
    """A lexicon of ``(word, document frequency)`` pairs; only Han words of two
    characters or more are kept (a lone syllable or letter is too ambiguous)."""
    pinyin: dict[str, list[tuple[str, int]]] = {}
    initials: dict[str, list[tuple[str, int]]] = {}
    for word, df in words:
        if len(word) < 2:
            continue
        for syllables in _readings(word):
            pinyin.setdefault("".join(syllables), []).append((word, df))
            key = "".join(s[0] for s in syllables)
            if (word, df) not in initials.setdefault(key, []):
                initials[key].append((word, df))
    for mapping in (pinyin, initials):
        for candidates in mapping.values():
            candidates.sort(key=lambda pair: (-pair[1], pair[0]))
    return Lexicon(pinyin, initials)


def _readings(word: str) -> list[tuple[str, ...]]:
    """The word's reading as a word (``analysis.word_pinyin``), then the other ways its
    characters read (血 xue | xie: residents type ``xianxue`` for 献血), at most
    MAX_READINGS in all."""
    first = analysis.word_pinyin(word)
    if not first:
        return []
    readings = [first]
    for combination in itertools.product(*map(_character_readings, word)):
        if len(readings) >= MAX_READINGS:
            break
        if combination not in readings:
            readings.append(combination)
    return readings


@functools.lru_cache(maxsize=16384)
def _character_readings(character: str) -> tuple[str, ...]:
    pypinyin = analysis._pinyin()
    readings = pypinyin.pinyin(character, heteronym=True, style=pypinyin.Style.NORMAL)[0]
    return tuple(dict.fromkeys(r.replace("ü", "v") for r in readings))


def from_reader(reader) -> Lexicon:
    """The lexicon of an open index reader's ``text`` field."""
    if "text" not in reader.indexed_field_names():
        return Lexicon()
    return build((_text(term), info.doc_frequency()) for term, info in reader.iter_field("text"))


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def write(generation: Path, lexicon: Lexicon) -> None:
    """Store the lexicon of a generation (written to a temporary name, then renamed)."""
    path = generation / LEXICON_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def stored(generation: Path) -> Lexicon | None:
    """The lexicon written with a generation at its rebuild, or None."""
    path = generation / LEXICON_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load(str(path), stamp)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int) -> Lexicon:
    # Shared by the threads of a process; keyed by mtime in case a file is replaced.
    return Lexicon.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
