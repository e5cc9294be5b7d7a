"""Remove the pinyin artifacts left by a faulty Simplified→Traditional converter.

The source article came through a converter that annotated some characters with their reading:
``學(xué)黨史``, ``節(jié)目``, ``據(jù)了解``. An artifact is a Han character immediately
followed by an ASCII- or full-width-parenthesized single pinyin syllable that carries a tone
mark; the parenthesis goes, the character stays. Nothing else changes: ``心(所、站)``, ``(2022)``,
``（毫米汞柱）`` or a toneless ``(abc)`` are ordinary text.
"""

from __future__ import annotations

import re

_TONE_MARKED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

# A syllable is at most six letters (``zhuàng``, ``shuāng``); the tone mark is checked in _keep.
_ARTIFACT = re.compile(
    rf"(?P<han>[{_HAN}])"
    rf"(?:\((?P<ascii>[a-zü{_TONE_MARKED}]{{1,6}})\)|（(?P<wide>[a-zü{_TONE_MARKED}]{{1,6}})）)"
)


def _is_syllable(letters: str) -> bool:
    return any(letter in _TONE_MARKED for letter in letters)


def _keep_han(match: re.Match[str]) -> str:
    letters = match.group("ascii") or match.group("wide")
    return match.group("han") if _is_syllable(letters) else match.group(0)


def strip_pinyin_artifacts(text: str) -> str:
    """Return ``text`` without ``字(zì)``-style annotations; everything else is kept as is."""
    return _ARTIFACT.sub(_keep_han, text)


def find_pinyin_artifacts(text: str) -> list[str]:
    """List the artifacts ``strip_pinyin_artifacts`` would remove, e.g. ``["學(xué)", ...]``."""
    return [
        match.group(0)
        for match in _ARTIFACT.finditer(text)
        if _is_syllable(match.group("ascii") or match.group("wide"))
    ]
