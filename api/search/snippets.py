"""Snippets: a window of the original text around the first match, marked and escaped."""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence

from api.search.normalise import lemma, tokens
from api.search.syntax import Query

WINDOW = 24  # words in a snippet
CONTEXT = 4  # words shown before the first match
_NEEDLE = 4  # letters of a term that its forms are looked for by
_SPACE = re.compile(r"\s+")
# A word of the original text. Texts from PDFs may spell å as a + a combining ring: the
# marks belong to the word (lemma() composes them), where the index's WORD, which sees
# only composed text, would split it.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")


def snippet(texts: Sequence[str], query: Query) -> str:
    """The first text with a match, cut to WINDOW words from a little before its first
    match; words whose lemma matched are wrapped in <mark>, everything else is escaped."""
    lemmas = query.lemmas()
    prefixes = tuple(query.prefixes())

    def lemma_matches(found: str) -> bool:
        return found in lemmas or bool(prefixes and found.startswith(prefixes))

    def matches(word: str) -> bool:
        return lemma_matches(lemma(word))

    # Forms of a Danish word nearly always share their first letters with the lemma or
    # with the form the user typed (godkendt, godkendes; udsat for udsætte), so a plain
    # substring search finds the candidates in C and only they are lemmatized.
    needles = {term[:_NEEDLE] for term in (*lemmas, *prefixes, *query.forms()) if term}
    for text in texts:
        start = _first_match_by_needles(text, needles, matches)
        if start is not None:
            return _window(text, start, matches)
    # Irregular forms: the lemma of every word, in order.
    for text in texts:
        start = _first_match_by_lemmas(text, lemma_matches)
        if start is not None:
            return _window(text, start, matches)
    # No original word matched (a prefix met only a lemma): the start of the first text.
    for text in texts:
        if _WORD.search(text):
            return _window(text, 0, lambda _: False)
    return ""


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
        word = _WORD.match(text, start)
        if word is not None and matches(word.group()):
            return start
    return None


def _occurrences(text: str, needle: str) -> list[int]:
    found, position = [], text.find(needle)
    while position >= 0:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def _first_match_by_lemmas(text: str, lemma_matches: Callable[[str], bool]) -> int | None:
    if unicodedata.is_normalized("NFC", text):
        # tokens() looks every word up in C. On composed text its words are these words,
        # unless case folding split one (İ folds to i and a combining dot): checked.
        index = next((i for i, found in enumerate(tokens(text)) if lemma_matches(found)), None)
        if index is None:
            return None
        word = next(itertools.islice(_WORD.finditer(text), index, None), None)
        if word is not None and lemma_matches(lemma(word.group())):
            return word.start()
    for word in _WORD.finditer(text):
        if lemma_matches(lemma(word.group())):
            return word.start()
    return None


def _window(text: str, start: int, marked: Callable[[str], bool]) -> str:
    """WINDOW words of ``text`` from CONTEXT words before ``start``."""
    before: deque[re.Match[str]] = deque(maxlen=CONTEXT)
    begin = max(0, start - 40 * CONTEXT)
    while 0 < begin < start and text[begin - 1].isalnum():  # not from inside a word
        begin += 1
    for word in _WORD.finditer(text, begin, start):
        before.append(word)
    after = itertools.islice(_WORD.finditer(text, start), WINDOW - len(before))
    return _render(text, [*before, *after], marked)


def _render(text: str, window: list[re.Match[str]], marked: Callable[[str], bool]) -> str:
    # The text's own punctuation before its first word and after its last stays; a
    # window inside the text is cut at words and shows … for what it leaves out.
    start, end = window[0].start(), window[-1].end()
    cut_before = _WORD.search(text, 0, start) is not None
    cut_after = _WORD.search(text, end) is not None
    start = start if cut_before else 0
    end = end if cut_after else len(text)
    pieces = ["…" if cut_before else ""]
    cursor = start
    for word in window:
        if marked(word.group()):
            pieces.append(html.escape(text[cursor : word.start()]))
            pieces.append(f"<mark>{html.escape(word.group())}</mark>")
            cursor = word.end()
    pieces.append(html.escape(text[cursor:end]))
    if cut_after:
        pieces.append("…")
    return _SPACE.sub(" ", "".join(pieces)).strip()
