"""Snippets: a window of the original text around the matches, marked and escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Collection

from api.search.normalise import lemma, words

WINDOW = 24  # words in a snippet
_SPACE = re.compile(r"\s+")


def snippet(texts: list[str], lemmas: Collection[str], prefixes: Collection[str]) -> str:
    """The text with the most matches, cut to a window around the densest run of them;
    words whose lemma matched are wrapped in <mark>, and everything else is escaped."""

    def matches(word: str) -> bool:
        found = lemma(word)
        return found in lemmas or any(found.startswith(p) for p in prefixes)

    best_text = ""
    best_words: list[re.Match[str]] = []
    best_hits: list[bool] = []
    for text in texts:
        found = list(words(text))
        hits = [matches(w.group()) for w in found]
        if found and (not best_words or sum(hits) > sum(best_hits)):
            best_text, best_words, best_hits = text, found, hits
    if not best_words:
        return ""
    start = _densest(best_hits)
    end = min(start + WINDOW, len(best_words))
    pieces = ["…" if start > 0 else ""]
    cursor = best_words[start].start()
    for word, hit in zip(best_words[start:end], best_hits[start:end], strict=True):
        if hit:
            pieces.append(html.escape(best_text[cursor : word.start()]))
            pieces.append(f"<mark>{html.escape(word.group())}</mark>")
            cursor = word.end()
    last = best_words[end - 1].end()
    pieces.append(html.escape(best_text[cursor:last]))
    if end < len(best_words):
        pieces.append("…")
    return _SPACE.sub(" ", "".join(pieces)).strip()


def _densest(hits: list[bool]) -> int:
    """The first word of the snippet: a few words before the first hit of the window of
    WINDOW words that holds the most hits."""
    best_start, best = 0, -1
    running = sum(hits[:WINDOW])
    for start in range(max(len(hits) - WINDOW, 0) + 1):
        if start:  # slide the window one word on
            running += hits[start + WINDOW - 1] - hits[start - 1]
        if running > best:
            best_start, best = start, running
    if best <= 0:
        return 0
    first_hit = hits.index(True, best_start)
    return max(first_hit - 4, 0)
