"""Search latency (p50, p95) on synthetic corpora, SQLite and PostgreSQL; and what the
Danish normalisation costs at ingest.

For each corpus size and engine: a fresh database, ``referat ingest`` of the corpus,
then every query of a realistic set sent through the ASGI app (GraphQL, snippets and
all), repeated. The peer in the same run is a trivial GraphQL request ({ bodies { id } }),
so the ratio shows what searching adds to a request.

    python bench/search.py --meetings 10000,100000
    python bench/search.py --existing sqlite:///big.db --per-query   # an ingested database
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.loaders import parse_minutes, read_document  # noqa: E402
from api.migrations import upgrade  # noqa: E402
from api.search.normalise import clear_cache, tokens  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.corpus import ORGANIZATION, write_corpus  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from bench.ingest import _corpus, _count_meetings, _fresh_database  # noqa: E402

QUERIES = [
    "godkende",
    "sygefravær",
    "sygefravær*",
    '"taget til efterretning"',
    "budget -2020",
    "udskudt OR udsat",
    "it strategi",
    "databeskyttelse årsrapport",
    "aula",
    "økonomi*",
]
SEARCH = "query($q: String!) { search(query: $q) { edges { node { score snippet node { id } } } } }"
PEER = "{ bodies { id } }"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", default="10000,100000")
    options.add_argument("--engines", default="sqlite,postgresql")
    options.add_argument("--repeat", type=int, default=20, help="runs of each query")
    options.add_argument("--corpora", type=Path, help="keep corpora here between runs")
    options.add_argument(
        "--existing",
        nargs="+",
        default=[],
        metavar="URL",
        help="measure latency on these already ingested databases instead (no corpus)",
    )
    options.add_argument("--per-query", action="store_true", help="p50 and p95 of each query")
    args = options.parse_args()
    for url in args.existing:
        upgrade(url)
        _report(url, _count_meetings(url), None, args.repeat, args.per_query)
    if args.existing:
        return
    with tempfile.TemporaryDirectory(prefix="referat-search-") as scratch:
        base = args.corpora or Path(scratch)
        for size in map(int, args.meetings.split(",")):
            corpus = base / f"corpus-{size}"
            files = _corpus(corpus, size) if args.corpora else write_corpus(size, corpus)
            _normalisation_cost(files[:500])
            for engine in args.engines.split(","):
                _bench(engine, corpus, size, args.repeat, Path(scratch), args.per_query)


def _normalisation_cost(files: list[Path]) -> None:
    texts = [read_document(p) for p in files]
    start = time.perf_counter()
    parsed = [parse_minutes(t, source="bench") for t in texts]
    parse = time.perf_counter() - start
    units = [
        text
        for minutes in parsed
        for item in minutes.items
        if not item.is_closed
        for text in [
            item.title,
            *(s.text for s in item.sections),
            *(d.text for d in item.decisions),
        ]
    ]
    clear_cache()
    start = time.perf_counter()
    for text in units:
        tokens(text)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    for text in units:
        tokens(text)
    warm = time.perf_counter() - start
    per = 1000 / len(files)
    record(
        Figure("search", "normalisation, cold cache", cold * per, "ms/meeting", parse * per,
               "parsing", False),
        Figure("search", "normalisation, warm cache", warm * per, "ms/meeting", parse * per,
               "parsing", False),
    )  # fmt: skip
    print(
        f"normalisation: {cold * per:.2f} ms a meeting with a cold cache, {warm * per:.2f} ms "
        f"warm; parsing takes {parse * per:.2f} ms a meeting (over {len(files)} meetings)"
    )


def _bench(
    engine: str, corpus: Path, size: int, repeat: int, scratch: Path, per_query: bool
) -> None:
    url, drop = _fresh_database(engine, scratch)
    try:
        upgrade(url)
        referat = str(Path(sys.executable).parent / "referat")
        start = time.perf_counter()
        subprocess.run(
            [referat, "ingest", "--organization", ORGANIZATION, str(corpus)],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _report(url, size, size / (time.perf_counter() - start), repeat, per_query)
    finally:
        drop()


def _report(url: str, size: int, rate: float | None, repeat: int, per_query: bool) -> None:
    engine = make_url(url).get_backend_name()
    search, peer = asyncio.run(_latencies(url, repeat))
    p50, p95 = _percentiles([ms for times in search.values() for ms in times])
    peer50, _ = _percentiles(peer)
    ingest = f"ingest {rate:.0f}/s" if rate is not None else "ingested before"
    print(
        f"search {engine:10} {size:>7} meetings ({ingest}): "
        f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms   peer p50 {peer50:.1f} ms   "
        f"{p50 / peer50:.1f}x the peer"
    )
    if per_query:
        for q, times in search.items():
            q50, q95 = _percentiles(times)
            print(f"    {q:28} p50 {q50:6.1f} ms  p95 {q95:6.1f} ms")
    what = f"{engine}, {size} meetings"
    record(
        Figure("search", f"{what}, p50", p50, "ms", peer50, "{ bodies { id } }", False),
        Figure("search", f"{what}, p95", p95, "ms", None, "", False),
    )
    if rate is not None:
        record(Figure("search", f"{what}, ingest", rate, "meetings/s"))


async def _latencies(url: str, repeat: int) -> tuple[dict[str, list[float]], list[float]]:
    """Milliseconds of each run, by query; and of the peer."""
    app = create_app(Settings(database_url=url))
    search: dict[str, list[float]] = {q: [] for q in QUERIES}
    peer: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for q in QUERIES:  # warm-up: caches, connections
                await _timed(client, SEARCH, {"q": q})
            for _ in range(repeat):
                for q in QUERIES:
                    search[q].append(await _timed(client, SEARCH, {"q": q}))
                peer.append(await _timed(client, PEER, {}))
    return search, peer


async def _timed(client: httpx.AsyncClient, query: str, variables: dict[str, str]) -> float:
    start = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = (time.perf_counter() - start) * 1000
    body = response.json()
    if "errors" in body:
        raise SystemExit(f"search failed: {body['errors']}")
    return elapsed


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


if __name__ == "__main__":
    main()
