"""Ingest speed and memory: meetings per second and peak RSS, SQLite and PostgreSQL.

Each run ingests a synthetic corpus (bench/corpus.py) into a fresh, migrated database
with ``referat ingest``, as a user would. The peer, measured in the same run on the same
corpus, is parsing alone (every core, no database): the ceiling the ingest could reach.
Memory is checked for flatness by also ingesting a tenth of the corpus.

    python bench/ingest.py --meetings 10000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.loaders import parse_minutes, read_document  # noqa: E402
from api.migrations import upgrade  # noqa: E402
from bench.corpus import ORGANIZATION, write_corpus, write_large_document  # noqa: E402
from bench.figures import Figure, record  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "REFERAT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REFERAT = Path(sys.executable).parent / "referat"
# Runs ``referat ingest`` as its child and reports the largest RSS of it or its workers.
MEASURE = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", type=int, default=10_000)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--engines", default="sqlite,postgresql")
    options.add_argument("--corpus", type=Path, help="reuse or create the corpus here")
    options.add_argument(
        "--large-mb", type=float, default=100, help="the large document's size (the default limit)"
    )
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="referat-bench-") as scratch:
        corpus = args.corpus or Path(scratch) / "corpus"
        small = Path(scratch) / "small"
        files = _corpus(corpus, args.meetings)
        _corpus(small, max(args.meetings // 10, 1))
        size = sum(p.stat().st_size for p in files)
        print(f"ingest: {len(files)} meetings, {size / 1e6:.0f} MB, median of {args.runs} runs")
        peer = statistics.median(_parse_rate(files) for _ in range(args.runs))
        print(f"{'parse only (peer)':24} {peer:8.0f} meetings/s")
        for engine in args.engines.split(","):
            rates, peaks, small_peaks = [], [], []
            for _ in range(args.runs):
                rate, peak = _ingest(engine, corpus, len(files), Path(scratch))
                rates.append(rate)
                peaks.append(peak)
                small_peaks.append(_ingest(engine, small, None, Path(scratch))[1])
            rate = statistics.median(rates)
            print(
                f"{'ingest ' + engine:24} {rate:8.0f} meetings/s   "
                f"peak RSS {statistics.median(peaks) / 1024:5.0f} MB "
                f"({statistics.median(small_peaks) / 1024:.0f} MB at a tenth)   "
                f"{rate / peer:.2f}x the peer"
            )
            what = f"{engine}, {len(files)} meetings"
            record(
                Figure("ingest", what, rate, "meetings/s", peer, "parse only"),
                Figure("ingest", f"{what}, peak RSS", statistics.median(peaks) / 1024, "MB",
                       statistics.median(small_peaks) / 1024, "a tenth of the corpus", False),
            )  # fmt: skip
        _large(args, Path(scratch))


def _large(args: argparse.Namespace, scratch: Path) -> None:
    """Peak RSS of ingesting one document of the largest size accepted, beside one of an
    ordinary meeting: what the document itself costs, in times its size."""
    large, ordinary = scratch / "large", scratch / "ordinary"
    large.mkdir(exist_ok=True)
    ordinary.mkdir(exist_ok=True)
    document = write_large_document(int(args.large_mb * 1e6), large / "large.txt")
    size = document.stat().st_size
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    (ordinary / "one.txt").write_bytes(seed.read_bytes())
    for engine in args.engines.split(","):
        peaks = [_ingest(engine, large, None, scratch)[1] for _ in range(args.runs)]
        bases = [_ingest(engine, ordinary, None, scratch)[1] for _ in range(args.runs)]
        peak, base = statistics.median(peaks) * 1024, statistics.median(bases) * 1024
        ratio = (peak - base) / size
        print(
            f"{'large document ' + engine:24} {size / 1e6:6.0f} MB: peak RSS {peak / 1e6:5.0f} MB, "
            f"{base / 1e6:.0f} MB for one meeting: {ratio:.1f}x its size"
        )
        record(Figure("ingest", f"{engine}, {size / 1e6:.0f} MB document, RSS over its size",
                      ratio, "x", 8.0, "the bound", False))  # fmt: skip


def _corpus(folder: Path, meetings: int) -> list[Path]:
    existing = sorted(folder.glob("*.txt")) if folder.exists() else []
    if len(existing) == meetings:
        return existing
    return write_corpus(meetings, folder)


def _parse_rate(files: list[Path]) -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor() as pool:
        for _ in pool.map(_parse, files, chunksize=64):
            pass
    return len(files) / (time.perf_counter() - start)


def _parse(path: Path) -> int:
    return len(parse_minutes(read_document(path), source=str(path)).items)


def _ingest(engine: str, corpus: Path, expected: int | None, scratch: Path) -> tuple[float, int]:
    """One ingest into a fresh database: meetings per second and peak RSS in KiB."""
    url, drop = _fresh_database(engine, scratch)
    try:
        upgrade(url)
        command = [sys.executable, "-c", MEASURE, str(REFERAT), "ingest", str(corpus)]
        command += ["--organization", ORGANIZATION]
        start = time.perf_counter()
        done = subprocess.run(
            command,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - start
        returncode, peak = map(int, done.stdout.split())
        if returncode != 0:
            raise SystemExit(f"referat ingest failed on {engine}: {done.stderr}")
        count = _count_meetings(url)
        if expected is not None and count != expected:
            raise SystemExit(f"{engine}: {count} meetings stored, {expected} expected")
        return count / elapsed, peak
    finally:
        drop()


def _count_meetings(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM meetings").scalar_one())
    finally:
        engine.dispose()


def _fresh_database(engine: str, scratch: Path) -> tuple[str, Callable[[], None]]:
    if engine == "sqlite":
        path = scratch / f"bench-{secrets.token_hex(4)}.db"

        def drop_file() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", drop_file
    name = f"referat_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop_database() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url, drop_database


if __name__ == "__main__":
    main()
