"""Scale: an archive of N synthetic meetings in PostgreSQL, and what reading it then costs.

Ingests a synthetic corpus (bench/corpus.py) into a fresh, migrated PostgreSQL database
with ``referat ingest``, as a user would, and reports the ingest time, its rate beside
parsing alone (every core, no database; measured in the same run on a sample of the
corpus), peak RSS and the database's size. Then, through the ASGI app, the p50 and p95
of a search (bench/search.py's queries), a meeting page (``meeting(id:)`` with its items
and their decisions) and ``stats``, beside a trivial request (``{ bodies { id } }``).
Last, the linear projection of the ingest time and the database's size to all of
Denmark, about 270,000 meetings. The figures also go to bench/results/<date>-scale.md.

    python bench/scale.py --meetings 100000          # minutes; make bench-scale
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.migrations import upgrade  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.corpus import ORGANIZATION  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from bench.ingest import MEASURE, REFERAT, _corpus, _fresh_database, _parse_rate  # noqa: E402
from bench.search import QUERIES, SEARCH  # noqa: E402

DENMARK = 270_000  # meetings: 98 municipalities and 5 regions, ten years, all bodies
PEER = "{ bodies { id } }"
MEETING = """query($id: ID!) { meeting(id: $id) {
  id title date startsAt location body { name } participants { person { name } role }
  agendaItems { id number title caseNumber isClosed decisions { date text outcome } }
} }"""
STATS = """{ stats {
  meetingCount agendaItemCount decisionCount
  decisionsByOutcome { outcome count } meetingsByYear { year count }
  busiestCases { count case { number } }
} }"""
PARSE_SAMPLE = 2000  # meetings parsed alone for the peer rate


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", type=int, default=100_000)
    options.add_argument("--repeat", type=int, default=20, help="requests of each kind")
    options.add_argument("--corpus", type=Path, help="reuse or create the corpus here")
    options.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    options.add_argument(
        "--existing",
        metavar="URL",
        help="measure the requests on this PostgreSQL database, ingested before (no ingest)",
    )
    args = options.parse_args()
    if args.existing:
        _existing(args.existing, args.repeat, args.results)
        return
    with tempfile.TemporaryDirectory(prefix="referat-scale-") as scratch:
        corpus = args.corpus or Path(scratch) / "corpus"
        started = time.perf_counter()
        files = _corpus(corpus, args.meetings)
        size = sum(p.stat().st_size for p in files)
        print(
            f"scale: {len(files)} meetings, {size / 1e6:.0f} MB "
            f"(corpus made in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        load_before = os.getloadavg()
        parse = _parse_rate(files[:PARSE_SAMPLE])
        print(f"{'parse only (peer)':24} {parse:8.0f} meetings/s", flush=True)
        url, drop = _fresh_database("postgresql", Path(scratch))
        try:
            upgrade(url)
            ingest = _ingest(url, corpus, len(files))
            print(
                f"{'ingest postgresql':24} {ingest['rate']:8.0f} meetings/s   "
                f"{ingest['seconds']:.0f} s   peak RSS {ingest['rss_mb']:.0f} MB   "
                f"database {ingest['database_mb']:.0f} MB   {ingest['rate'] / parse:.2f}x the peer",
                flush=True,
            )
            latencies = asyncio.run(_latencies(url, args.repeat))
        finally:
            drop()
        load_after = os.getloadavg()
    rows = _rows(latencies)
    for name, (p50, p95) in rows.items():
        print(f"{name:24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    factor = DENMARK / len(files)
    projection = (
        f"{DENMARK:,} meetings (all of Denmark), linearly: ingest "
        f"{ingest['seconds'] * factor / 60:.0f} min, "
        f"database {ingest['database_mb'] * factor / 1e3:.1f} GB"
    )
    print(projection)
    what = f"postgresql, {len(files)} meetings"
    peer50 = rows["trivial request (peer)"][0]
    record(
        Figure("scale", f"{what}, ingest", ingest["rate"], "meetings/s", parse, "parse only"),
        *(
            Figure("scale", f"{what}, {name} p50", p50, "ms", peer50, PEER, False)
            for name, (p50, _) in rows.items()
            if "peer" not in name
        ),
    )
    facts = [
        f"{len(files):,} synthetic meetings (bench/corpus.py), {size / 1e6:,.0f} MB of text, "
        "ingested by `referat ingest` into a fresh database",
        _load(load_before, load_after),
    ]
    ingested = [
        f"| ingest | {ingest['rate']:,.0f} meetings/s ({ingest['seconds']:,.0f} s) | "
        f"parse only {parse:,.0f} meetings/s ({min(len(files), PARSE_SAMPLE):,} meetings) | "
        f"{ingest['rate'] / parse:.2f} |",
        f"| ingest peak RSS | {ingest['rss_mb']:,.0f} MB | | |",
        f"| database size | {ingest['database_mb']:,.0f} MB | | |",
    ]
    target = _write(args.results, facts, ingested, rows, projection, args.repeat)
    print(f"written to {target}")


def _existing(url: str, repeat: int, results: Path) -> None:
    """The requests' figures on a database ingested before, at whatever size it has."""
    load_before = os.getloadavg()
    meetings, database_mb = _size(url)
    print(f"scale: {meetings} meetings ingested before, database {database_mb:.0f} MB")
    rows = _rows(asyncio.run(_latencies(url, repeat)))
    for name, (p50, p95) in rows.items():
        print(f"{name:24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    projection = (
        f"{DENMARK:,} meetings (all of Denmark), linearly: "
        f"database {database_mb * DENMARK / max(meetings, 1) / 1e3:.1f} GB"
    )
    print(projection)
    facts = [
        f"{meetings:,} meetings, ingested before this run (its ingest not measured here)",
        _load(load_before, os.getloadavg()),
    ]
    sized = [f"| database size | {database_mb:,.0f} MB | | |"]
    print(f"written to {_write(results, facts, sized, rows, projection, repeat)}")


