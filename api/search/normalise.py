"""Words to lemmas: the one normalisation that both engines index and every query uses.

A word is a run of letters and digits (underscores and hyphens separate words, as they
do in SQLite FTS5's and PostgreSQL's own tokenizers). Each is case-folded, keeping æ, ø
and å, and lemmatized with simplemma's Danish data, so that godkende, godkendt,
godkendes, godkendte and godkender all become "godkende".
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import simplemma

WORD = re.compile(r"[^\W_]+")
# Every ASCII byte that is not a letter or digit, as a space: bytes.translate runs at
# memory speed, where a regex over Unicode text costs half a microsecond a word.
_ASCII_SEPARATORS = bytes(b for b in range(128) if not chr(b).isalnum())
_SEPARATE = bytes.maketrans(_ASCII_SEPARATORS, b" " * len(_ASCII_SEPARATORS))


_MAX_CACHED = 500_000
# Case-folded word -> lemma. A plain dict: looking a word up must cost next to nothing,
# since every word of every text passes through here at ingest.
_lemmas: dict[str, str] = {}


def lemma(word: str) -> str:
    """The lemma of one word; cached, because minutes repeat their words a lot."""
    folded = unicodedata.normalize("NFC", word).casefold()
    found = _lemmas.get(folded)
    return found if found is not None else _lemmatize(folded)


def _lemmatize(folded: str) -> str:
    found = simplemma.lemmatize(folded, lang="da").casefold()
    # A lemma is indexed as one token on both engines, so it must stay one word.
    parts = WORD.findall(found)
    result = parts[0] if len(parts) == 1 else folded
    if len(_lemmas) >= _MAX_CACHED:  # bound the memory of a long ingest run
        _lemmas.clear()
    _lemmas[folded] = result
    return result


def clear_cache() -> None:
    _lemmas.clear()


def split_words(text: str) -> list[str]:
    """``WORD.findall(text)``, fast: ASCII separators go in one pass over the bytes, and
    only the rare piece holding a non-ASCII separator (–, ”, …) goes through the regex."""
    pieces = text.encode().translate(_SEPARATE).decode().split()
    if all(map(str.isalnum, pieces)):
        return pieces
    words: list[str] = []
    for piece in pieces:
        if piece.isalnum():
            words.append(piece)
        else:
            words += WORD.findall(piece)
    return words


def tokens(text: str) -> list[str]:
    """The lemmas of every word of ``text``, in order."""
    words = split_words(unicodedata.normalize("NFC", text).casefold())
    # Look every word up in C; lemmatize only the words the cache has not seen.
    found = list(map(_lemmas.get, words))
    if None in found:
        found = [lemma_ or _lemmatize(word) for lemma_, word in zip(found, words, strict=True)]
    return found  # type: ignore[return-value]


def lemma_text(texts: Iterable[str]) -> str:
    """The lemmas of every word of ``texts``, space-separated: what SQLite's FTS5 indexes."""
    return " ".join(" ".join(tokens(text)) for text in texts if text)


# PostgreSQL keeps word positions up to this one; later words share it.
_MAX_POSITION = 16383


def tsvector_text(texts: Iterable[str]) -> str:
    """The tsvector of the lemmas of ``texts`` in PostgreSQL's input syntax, positions
    included, built in the pass that makes the lemmas. No parser or locale is involved,
    so PostgreSQL indexes exactly what SQLite does (``lemma_text``)."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    words = 0
    for text in texts:
        if text:
            lemmas = tokens(text)
            for position, word in enumerate(lemmas, start=words + 1):
                positions[word].append(position)
            words += len(lemmas)
    return _render(positions, words)


def tsvector_of(lemmas: Iterable[str]) -> str:
    """The tsvector of ``lemmas``, in order, in PostgreSQL's input syntax."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    words = 0
    for words, word in enumerate(lemmas, start=1):
        positions[word].append(words)
    return _render(positions, words)


def _render(positions: dict[str, list[int]], words: int) -> str:
    if words > _MAX_POSITION:  # rare: later words share the last position
        positions = {w: [min(p, _MAX_POSITION) for p in at] for w, at in positions.items()}
    return " ".join(f"'{word}':{','.join(map(str, at))}" for word, at in positions.items())


def warm() -> None:
    """Load simplemma's Danish data now (about 1.5 s), not at the first word: in a new
    worker process, before its first document, or before forking the workers."""
    simplemma.lemmatize("godkendt", lang="da")
