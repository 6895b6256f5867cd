"""Where the test data lives."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden"
FIXTURES = ROOT / "tests" / "fixtures"
# Openings of other municipalities' published minutes, with a README of what they show.
REAL_MINUTES = ROOT / "tests" / "real_minutes"
# Texts labelled by hand, to measure a classifier against.
LABELLED = ROOT / "tests" / "labels"


def seed_goldens() -> list[Path]:
    """The seeds' golden files: the records the test renderers print as agenda systems do."""
    return sorted(GOLDEN / f"{seed.stem}.json" for seed in SEEDS.glob("*.txt"))