def _size(url: str) -> tuple[int, float]:
    """Meetings stored, and the database's size in MB."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM meetings").scalar_one()
            database = connection.exec_driver_sql(
                "SELECT pg_database_size(current_database())"
            ).scalar_one()
    finally:
        engine.dispose()
    return int(count), database / 1e6


def _load(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    return (
        f"load average {before[0]:.1f} when the run began, {after[0]:.1f} when it ended "
        "(the machine is shared: other work ran beside it)"
    )


def _ingest(url: str, corpus: Path, expected: int) -> dict[str, float]:
    command = [sys.executable, "-c", MEASURE, str(REFERAT), "ingest", str(corpus)]
    command += ["--organization", ORGANIZATION]
    start = time.perf_counter()
    done = subprocess.run(
        command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - start
    returncode, peak = map(int, done.stdout.split())
    if returncode != 0:
        raise SystemExit(f"referat ingest failed: {done.stderr}")
    count, database_mb = _size(url)
    if count != expected:
        raise SystemExit(f"{count} meetings stored, {expected} expected")
    return {
        "seconds": seconds,
        "rate": count / seconds,
        "rss_mb": peak / 1024,
        "database_mb": database_mb,
    }


async def _latencies(url: str, repeat: int) -> dict[str, list[float]]:
    """Milliseconds of each request, by kind; the meetings are drawn at random."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            meetings = list(connection.exec_driver_sql("SELECT id FROM meetings").scalars())
    finally:
        engine.dispose()
    pick = random.Random(2007)
    app = create_app(Settings(database_url=url))
    times: dict[str, list[float]] = {
        "search": [], "meeting page": [], "stats": [], "trivial request (peer)": [],
    }  # fmt: skip
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await _timed(client, STATS, {})  # warm-up: connections, caches
            await _timed(client, SEARCH, {"q": QUERIES[0]})
            for round_ in range(repeat):
                times["search"].append(
                    await _timed(client, SEARCH, {"q": QUERIES[round_ % len(QUERIES)]})
                )
                times["meeting page"].append(
                    await _timed(client, MEETING, {"id": pick.choice(meetings)})
                )
                times["stats"].append(await _timed(client, STATS, {}))
                times["trivial request (peer)"].append(await _timed(client, PEER, {}))
    return times


async def _timed(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> float:
    start = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = (time.perf_counter() - start) * 1000
    body = response.json()
    if "errors" in body or not body.get("data"):
        raise SystemExit(f"request failed: {body}")
    return elapsed


def _rows(latencies: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    rows = {}
    for name, values in latencies.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        rows[name] = (statistics.median(ordered), p95)
    return rows


def _write(
    results: Path,
    facts: list[str],
    figures: list[str],
    rows: dict[str, tuple[float, float]],
    projection: str,
    repeat: int,
) -> Path:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    ) if Path("/proc/cpuinfo").exists() else platform.processor()  # fmt: skip
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        "# Referat at scale (PostgreSQL)",
        "",
        *(f"- {fact}" for fact in facts),
        f"- {cpu}, {os.cpu_count()} cores, {platform.platform()}; Python "
        f"{platform.python_version()}; {postgres} (server on this machine)",
        f"- requests through the ASGI app, one at a time, {repeat} of each kind",
        "",
        "| figure | value | peer | ratio |",
        "|---|---:|---:|---:|",
        *figures,
    ]
    peer50 = rows["trivial request (peer)"][0]
    for name, (p50, p95) in rows.items():
        ratio = "" if "peer" in name else f"{p50 / peer50:.1f}"
        lines.append(
            f"| {name} p50 / p95 | {p50:,.1f} / {p95:,.1f} ms | {peer50:.1f} ms | {ratio} |"
        )
    lines += ["", f"Projection to {projection}.", ""]
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"{dt.date.today().isoformat()}-scale.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


if __name__ == "__main__":
    main()
