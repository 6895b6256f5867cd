"""Figures that benchmarks hand to `bench/all.py`, which prints them in one table.

Each bench prints its own lines as well; when REFERAT_BENCH_FIGURES names a file, it also
appends one JSON line a figure there.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Figure:
    bench: str  # "parse", "ingest", "search", "graphql"
    what: str  # e.g. "postgresql 10000 meetings", "Q1 req/s"
    value: float
    unit: str
    peer: float | None = None  # the same measure for the peer, in the same run
    peer_name: str = ""
    higher_is_better: bool = True

    @property
    def ratio(self) -> float | None:
        """value ÷ peer: above 1 means more than the peer, whatever the unit."""
        return self.value / self.peer if self.peer else None


def record(*figures: Figure) -> None:
    target = os.environ.get("REFERAT_BENCH_FIGURES")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for figure in figures:
            out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")


def read(path: Path) -> list[Figure]:
    if not path.exists():
        return []
    return [Figure(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def markdown_table(figures: list[Figure]) -> str:
    lines = [
        "| bench | figure | Referat | peer | peer is | Referat ÷ peer |",
        "|---|---|---:|---:|---|---:|",
    ]
    for f in figures:
        peer = f"{f.peer:,.1f}" if f.peer is not None else ""
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
        lines.append(
            f"| {f.bench} | {f.what} | {f.value:,.1f} {f.unit} | {peer} | {f.peer_name} | {ratio} |"
        )
    return "\n".join(lines)
