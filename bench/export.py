"""Export memory and speed: peak RSS and records/s of ``referat export``, SQLite and
PostgreSQL, at two archive sizes.

For each size, a synthetic corpus (bench/corpus.py) is ingested into a fresh, migrated
database with ``referat ingest``; then ``referat export --format jsonl`` and
``--format csv`` write the three files (meetings, agenda items, decisions) as a user
would. An export reads a page of meetings at a time, so its peak RSS should not grow
with the archive: the peer of each figure is the same export of the smallest size, and
a ratio near 1 is flat memory. Records are the lines of the JSON Lines files (meetings,
agenda items and decisions together), the same records the CSV files hold.

    python bench/export.py --meetings 1000,10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.migrations import upgrade  # noqa: E402
from bench.corpus import ORGANIZATION  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from bench.ingest import MEASURE, REFERAT, _corpus, _count_meetings, _fresh_database  # noqa: E402

FORMATS = ("jsonl", "csv")
NEVER = "2999-01-01T00:00:00Z"  # --since that selects no meeting: the process's own cost


@dataclass(frozen=True, slots=True)
class Run:
    engine: str
    meetings: int
    format: str
    seconds: float
    peak_mb: float
    records: int
    written_mb: float
    floor_mb: float  # peak RSS of an export that selects no meeting: the process itself

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", default="1000,10000", help="archive sizes, smallest first")
    options.add_argument("--engines", default="sqlite,postgresql")
    options.add_argument("--corpus", type=Path, help="reuse or create the corpora under here")
    options.add_argument("--results", type=Path, help="also write a markdown table here")
    args = options.parse_args()
    sizes = sorted(int(n) for n in args.meetings.split(","))
    load_before = os.getloadavg()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="referat-bench-") as scratch:
        corpora = args.corpus or Path(scratch)
        for engine in args.engines.split(","):
            for size in sizes:
                runs += _bench(engine, _corpus(corpora / f"corpus-{size}", size), Path(scratch))
    load_after = os.getloadavg()
    for run in runs:
        base = next(r for r in runs if (r.engine, r.format) == (run.engine, run.format))
        record(
            Figure("export", f"{run.engine}, {run.meetings} meetings, {run.format}, peak RSS",
                   run.peak_mb, "MB", base.peak_mb, f"{base.meetings} meetings", False),
            Figure("export", f"{run.engine}, {run.meetings} meetings, {run.format}",
                   run.records_per_second, "records/s"),
        )  # fmt: skip
    if args.results:
        print(f"written to {_write(args.results, runs, load_before, load_after)}")


def _bench(engine: str, files: list[Path], scratch: Path) -> list[Run]:
    """Ingests the corpus into a fresh database, then exports it in each format."""
    url, drop = _fresh_database(engine, scratch)
    env = {**os.environ, "DATABASE_URL": url}
    runs = []
    try:
        upgrade(url)
        start = time.perf_counter()
        ingest = [str(REFERAT), "ingest", str(files[0].parent), "--organization", ORGANIZATION]
        subprocess.run(ingest, env=env, capture_output=True, check=True)
        stored = _count_meetings(url)
        ingested = time.perf_counter() - start
        out = scratch / f"export-{engine}-{len(files)}"
        start_up, floor = _export(env, ["--format", "jsonl", "--since", NEVER, str(out)])
        print(
            f"export {engine} {stored} meetings: ingested in {ingested:.0f} s; "
            f"an export of nothing takes {start_up:.1f} s and {floor / 1024:.0f} MB "
            "(the process itself)",
            flush=True,
        )
        for format_ in FORMATS:
            seconds, peak = _export(env, ["--format", format_, str(out)])
            seconds = max(seconds - start_up, 0.01)  # tiny archives: within the noise
            written = list(out.iterdir())
            records = _records(out) if format_ == "jsonl" else runs[-1].records
            run = Run(
                engine, stored, format_, seconds, peak / 1024, records,
                sum(p.stat().st_size for p in written) / 1e6, floor / 1024,
            )  # fmt: skip
            runs.append(run)
            print(
                f"  {format_:5} {run.seconds:6.1f} s  {run.records_per_second:8,.0f} records/s  "
                f"{run.meetings / run.seconds:6,.0f} meetings/s  {run.written_mb:6.1f} MB written  "
                f"peak RSS {run.peak_mb:5.0f} MB",
                flush=True,
            )
            for path in written:
                path.unlink()
    finally:
        drop()
    return runs


def _export(env: dict[str, str], args: list[str]) -> tuple[float, int]:
    """``referat export ARGS``: its wall time and peak RSS in KiB."""
    command = [sys.executable, "-c", MEASURE, str(REFERAT), "export", *args]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    returncode, peak = map(int, done.stdout.split())
    if returncode != 0:
        raise SystemExit(f"referat export {' '.join(args)} failed")
    return seconds, peak


def _records(folder: Path) -> int:
    total = 0
    for path in folder.glob("*.jsonl"):
        with path.open("rb") as lines:
            total += sum(1 for _ in lines)
    return total


def _write(
    results: Path, runs: list[Run], before: tuple[float, ...], after: tuple[float, ...]
) -> Path:
    sizes = ",".join(str(s) for s in sorted({r.meetings for r in runs}))
    lines = [
        "# Export: memory and speed",
        "",
        f"`python bench/export.py --meetings {sizes}` on {dt.date.today().isoformat()}: "
        f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"load average {before[0]:.1f} before, {after[0]:.1f} after. Seconds: wall time of "
        "`referat export` writing all three files, less that of an export that selects no "
        "meeting (the process's start, imports and migration check, in the same run); "
        "records are meetings, agenda items and decisions together.",
        "",
        "| engine | meetings | format | seconds | records/s | meetings/s | MB written "
        "| peak RSS MB | exporting nothing, MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.engine} | {r.meetings:,} | {r.format} | {r.seconds:.1f} | "
            f"{r.records_per_second:,.0f} | {r.meetings / r.seconds:,.0f} | {r.written_mb:.1f} | "
            f"{r.peak_mb:.0f} | {r.floor_mb:.0f} |"
        )
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"{dt.date.today().isoformat()}-export.md"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    main()
