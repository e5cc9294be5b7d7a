"""HTML snippets with ``<mark>``-highlighted query terms.

The snippet is cut from the stored text as written (Traditional stays Traditional), but
terms are found in its normalised form (width, case and script folded, as the index
sees it) through an offset map, so the query 写春联 marks 寫春聯.  Everything except
the ``<mark>`` tags is HTML-escaped.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable

from . import analysis

SNIPPET_CHARS = 100
ELLIPSIS = "…"


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index it came from."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) == len(text):
        # The usual case (full-width punctuation and letters map one to one): the
        # whole-string conversion keeps positions.
        origins = list(range(len(text)))
    else:
        pieces: list[str] = []
        origins = []
        for index, char in enumerate(text):
            piece = unicodedata.normalize("NFKC", char).casefold()
            pieces.append(piece)
            origins.extend([index] * len(piece))
        folded = "".join(pieces)
    converter = analysis._opencc()
    converted = converter.convert(folded)
    if len(converted) != len(folded):
        # A phrase conversion changed the length: convert character by character,
        # keeping any character whose conversion is not one character long.
        converted = "".join(c2 if len(c2 := converter.convert(c)) == 1 else c for c in folded)
    return converted, origins


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """Return an HTML fragment of ``text`` of about ``width`` characters.

    The window holding the most distinct ``terms`` (normalised strings) is chosen and
    each occurrence is wrapped in ``<mark>``; without any occurrence the start of the
    text is returned.  ``…`` marks a cut.  All text is escaped.
    """
    if not text:
        return ""
    normalized, origins = _normalized_with_offsets(text)
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(normalized)
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = normalized.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(term)
                spans.append((origins[start], origins[end - 1] + 1, term))
            start = normalized.find(term, end)
    spans.sort()
    window_start = _best_window(spans, len(text), width)
    window_end = min(len(text), window_start + width)
    out = [ELLIPSIS] if window_start > 0 else []
    position = window_start
    for start, end, _term in spans:
        if start < window_start or end > window_end:
            continue
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:window_end]))
    if window_end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)


def _best_window(spans: list[tuple[int, int, str]], length: int, width: int) -> int:
    if not spans or length <= width:
        return 0
    best_start, best_key = 0, (-1, -1)
    for anchor, _end, _term in spans:
        start = max(0, min(anchor - width // 5, length - width))
        inside = [s for s in spans if s[0] >= start and s[1] <= start + width]
        key = (len({s[2] for s in inside}), len(inside))
        if key > best_key:
            best_start, best_key = start, key
    return best_start
