"""The documented Danish rules for a decision's outcome."""

import pytest

from api.loaders.outcome import classify_outcome
from api.loaders.records import DecisionOutcome as O


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Godkendt.", O.APPROVED),
        ("Direktionen godkender begge indstillinger.", O.APPROVED),
        ("Projektgrundlaget godkendes, dog med en opfordring.", O.APPROVED),
        ("Direktionen godkendte sagens indstillingspunkter.", O.APPROVED),
        ("Indstillingen tiltrådt.", O.APPROVED),
        ("Sofie deltog, hvor de nikkede til sagen med en bemærkning.", O.APPROVED),
        ("Tager sagen til efterretning og godkender sag til ØU.", O.APPROVED),
        ("Indstillingen blev ikke godkendt.", O.REJECTED),
        ("Forslaget godkendes ikke.", O.REJECTED),
        ("Ansøgningen afvises.", O.REJECTED),
        ("Udskudt.", O.POSTPONED),
        ("Udsat.", O.POSTPONED),
        ("Punktet blev udsat til næste møde.", O.POSTPONED),
        ("Sagen udsættes.", O.POSTPONED),
        ("Sagen skal drøftes i chefforum inden direktionen træffer beslutning.", O.REFERRED),
        ("Der udarbejdes politisk sag med indstilling.", O.REFERRED),
        ("Sagen oversendes til budgetforhandlingerne.", O.REFERRED),
        ("Taget til efterretning.", O.NOTED),
        ("Direktionen tager tal om personale til efterretning.", O.NOTED),
        ("Direktionen drøftede strategibrevet.", O.DISCUSSED),
        ("Kommende pressesager blev drøftet.", O.DISCUSSED),
        ("Program og workshops blev gennemgået.", O.DISCUSSED),
        ("Der nedsættes en arbejdsgruppe.", O.OTHER),
        # Not outcomes: a later approval, vulnerable areas, exposure.
        ("Sagen sendes til godkendelse hos borgmesteren.", O.OTHER),
        ("Indsatsen rettes mod et udsat boligområde.", O.OTHER),
        ("Børn, der udsættes for vold, prioriteres.", O.OTHER),
    ],
)
def test_outcome(text: str, outcome: O) -> None:
    assert classify_outcome(text) is outcome
