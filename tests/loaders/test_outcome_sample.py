"""The outcome classifier measured on real decision texts labelled by hand.

tests/labels/decision_outcomes.json holds every distinct decision text of the seeds
and of tests/real_minutes, each with the outcome a reader gave it (labelled by reading,
without the classifier) and the words that decided it. The README prints the confusion
matrix; this test computes it again, so that the table cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from api.loaders.outcome import classify_outcome
from api.loaders.records import DecisionOutcome
from tests.paths import LABELLED, ROOT

SAMPLE = json.loads((LABELLED / "decision_outcomes.json").read_text(encoding="utf-8"))
LABELS = [outcome.value for outcome in DecisionOutcome]


def confusion() -> Counter[tuple[str, str]]:
    return Counter((e["outcome"], classify_outcome(e["text"]).value) for e in SAMPLE)


def test_the_sample_is_real_distinct_and_labelled() -> None:
    assert len(SAMPLE) >= 40
    assert len({e["text"] for e in SAMPLE}) == len(SAMPLE)
    assert {e["outcome"] for e in SAMPLE} <= set(LABELS)
    assert all(e["source"].startswith(("seeds/", "real-minutes/")) and e["why"] for e in SAMPLE)


def test_the_readme_prints_the_measured_confusion_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- outcome-matrix -->")[1]
    printed = {
        (row, column): int(count)
        for line in table.strip().splitlines()[2:]
        for row, *counts in [[cell.strip() for cell in line.strip("|").split("|")]]
        for column, count in zip(LABELS, counts, strict=False)
    }
    measured = confusion()
    assert printed == {(row, column): measured[row, column] for row in LABELS for column in LABELS}
    correct = sum(measured[label, label] for label in LABELS)
    assert re.search(rf"{correct} of {len(SAMPLE)} texts", readme)


def test_the_classifier_agrees_with_the_readers_on_nearly_all() -> None:
    measured = confusion()
    assert sum(measured[label, label] for label in LABELS) / len(SAMPLE) >= 0.95
