"""The documented Danish rules for a decision's outcome."""

import pytest

from api.loaders.outcome import _NEEDLES, OUTCOME_RULES, classify_outcome
from api.loaders.records import DecisionOutcome as O

CASES = [
    ("Godkendt.", O.APPROVED),
    ("Direktionen godkender begge indstillinger.", O.APPROVED),
    ("Projektgrundlaget godkendes, dog med en opfordring.", O.APPROVED),
    ("Direktionen godkendte sagens indstillingspunkter.", O.APPROVED),
    ("Indstillingen tiltrådt.", O.APPROVED),
    ("Sofie deltog, hvor de nikkede til sagen med en bemærkning.", O.APPROVED),
    ("Tager sagen til efterretning og godkender sag til ØU.", O.APPROVED),
    ("Direktionen godkendte anbefalingerne.", O.APPROVED),
    ("Indstillingen godkendt.", O.APPROVED),
    ("Indstilling godkendes, med opmærksomhed for modellen.", O.APPROVED),
    ("Godkendt som indstillet.", O.APPROVED),
    ("Direktionen godkendte den anbefalede model.", O.APPROVED),
    ("Direktionen tilsluttede sig indstillingen.", O.APPROVED),
    ("Udvalget tilslutter sig forslaget.", O.APPROVED),
    ("Udvalget kan tilslutte sig indstillingen.", O.APPROVED),
    ("Udvalget har tilsluttet sig planen.", O.APPROVED),
    ("Godkendt. Enhedslisten kunne ikke tilslutte sig.", O.APPROVED),
    ("Indstillingen blev ikke godkendt.", O.REJECTED),
    ("Forslaget godkendes ikke.", O.REJECTED),
    ("Ansøgningen afvises.", O.REJECTED),
    ("Anbefales ikke.", O.REJECTED),
    ("Ikke anbefalet.", O.REJECTED),
    ("Forslaget kan ikke anbefales.", O.REJECTED),
    ("Indstilles ikke.", O.REJECTED),
    ("Indstilles ikke godkendt.", O.REJECTED),
    ("Anbefales.", O.RECOMMENDED),
    ("Anbefales godkendt.", O.RECOMMENDED),
    ("Anbefales som indstillet.", O.RECOMMENDED),
    ("Udvalget anbefaler indstillingen.", O.RECOMMENDED),
    ("Udvalget anbefaler, at Byrådet godkender planen.", O.RECOMMENDED),
    ("Udvalget anbefalede forslaget over for Økonomiudvalget.", O.RECOMMENDED),
    ("Anbefalet af Økonomiudvalget.", O.RECOMMENDED),
    ("Forslaget blev anbefalet.", O.RECOMMENDED),
    ("Indstilles godkendt.", O.RECOMMENDED),
    ("Økonomiudvalget, 18. september 2019, pkt. 153: Indstilles godkendt.", O.RECOMMENDED),
    ("Sagen indstilles til Byrådets godkendelse.", O.RECOMMENDED),
    ("Udvalget indstiller til Byrådet at godkende planen.", O.RECOMMENDED),
    ("Økonomiudvalget indstiller, at Kommunalbestyrelsen godkender.", O.RECOMMENDED),
    ("Forretningsudvalget indstiller til Regionsrådet at godkende aftalen.", O.RECOMMENDED),
    ("Udvalget indstiller forslaget til godkendelse.", O.RECOMMENDED),
    ("Anbefales. Et mindretal (Ø) kunne ikke anbefale indstillingen.", O.RECOMMENDED),
    ("Udskudt.", O.POSTPONED),
    ("Udsat.", O.POSTPONED),
    ("Punktet blev udsat til næste møde.", O.POSTPONED),
    ("Sagen udsættes.", O.POSTPONED),
    ("Sagen skal drøftes i chefforum inden direktionen træffer beslutning.", O.REFERRED),
    ("Der udarbejdes politisk sag med indstilling.", O.REFERRED),
    ("Sagen oversendes til budgetforhandlingerne.", O.REFERRED),
    ("Forslaget blev oversendt til Kultur- og Fritidsudvalget.", O.REFERRED),
    ("Sagen blev henvist til Økonomiudvalget.", O.REFERRED),
    ("Forslaget blev udsat til næste møde.", O.POSTPONED),
    ("Taget til efterretning.", O.NOTED),
    ("Direktionen tager tal om personale til efterretning.", O.NOTED),
    ("Direktionen drøftede strategibrevet.", O.DISCUSSED),
    ("Kommende pressesager blev drøftet.", O.DISCUSSED),
    ("Program og workshops blev gennemgået.", O.DISCUSSED),
    ("Der nedsættes en arbejdsgruppe.", O.OTHER),
    # Not outcomes: a later approval, vulnerable areas, exposure, recommendations as
    # nouns, the recommendation section, a member's dissent.
    ("Sagen sendes til godkendelse hos borgmesteren.", O.OTHER),
    ("Indsatsen rettes mod et udsat boligområde.", O.OTHER),
    ("Børn, der udsættes for vold, prioriteres.", O.OTHER),
    ("Godkendelse af anbefalinger.", O.OTHER),
    ("Arbejdsgruppens anbefaling foreligger.", O.OTHER),
    ("Se indstillingen.", O.OTHER),
    ("Som indstillet.", O.OTHER),
    ("Ø kunne ikke tilslutte sig.", O.OTHER),
    ("Venstre tilslutter sig ikke forslaget.", O.OTHER),
    ("Et mindretal (Ø) kan ikke anbefale indstillingen.", O.OTHER),
    ("Ø anbefaler ikke forslaget.", O.OTHER),
    ("Forvaltningen indstiller, at sagen afventer budgettet.", O.OTHER),
]


@pytest.mark.parametrize(("text", "outcome"), CASES)
def test_outcome(text: str, outcome: O) -> None:
    assert classify_outcome(text) is outcome


@pytest.mark.parametrize(("text", "outcome"), CASES)
def test_needles_keep_every_match(text: str, outcome: O) -> None:
    """The literal prefilter never hides a match of its rule's pattern."""
    for rule, pattern in OUTCOME_RULES:
        if pattern.search(text):
            assert any(needle in text.lower() for needle in _NEEDLES[rule]), rule
