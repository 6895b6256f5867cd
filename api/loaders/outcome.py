"""Classifying a decision's Danish text into an outcome.

The rules are tried in order and the first that matches wins. The order encodes which act
dominates when a decision does several things: a rejection beats everything (it is often
phrased as a negated approval), a recommendation to the body that decides beats the
approval it recommends ("Indstilles godkendt"), an approval beats a postponement or
referral of a part, a referral to another forum beats the mere fact that the item was
discussed, and so on.
README.md documents the same table for users.
"""

from __future__ import annotations

import re

from api.loaders.records import DecisionOutcome

_W = r"(?<![\wæøå])"  # a word start: \b does not treat æ, ø, å as word characters in all cases

OUTCOME_RULES: tuple[tuple[DecisionOutcome, re.Pattern[str]], ...] = tuple(
    (outcome, re.compile(pattern, re.IGNORECASE))
    for outcome, pattern in (
        # "ikke godkendt", "godkendes ikke", "afvist", "ikke tiltrådt", "forkastet", and
        # the body's own refusal to recommend: "anbefales ikke", "ikke anbefalet",
        # "indstilles ikke" (a member's "kan ikke anbefale" is a dissent: neither rule)
        (
            DecisionOutcome.REJECTED,
            rf"{_W}(ikke\s+(godkend|tiltræd|tiltrådt|vedtag)\w*"
            rf"|godkend\w*\s+ikke|afvis(t|te|es|er|ning)|forkast(et|es|er)"
            rf"|ikke\s+anbefal(es|et)(?![\wæøå])|(anbefal|indstill)es\s+ikke)",
        ),
        # "Anbefales", "Anbefales godkendt", "Udvalget anbefaler", "anbefalet af ...",
        # "Indstilles godkendt", "indstiller til Byrådet at godkende": passed on to the
        # body that decides -- but not "anbefalinger" (a noun), "den anbefalede model",
        # a member's "kan ikke anbefale" / "anbefaler ikke", "indstillingen" nor "som
        # indstillet"
        (
            DecisionOutcome.RECOMMENDED,
            rf"{_W}((?<!ikke\s)(anbefal(e|es|er|et)|(?<!den\s)(?<!det\s)(?<!de\s)anbefalede)"
            rf"(?![\wæøå])(?!\s+ikke)"
            rf"|indstilles(?![\wæøå])"
            rf"|indstiller\W[^.]{{0,60}}?{_W}(byråd|kommunalbestyrelse|regionsråd"
            rf"|borgerrepræsentation|til\s+godkendelse))",
        ),
        # "godkendt", "godkender", "godkendes", "godkendte", "tiltrådt", "vedtaget",
        # "nikkede til sagen", "bevilget", "tilsluttede sig", "kan tilslutte sig" -- but
        # not "godkendelse", which names a later approval, nor a member's "kunne ikke
        # tilslutte sig" / "tilslutter sig ikke", a dissent
        (
            DecisionOutcome.APPROVED,
            rf"{_W}(godkend(t|te|er|es|e)?(?![\wæøå])|tiltr(ådt|æder|ædes|ådte)"
            rf"|vedt(aget|ages|og)|nikkede\s+til|bevilge[ts]?(?![\wæøå])"
            rf"|(?<!ikke\s)tilslut(te|ter|tede|tet)\s+sig(?!\s+ikke))",
        ),
        # "Udskudt.", "sagen blev udsat", "udsættes", "udskydes" -- but not "et udsat
        # boligområde" (vulnerable) nor "udsættes for" (exposed to)
        (
            DecisionOutcome.POSTPONED,
            rf"{_W}(udskudt|udskydes|udsættes(?!\s+for)"
            rf"|(sagen|punktet|behandlingen|beslutningen|forslaget)\s+(blev\s+|er\s+)?udsat)"
            rf"|^\W*udsat(?![\wæøå])",
        ),
        # "skal drøftes i chefforum", "oversendes til", "henvises til", "politisk sag",
        # "forelægges centerchefgruppen"
        (
            DecisionOutcome.REFERRED,
            rf"{_W}(drøftes\s+i|oversend(es|t)|videresend(es|t)|sendes\s+videre|henvis(es|t)"
            rf"|forelægges|politisk\s+sag|politisk\s+behandling)",
        ),
        # "taget til efterretning", "tager sagen til efterretning", "til orientering"
        (DecisionOutcome.NOTED, rf"{_W}(til\s+efterretning|til\s+orientering)"),
        # "drøftede", "blev drøftet", "gennemgået"
        (DecisionOutcome.DISCUSSED, rf"{_W}(drøft(ede|et|er|es)|gennemg(ået|ik))"),
    )
)


# Literal fragments each rule's pattern needs: a quick `in` test skips the regex when
# none of them occurs, which is most of the time.
_NEEDLES: dict[DecisionOutcome, tuple[str, ...]] = {
    DecisionOutcome.REJECTED: ("ikke", "afvis", "forkast"),
    DecisionOutcome.RECOMMENDED: ("anbefal", "indstille"),
    DecisionOutcome.APPROVED: ("godkend", "tiltr", "vedt", "nikkede", "bevilg", "tilslut"),
    DecisionOutcome.POSTPONED: ("udsk", "udsat", "udsæt"),
    DecisionOutcome.REFERRED: (
        "drøftes",
        "oversend",
        "videresend",
        "sendes",
        "henvis",
        "forelægges",
        "politisk",
    ),
    DecisionOutcome.NOTED: ("efterretning", "orientering"),
    DecisionOutcome.DISCUSSED: ("drøft", "gennemg"),
}


def classify_outcome(text: str) -> DecisionOutcome:
    folded = text.lower()
    for outcome, pattern in OUTCOME_RULES:
        if any(needle in folded for needle in _NEEDLES[outcome]) and pattern.search(text):
            return outcome
    return DecisionOutcome.OTHER
