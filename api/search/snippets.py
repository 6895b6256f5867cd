"""Snippets: a window of the original text around the first match, marked and escaped."""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Collection

from api.search.normalise import WORD, lemma, words

WINDOW = 24  # words in a snippet
CONTEXT = 4  # words shown before the first match
_SPACE = re.compile(r"\s+")


def snippet(texts: list[str], lemmas: Collection[str], prefixes: Collection[str]) -> str:
    """The first text with a match, cut to WINDOW words from a little before its first
    match; words whose lemma matched are wrapped in <mark>, everything else is escaped."""
    prefixes = tuple(prefixes)

    def matches(word: str) -> bool:
        found = lemma(word)
        return found in lemmas or bool(prefixes and found.startswith(prefixes))

    # Forms of a Danish word nearly always share its first letters (godkendt, godkendes;
    # udskudt, udskyde), so a plain substring search finds the candidates in C and only
    # they are lemmatized. Irregular forms fall through to reading every word.
    needles = {term[:_NEEDLE] for term in (*lemmas, *prefixes) if term}
    for text in texts:
        start = _first_match_by_needles(text, needles, matches)
        if start is not None:
            return _window(text, start, matches)
    for text in texts:
        for word in words(text):
            if matches(word.group()):
                return _window(text, word.start(), matches)
    # No original word matched (a prefix met only a lemma): the start of the first text.
    for text in texts:
        if WORD.search(text):
            return _window(text, 0, lambda _: False)
    return ""


_NEEDLE = 4


def _first_match_by_needles(
    text: str, needles: set[str], matches: Callable[[str], bool]
) -> int | None:
    lowered = text.lower()
    if len(lowered) != len(text):  # positions would not line up; read every word instead
        return None
    candidates = sorted(
        position for needle in needles for position in _occurrences(lowered, needle)
    )
    for position in candidates:
        start = position
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        word = WORD.match(text, start)
        if word is not None and matches(word.group()):
            return start
    return None


def _occurrences(text: str, needle: str) -> list[int]:
    found, position = [], text.find(needle)
    while position >= 0:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def _window(text: str, start: int, marked: Callable[[str], bool]) -> str:
    """WINDOW words of ``text`` from CONTEXT words before ``start``."""
    before: deque[re.Match[str]] = deque(maxlen=CONTEXT)
    begin = max(0, start - 40 * CONTEXT)
    while 0 < begin < start and text[begin - 1].isalnum():  # not from inside a word
        begin += 1
    for word in WORD.finditer(text, begin, start):
        before.append(word)
    after = [
        w for _, w in zip(range(WINDOW - len(before)), WORD.finditer(text, start), strict=False)
    ]
    return _render(text, [*before, *after], marked)


def _render(text: str, window: list[re.Match[str]], marked: Callable[[str], bool]) -> str:
    start, end = window[0].start(), window[-1].end()
    pieces = ["…" if WORD.search(text, 0, start) else ""]
    cursor = start
    for word in window:
        if marked(word.group()):
            pieces.append(html.escape(text[cursor : word.start()]))
            pieces.append(f"<mark>{html.escape(word.group())}</mark>")
            cursor = word.end()
    pieces.append(html.escape(text[cursor:end]))
    if WORD.search(text, end):
        pieces.append("…")
    return _SPACE.sub(" ", "".join(pieces)).strip()
