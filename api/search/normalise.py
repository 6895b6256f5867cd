"""Words to lemmas: the one normalisation that both engines index and every query uses.

A word is a run of letters and digits (underscores and hyphens separate words, as they
do in SQLite FTS5's and PostgreSQL's own tokenizers). Each is case-folded, keeping æ, ø
and å, and lemmatized with simplemma's Danish data, so that godkende, godkendt,
godkendes, godkendte and godkender all become "godkende".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import simplemma

WORD = re.compile(r"[^\W_]+")


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` with their positions, for snippets."""
    return WORD.finditer(text)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lemma of one word; cached, because minutes repeat their words a lot."""
    folded = unicodedata.normalize("NFC", word).casefold()
    found = simplemma.lemmatize(folded, lang="da").casefold()
    # A lemma is indexed as one token on both engines, so it must stay one word.
    parts = WORD.findall(found)
    return parts[0] if len(parts) == 1 else folded


def tokens(text: str) -> list[str]:
    """The lemmas of every word of ``text``, in order."""
    return [lemma(word) for word in WORD.findall(unicodedata.normalize("NFC", text))]
