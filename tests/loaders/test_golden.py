"""Every seed, and every real document of another municipality, parses to its
hand-reviewed golden JSON.

Regenerate after a deliberate parser change with ``REFERAT_UPDATE_GOLDEN=1 pytest`` and
review the diff line by line against the source document before committing it.
"""

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from api.loaders import minutes_to_json, parse_minutes, read_document
from tests.paths import GOLDEN, REAL_MINUTES, SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))
REAL_FILES = sorted(REAL_MINUTES.glob("*.txt"))


def test_every_document_has_a_golden_file_and_no_golden_is_orphaned() -> None:
    assert SEED_FILES and REAL_FILES, "no documents found"
    documents = {p.stem for p in SEED_FILES + REAL_FILES}
    assert documents == {p.stem for p in GOLDEN.glob("*.json")}


@pytest.mark.parametrize("document", SEED_FILES + REAL_FILES, ids=lambda p: p.stem)
def test_document_parses_to_its_golden_json(document: Path) -> None:
    folder = "seeds" if document.parent == SEEDS else "real-minutes"
    minutes = parse_minutes(read_document(document), source=f"{folder}/{document.name}")
    actual = minutes_to_json(minutes)
    golden = GOLDEN / f"{document.stem}.json"
    if os.environ.get("REFERAT_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_seeds_parse_without_warnings(seed: Path) -> None:
    minutes = parse_minutes(read_document(seed), source=seed.name)
    assert minutes.warnings == ()


_WORD = re.compile(r"\w+")
_STRUCTURAL = re.compile(
    r"^(Punkt \d+:.*|Baggrund|Indstilling|Sagsfremstilling|Økonomi|Bilag|Afsnit uden overskrift"
    r"|Beslutning .+ den \d\d-\d\d-\d{4}|\d\d/\d+)$"
)
_TAG = re.compile(r"</?(p|ul|i|li|br)\b[^>]*>")


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_no_word_of_an_open_item_is_lost_or_doubled(seed: Path) -> None:
    """An oracle independent of the goldens: the words below the first item, minus the
    structural lines, are exactly the words of the parsed titles, texts and attachments."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    first_item = next(i for i, line in enumerate(lines) if "Punkt 1:" in line)
    source: Counter[str] = Counter()
    for line in lines[first_item:]:
        plain = line.strip().lstrip("#").replace("**", "").strip()
        if not _STRUCTURAL.match(plain) or plain.startswith("Punkt"):
            source.update(_WORD.findall(_TAG.sub(" ", plain)))
    parsed: Counter[str] = Counter()
    minutes = parse_minutes(read_document(seed), source=seed.name)
    for item in minutes.items:
        parsed.update(_WORD.findall(f"Punkt {item.number}: {item.title}"))
        for text in [s.text for s in item.sections] + [d.text for d in item.decisions]:
            parsed.update(_WORD.findall(text))
        for attachment in item.attachments:
            parsed.update(_WORD.findall(f"{attachment.title} {attachment.file_extension or ''}"))
    assert source - parsed == Counter(), "words lost"
    assert parsed - source == Counter(), "words doubled or invented"
