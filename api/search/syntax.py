"""The search syntax, parsed once and compiled for each engine.

    godkende sygefravær     both words (all must match)
    "exact phrase"          the words in this order, side by side
    -excluded               not this word (or -"phrase")
    udskudt OR udsat        either side
    sygefravær*             words starting so (sygefraværet, sygefraværstal)

Words are normalised like the indexed text (api.search.normalise), so either engine gets
the same lemmas. Nothing the user types reaches SQL except as lemmas made of letters and
digits, quoted for the engine: no injection, and bad syntax is a SearchSyntaxError.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from api.search.normalise import WORD, lemma

MAX_TERMS = 32
# Characters that are operators in other search syntaxes; here they would only surprise.
_UNSUPPORTED = set("(){}[]^+|&~<>=\\")
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')


class SearchSyntaxError(ValueError):
    """The query cannot be searched; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """Lemmas side by side; the last may be a prefix. One word is a phrase of one.
    ``forms`` are the words as typed, case-folded: snippets look for them first."""

    lemmas: tuple[str, ...]
    prefix: bool = False
    forms: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Group:
    """All of ``include`` and none of ``exclude``."""

    include: tuple[Phrase, ...]
    exclude: tuple[Phrase, ...]


@dataclass(frozen=True, slots=True)
class Query:
    """Any one of the groups."""

    groups: tuple[Group, ...]

    def lemmas(self) -> frozenset[str]:
        """Lemmas that a match contains (for marking snippets)."""
        return frozenset(
            word
            for group in self.groups
            for phrase in group.include
            for word in (phrase.lemmas[:-1] if phrase.prefix else phrase.lemmas)
        )

    def forms(self) -> frozenset[str]:
        """The included words as typed, case-folded."""
        return frozenset(
            form for group in self.groups for phrase in group.include for form in phrase.forms
        )

    def prefixes(self) -> frozenset[str]:
        return frozenset(
            phrase.lemmas[-1] for group in self.groups for phrase in group.include if phrase.prefix
        )

    def to_fts5(self) -> str:
        """An SQLite FTS5 MATCH expression."""
        return " OR ".join(f"({_fts5_group(group)})" for group in self.groups)

    def to_tsquery(self) -> str:
        """A PostgreSQL tsquery in its input syntax (no parser or locale involved)."""
        return " | ".join(f"({_tsquery_group(group)})" for group in self.groups)


MAX_QUERY_CHARACTERS = 500  # a search, as both APIs take it
MAX_WORD_CHARACTERS = 100  # Danish compounds run long; no word runs this long


def parse_query(text: str) -> Query:
    if len(text) > MAX_QUERY_CHARACTERS:
        raise SearchSyntaxError(
            f"the search has {len(text):,} characters; at most {MAX_QUERY_CHARACTERS}"
        )
    if "\x00" in text:
        raise SearchSyntaxError("the search holds a NUL character")
    if '"' in text and text.count('"') % 2:
        raise SearchSyntaxError('unbalanced quote: close every "phrase"')
    odd = sorted(set(text) & _UNSUPPORTED)
    if odd:
        shown = " ".join(odd)
        raise SearchSyntaxError(
            f'unsupported character(s) {shown}: use words, "phrases", -excluded, OR and prefix*'
        )
    groups: list[Group] = []
    include: list[Phrase] = []
    exclude: list[Phrase] = []
    expect_term = True  # after OR, or at the start
    for raw in _TOKEN.findall(unicodedata.normalize("NFC", text)):
        if raw == "OR":
            if expect_term:
                raise SearchSyntaxError("OR needs a search term on each side")
            groups.append(_group(include, exclude))
            include, exclude, expect_term = [], [], True
            continue
        negated = raw.startswith("-")
        body = raw[1:] if negated else raw
        longest = max(map(len, body.split()), default=0)
        if longest > MAX_WORD_CHARACTERS:
            raise SearchSyntaxError(
                f"a word of {longest:,} characters; words of at most {MAX_WORD_CHARACTERS}"
            )
        phrase = _phrase(body, raw)
        if phrase is None:
            continue  # punctuation alone, e.g. a dash between words
        (exclude if negated else include).append(phrase)
        expect_term = False
    if expect_term and groups:
        raise SearchSyntaxError("OR needs a search term on each side")
    groups.append(_group(include, exclude))
    if sum(len(g.include) + len(g.exclude) for g in groups) > MAX_TERMS:
        raise SearchSyntaxError(f"at most {MAX_TERMS} search terms")
    return Query(tuple(groups))


def _phrase(body: str, raw: str) -> Phrase | None:
    quoted = body.startswith('"')
    if quoted:
        body = body.strip('"')
    prefix = body.endswith("*") and not quoted
    if prefix:
        body = body[:-1]
    if "*" in body:
        raise SearchSyntaxError(f"{raw!r}: * only ends a word, as in sygefravær*")
    words = WORD.findall(body)
    if not words:
        if quoted or prefix:
            raise SearchSyntaxError(f"{raw!r} has no word to search for")
        return None
    lemmas = [lemma(w) for w in words]
    forms = tuple(unicodedata.normalize("NFC", w).casefold() for w in words)
    if prefix:
        # A prefix is matched against indexed lemmas as typed: its own lemma could be
        # another word altogether.
        lemmas[-1] = forms[-1]
    return Phrase(tuple(lemmas), prefix, forms)


def _group(include: list[Phrase], exclude: list[Phrase]) -> Group:
    if not include:
        if exclude:
            raise SearchSyntaxError("search for at least one word that is not excluded")
        raise SearchSyntaxError("search for at least one word")
    return Group(tuple(include), tuple(exclude))


def _fts5_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.lemmas) + '"' + ("*" if phrase.prefix else "")


def _fts5_group(group: Group) -> str:
    expression = " AND ".join(_fts5_phrase(p) for p in group.include)
    for phrase in group.exclude:
        expression = f"({expression}) NOT {_fts5_phrase(phrase)}"
    return expression


def _tsquery_phrase(phrase: Phrase) -> str:
    parts = [f"'{word}'" for word in phrase.lemmas]
    if phrase.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")"


def _tsquery_group(group: Group) -> str:
    parts = [_tsquery_phrase(p) for p in group.include]
    parts += [f"!{_tsquery_phrase(p)}" for p in group.exclude]
    return " & ".join(parts)
