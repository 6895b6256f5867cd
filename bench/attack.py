"""Attacks on the public endpoint: how fast each is refused, and what a cheap query sent
meanwhile by another client waits.

A synthetic archive is ingested into a fresh database, `referat serve` (one worker)
answers on a free port; for each attack, a few clients (each its own process, as other
machines would be) send it again and again while another client sends a cheap query one
at a time. The peer, measured in the same run, is
that cheap query with nothing else going on. Targets: every attack refused in < 100 ms,
and the cheap query's p99 < 100 ms while it lasts.

    python bench/attack.py                       # 1,000 meetings on PostgreSQL
    python bench/attack.py --engine sqlite --seconds 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import ORGANIZATION, write_corpus  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from bench.ingest import _fresh_database  # noqa: E402
from bench.postgraphile import REFERAT, _referat  # noqa: E402

CHEAP = {"query": "{ organizations { id name } }"}
_TEXTS = "agendaItems { title sections { text } decisions { text } }"


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes
    headers: dict[str, str]


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def attacks() -> list[Attack]:
    plain = {"content-type": "application/json"}
    aliases = " ".join(
        f"m{i}: meetings(first: 100) {{ edges {{ node {{ {_TEXTS} }} }} }}" for i in range(30)
    )
    stats = " ".join(
        f"s{i}: stats {{ decisionsByOutcome {{ count }} meetingsByYear {{ count }} "
        f"busiestCases(limit: 100) {{ count }} }}"
        for i in range(30)
    )
    deep = "{ __schema { types { " + "ofType { " * 40 + "name" + " }" * 40 + " } } }"
    return [
        Attack("30 aliases x 100 meetings with texts", _json({"query": "{ " + aliases + " }"}),
               plain),
        Attack("100 cases x 500 items with texts", _json({
            "query": "{ cases(first: 100) { edges { node { agendaItems(first: 500) "
                     "{ sections { text } } } } } }"}), plain),
        Attack("batch of 10 x 30 aliased stats", _json([{"query": "{ " + stats + " }"}] * 10),
               plain),
        Attack("10 MB search string", _json({"query": "query($q: String!) { search(query: $q) "
                                                      "{ totalCount } }",
                                             "variables": {"q": "godkendt " * 1_200_000}}), plain),
        Attack("JSON nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, plain),
        Attack("NUL in a filter", _json({"query": '{ meetings(filter: { body: "a\\u0000" }) '
                                                  "{ totalCount } }"}), plain),
        Attack("a bad variable", _json({"query": "query($d: Date) { meetings(filter: "
                                                 "{ dateFrom: $d }) { totalCount } }",
                                        "variables": {"d": "yesterday"}}), plain),
        Attack("introspection 40 levels deep", _json({"query": deep}), plain),
        Attack("several operations, no name", _json({
            "query": "query A { bodies { id } } query B { bodies { name } }"}), plain),
    ]  # fmt: skip


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _cheap_latencies(endpoint: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=60) as client:
        while True:  # one request at least, however late this thread gets to run
            started = time.perf_counter()
            response = client.post(endpoint, json=CHEAP)
            out.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            if stop.is_set():
                return


def _attacking(
    endpoint: str, attack: Attack, seconds: float, ready: Queue[Any], go: Any, out: Queue[Any]
) -> None:
    """One attacker: its own process, as another machine would be, so that its work
    never holds the measuring client's interpreter lock."""
    times: list[float] = []
    with httpx.Client(timeout=120) as client:
        ready.put(True)
        go.wait()
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            started = time.perf_counter()
            response = client.post(endpoint, content=attack.body, headers=attack.headers)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code == 500 or "INTERNAL_SERVER_ERROR" in response.text:
                out.put(f"{attack.name}: a server error: {response.text[:300]}")
                return
    out.put(times)


def measure(
    endpoint: str, attack: Attack | None, seconds: float, clients: int
) -> tuple[list[float], list[float]]:
    spawn = multiprocessing.get_context("spawn")
    ready: Queue[Any] = spawn.Queue()
    results: Queue[Any] = spawn.Queue()
    go = spawn.Event()
    attackers = [
        spawn.Process(target=_attacking, args=(endpoint, attack, seconds, ready, go, results))
        for _ in range(clients if attack is not None else 0)
    ]
    for attacker in attackers:
        attacker.start()
    for _ in attackers:
        ready.get()
    go.set()
    stop = threading.Event()
    cheap: list[float] = []
    measuring = threading.Thread(target=_cheap_latencies, args=(endpoint, stop, cheap))
    measuring.start()
    time.sleep(seconds)
    stop.set()
    measuring.join()
    refused: list[float] = []
    for _ in attackers:
        result = results.get()
        if isinstance(result, str):
            raise SystemExit(result)
        refused += result
    for attacker in attackers:
        attacker.join()
    return refused, cheap


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", type=int, default=1000)
    options.add_argument("--engine", choices=["sqlite", "postgresql"], default="postgresql")
    options.add_argument("--seconds", type=float, default=5, help="per attack")
    options.add_argument("--clients", type=int, default=3, help="sending the attack")
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="referat-attack-") as scratch:
        write_corpus(args.meetings, Path(scratch) / "corpus")
        url, drop = _fresh_database(args.engine, Path(scratch))
        try:
            _load(url, Path(scratch) / "corpus")
            with _referat(url, compiled=True) as endpoint:
                assert endpoint is not None
                measure(endpoint, None, min(args.seconds, 1), 0)  # warm up
                _, alone = measure(endpoint, None, args.seconds, 0)
                print(f"attack {args.engine} {args.meetings} meetings; cheap query alone: "
                      f"p99 {_p99(alone):.1f} ms ({len(alone)} requests)")  # fmt: skip
                print(f"{'attack':<40} {'refused in (median)':>20} {'cheap p99 meanwhile':>20}")
                for attack in attacks():
                    refused, cheap = measure(endpoint, attack, args.seconds, args.clients)
                    median = statistics.median(refused) if refused else float("nan")
                    print(f"{attack.name:<40} {median:>17.1f} ms {_p99(cheap):>17.1f} ms")
                    record(
                        Figure("attack", f"{attack.name}: refused in", median, "ms",
                               higher_is_better=False),
                        Figure("attack", f"{attack.name}: cheap p99", _p99(cheap), "ms",
                               peer=_p99(alone), peer_name="alone", higher_is_better=False),
                    )  # fmt: skip
        finally:
            drop()


def _load(url: str, corpus: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate"], ["ingest", "--organization", ORGANIZATION, str(corpus)]):
        subprocess.run([str(REFERAT), *command], env=env, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
