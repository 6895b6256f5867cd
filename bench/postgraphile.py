"""Referat beside PostGraphile (v5) on the same PostgreSQL data: req/s and p99 a query.

One run: a deterministic corpus (bench/corpus.py) goes into a fresh PostgreSQL database
with ``referat ingest``; ``referat serve --workers 1`` and PostGraphile (amber preset, one
Node process) serve it on loopback ports; each query is first checked to return the same
data from both, then loaded with wrk (same connections, 3 s warm-up each, then rounds of
10 s that alternate between the servers). Referat ÷ PostGraphile is R; the geometric mean
of R sums up the run. A markdown copy of the table goes to bench/results/.

PostGraphile and Node 22 come from npm into bench/.cache/postgraphile; wrk is Debian's,
from PATH or fetched with ``apt-get download`` into bench/.cache/wrk. Both are git-ignored.

    python bench/postgraphile.py --meetings 1000
    python bench/postgraphile.py --meetings 12 --without-postgraphile --seconds 1   # smoke

Referat answers what it compiles with one SQL statement a root field (api/read/compiler);
``--without-compiler`` serves every query through the resolvers instead, for the figures
of both. Q0 is the floor, ``{ __typename }``: no data at all. Q6 (a search page) and Q7
(the dashboard's stats, asked again and again) have no counterpart in PostGraphile (no
Danish full-text search; no aggregates in the amber preset): their peer is a second
Referat with the compiler off and no answers kept (REFERAT_RESPONSE_CACHE_BYTES=0): the
rate before the compiler and the kept answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import ORGANIZATION, write_corpus  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from bench.ingest import _fresh_database  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
REFERAT = Path(sys.executable).parent / "referat"
Json = dict[str, Any]

# PostGraphile reflects tables; a date range over meetings needs a function, which is how
# PostGraphile users add one. It lives in its own schema, beside Referat's tables.
POSTGRAPHILE_SQL = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.meetings_between(date_from date, date_to date)
RETURNS SETOF public.meetings LANGUAGE sql STABLE AS $$
  SELECT * FROM public.meetings WHERE date BETWEEN date_from AND date_to
  ORDER BY date DESC, id DESC
$$;
-- Case numbers are unique within an organization; the corpus has one.
CREATE OR REPLACE FUNCTION bench.case_by_number(number text)
RETURNS public.cases LANGUAGE sql STABLE AS $$
  SELECT * FROM public.cases WHERE cases.number = $1
$$;
-- A case's timeline as Referat orders it (its meetings' dates, then the meeting, then the
-- item's number), cut where Referat's Case.agendaItems(first:) cuts: PostGraphile cannot
-- order items by their meeting's date, and a busy case has more items than Referat gives.
CREATE OR REPLACE FUNCTION bench.case_timeline(case_number text, n integer)
RETURNS SETOF public.agenda_items LANGUAGE sql STABLE AS $$
  SELECT i.* FROM public.agenda_items i
  JOIN public.cases c ON c.id = i.case_id
  JOIN public.meetings m ON m.id = i.meeting_id
  WHERE c.number = case_number
  ORDER BY m.date, m.id, i.number
  LIMIT n
$$;
"""


DASHBOARD = """{ stats { meetingCount agendaItemCount decisionCount
    decisionsByOutcome { outcome count } meetingsByYear { year count }
    busiestCases(limit: 10) { count case { number } } } }"""
POSTGRAPHILE = "PostGraphile"
# A second Referat as it answered before #15: the compiler off, no answers kept.
RESOLVERS = "Referat, resolvers"


@dataclass(frozen=True)
class Query:
    name: str
    what: str
    referat: str
    postgraphile: str  # or, when the peer is RESOLVERS, the same query as referat
    # Both answers become the same plain structure, or the check fails.
    from_referat: Callable[[Json], Any]
    from_postgraphile: Callable[[Json], Any]
    peer: str = POSTGRAPHILE


def _same(d: Json) -> Any:
    return d


def _q1_referat(d: Json) -> Any:
    m = d["meeting"]
    items = [[i["number"], i["title"], i["case"]] for i in m["agendaItems"]]
    return [m["id"], m["title"], m["date"], items]


def _q1_postgraphile(d: Json) -> Any:
    # Referat never shows what a closed item is about, its case included; PostGraphile
    # shows every column. The check applies Referat's documented rule to PostGraphile's
    # answer (the SQL PostGraphile runs still reads the case).
    m = d["meetingByRowId"]
    items = [
        [i["number"], i["title"], None if i["isClosed"] else i["case"]]
        for i in m["agendaItemsByMeetingId"]["nodes"]
    ]
    return [m["rowId"], m["title"], m["date"], items]


def _q2_referat(d: Json) -> Any:
    nodes = [e["node"] for e in d["meetings"]["edges"]]
    return [[n["id"], n["date"], n["title"], n["body"]["name"]] for n in nodes]


def _q2_postgraphile(d: Json) -> Any:
    nodes = d["benchMeetingsBetween"]["nodes"]
    return [[n["rowId"], n["date"], n["title"], n["body"]["name"]] for n in nodes]


def _q3_referat(d: Json) -> Any:
    return [
        [m["id"], [[i["id"], i["title"], i["sections"], i["decisions"]] for i in m["agendaItems"]]]
        for m in (e["node"] for e in d["meetings"]["edges"])
    ]


def _q3_postgraphile(d: Json) -> Any:
    def item(i: Json) -> Any:
        sections = i["sectionsByAgendaItemId"]["nodes"]
        return [i["rowId"], i["title"], sections, i["decisionsByAgendaItemId"]["nodes"]]

    return [
        [m["rowId"], [item(i) for i in m["agendaItemsByMeetingId"]["nodes"]]]
        for m in d["allMeetings"]["nodes"]
    ]


def _q4_referat(d: Json) -> Any:
    return [
        [m["id"], m["date"], [[i["id"], i["number"], i["title"]] for i in m["agendaItems"]]]
        for m in (e["node"] for e in d["meetings"]["edges"])
    ]


def _q4_postgraphile(d: Json) -> Any:
    return [
        [
            m["rowId"],
            m["date"],
            [[i["rowId"], i["number"], i["title"]] for i in m["agendaItemsByMeetingId"]["nodes"]],
        ]
        for m in d["allMeetings"]["nodes"]
    ]


def _q5_item(i: Json, item_id: str, meeting_id: str, decisions: list[Json]) -> list[Any]:
    meeting = i["meeting"]
    return [meeting["date"], meeting_id, i["number"], item_id, i["title"],
            meeting["body"]["name"], decisions]  # fmt: skip


def _q5_referat(d: Json) -> Any:
    items = d["case"]["agendaItems"]
    return [
        d["case"]["number"],
        [_q5_item(i, i["id"], i["meeting"]["id"], i["decisions"]) for i in items],
    ]


def _q5_postgraphile(d: Json) -> Any:
    # bench.case_timeline gives the items in Referat's order; sorting again checks it.
    items = d["benchCaseTimeline"]["nodes"]
    timeline = [
        _q5_item(i, i["rowId"], i["meeting"]["rowId"], i["decisionsByAgendaItemId"]["nodes"])
        for i in items
    ]
    return [d["benchCaseByNumber"]["number"], sorted(timeline, key=lambda row: row[:3])]


QUERIES = [
    Query("Q0", "the floor: { __typename }", "{ __typename }", "{ __typename }", _same, _same),
    Query(
        "Q1",
        "one meeting by id, with its items",
        """query($meeting: ID!) { meeting(id: $meeting) { id title date
            agendaItems { number title case { number } } } }""",
        """query($meeting: String!) { meetingByRowId(rowId: $meeting) { rowId title date
            agendaItemsByMeetingId(orderBy: [NUMBER_ASC]) {
              nodes { number title isClosed case: caseByCaseId { number } } } } }""",
        _q1_referat,
        _q1_postgraphile,
    ),
    Query(
        "Q2",
        "a page of 20 meetings in a date range",
        """query($from: Date!, $to: Date!) {
            meetings(filter: {dateFrom: $from, dateTo: $to}, first: 20) {
              edges { node { id date title body { name } } } } }""",
        """query($from: Date!, $to: Date!) {
            benchMeetingsBetween(dateFrom: $from, dateTo: $to, first: 20) {
              nodes { rowId date title body: bodyByBodyId { name } } } }""",
        _q2_referat,
        _q2_postgraphile,
    ),
    Query(
        "Q3",
        "10 meetings, their items, decisions and sections",
        """{ meetings(first: 10) { edges { node { id agendaItems { id title
              sections { kind heading text } decisions { date outcome text } } } } } }""",
        """{ allMeetings(first: 10, orderBy: [DATE_DESC, ROW_ID_DESC]) { nodes { rowId
              agendaItemsByMeetingId(orderBy: [NUMBER_ASC]) { nodes { rowId title
                sectionsByAgendaItemId(orderBy: [POSITION_ASC]) { nodes { kind heading text } }
                decisionsByAgendaItemId(orderBy: [POSITION_ASC]) {
                  nodes { date outcome text } } } } } } }""",
        _q3_referat,
        _q3_postgraphile,
    ),
    Query(
        "Q4",
        "100 meetings and their items",
        """{ meetings(first: 100) { edges { node { id date
              agendaItems { id number title } } } } }""",
        """{ allMeetings(first: 100, orderBy: [DATE_DESC, ROW_ID_DESC]) { nodes { rowId date
              agendaItemsByMeetingId(orderBy: [NUMBER_ASC]) {
                nodes { rowId number title } } } } }""",
        _q4_referat,
        _q4_postgraphile,
    ),
    # A busy case has thousands of items; Referat gives at most a case's first 500
    # (Case.agendaItems(first:)), so both servers give those.
    Query(
        "Q5",
        "the first 500 items of a busy case's timeline",
        """query($case: String!) { case(number: $case) { number
              agendaItems(first: 500) { id number title
              meeting { id date body { name } } decisions { date outcome } } } }""",
        """query($case: String!) { benchCaseByNumber(number: $case) { number }
            benchCaseTimeline(caseNumber: $case, n: 500) { nodes { rowId number title
              meeting: meetingByMeetingId { rowId date body: bodyByBodyId { name } }
              decisionsByAgendaItemId(orderBy: [POSITION_ASC]) {
                nodes { date outcome } } } } }""",
        _q5_referat,
        _q5_postgraphile,
    ),
    Query(
        "Q6",
        "a search page of 20 hits",
        """{ search(query: "godkendt budget", first: 20) { totalCount
              edges { cursor node { score snippet node { __typename id } } }
              pageInfo { hasNextPage endCursor } } }""",
        """{ search(query: "godkendt budget", first: 20) { totalCount
              edges { cursor node { score snippet node { __typename id } } }
              pageInfo { hasNextPage endCursor } } }""",
        _same,
        _same,
        RESOLVERS,
    ),
    Query(
        "Q7",
        "the dashboard's stats, again and again",
        DASHBOARD,
        DASHBOARD,
        _same,
        _same,
        RESOLVERS,
    ),
]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--meetings", type=int, default=1000)
    options.add_argument("--connections", type=int, default=8)
    options.add_argument("--warmup", type=float, default=3, help="seconds, per server and query")
    options.add_argument("--seconds", type=float, default=10, help="length of a round")
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--queries", default=",".join(q.name for q in QUERIES))
    options.add_argument(
        "--without-postgraphile", action="store_true", help="Referat alone (the smoke test)"
    )
    options.add_argument(
        "--without-compiler", action="store_true", help="Referat's resolvers answer every query"
    )
    options.add_argument("--results", type=Path, default=RESULTS)
    args = options.parse_args()
    chosen = [q for q in QUERIES if q.name in args.queries.split(",")]
    wrk = _wrk()
    node = None if args.without_postgraphile else _postgraphile()
    with tempfile.TemporaryDirectory(prefix="referat-graphql-") as scratch:
        corpus = write_corpus(args.meetings, Path(scratch) / "corpus")
        url, drop = _fresh_database("postgresql", Path(scratch))
        try:
            _load(url, Path(scratch) / "corpus")
            variables = _variables(url)
            resolvers = any(q.peer == RESOLVERS for q in chosen)
            with (
                _referat(url, compiled=not args.without_compiler) as referat,
                _postgraphile_server(node, url) as postgraphile,
                _referat(url, compiled=False, kept=False, wanted=resolvers) as uncompiled,
            ):
                servers = {"Referat": referat}
                servers |= {POSTGRAPHILE: postgraphile} if postgraphile else {}
                servers |= {RESOLVERS: uncompiled} if uncompiled else {}
                rows = [_measure(q, variables, servers, wrk, args, Path(scratch)) for q in chosen]
        finally:
            drop()
    _report(rows, args, len(corpus), node)


# -- the servers ----------------------------------------------------------------------------


def _load(url: str, corpus: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate"], ["ingest", "--organization", ORGANIZATION, str(corpus)]):
        subprocess.run([str(REFERAT), *command], env=env, check=True, stdout=subprocess.DEVNULL)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(POSTGRAPHILE_SQL)
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def _variables(url: str) -> Json:
    """Arguments from the data: the meeting with most items, the busiest case, and the
    middle fifth of the meetings' dates."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        meeting = connection.exec_driver_sql(
            "SELECT meeting_id FROM agenda_items GROUP BY meeting_id "
            "ORDER BY count(*) DESC, meeting_id LIMIT 1"
        ).scalar_one()
        case = connection.exec_driver_sql(
            "SELECT c.number FROM agenda_items i JOIN cases c ON c.id = i.case_id "
            "GROUP BY c.number ORDER BY count(*) DESC, c.number LIMIT 1"
        ).scalar_one()
        low, high = connection.exec_driver_sql(
            "SELECT percentile_disc(0.4) WITHIN GROUP (ORDER BY date), "
            "percentile_disc(0.6) WITHIN GROUP (ORDER BY date) FROM meetings"
        ).one()
    engine.dispose()
    return {"meeting": meeting, "case": case, "from": low.isoformat(), "to": high.isoformat()}


@contextmanager
def _referat(
    url: str, *, compiled: bool, kept: bool = True, wanted: bool = True
) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    port = _free_port()
    command = [str(REFERAT), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    env = {**os.environ, "DATABASE_URL": url, "REFERAT_COMPILE_GRAPHQL": "1" if compiled else "0"}
    if not kept:
        env["REFERAT_RESPONSE_CACHE_BYTES"] = "0"
    with _process(command, env, f"http://127.0.0.1:{port}/graphql") as endpoint:
        yield endpoint


@contextmanager
def _postgraphile_server(node: Path | None, url: str) -> Iterator[str | None]:
    if node is None:
        yield None
        return
    port = _free_port()
    database = sa.engine.make_url(url).set(drivername="postgres").render_as_string(False)
    folder = CACHE / "postgraphile"
    command = [
        str(node), str(folder / "node_modules" / ".bin" / "postgraphile"),
        "-P", "postgraphile/presets/amber", "-c", database, "-s", "public,bench",
        "-n", "127.0.0.1", "-p", str(port),
    ]  # fmt: skip
    with _process(command, dict(os.environ), f"http://127.0.0.1:{port}/graphql") as endpoint:
        yield endpoint


@contextmanager
def _process(command: list[str], env: dict[str, str], endpoint: str) -> Iterator[str]:
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _post(endpoint, "{ __typename }", {})
                    break
                except (OSError, urllib.error.URLError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise SystemExit(f"{command[0]} did not start:\n{tail}") from None
                    time.sleep(0.2)
            yield endpoint
        finally:
            process.terminate()
            try:  # a server still busy with requests the load left behind may linger
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(endpoint: str, query: str, variables: Json) -> Json:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        endpoint, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer: Json = json.load(response)
    except urllib.error.HTTPError as error:  # GraphQL errors may come with a 400
        if error.code >= 500:
            raise
        answer = json.load(error)
    return answer


# -- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rate: float  # requests a second, under load
    p99: float  # ms, under load; nan when no request finished within a round
    alone: float  # ms, the median of requests sent one at a time


def _measure(
    query: Query, variables: Json, servers: dict[str, str], wrk: list[str], args: Any, scratch: Path
) -> tuple[Query, dict[str, Load]]:
    # Referat and this query's peer, where it runs.
    servers = {name: url for name, url in servers.items() if name in ("Referat", query.peer)}
    texts = {"Referat": query.referat, query.peer: query.postgraphile}
    convert = {"Referat": query.from_referat, query.peer: query.from_postgraphile}
    seen: dict[str, Any] = {}
    for name, endpoint in servers.items():
        answer = _post(endpoint, texts[name], _used(texts[name], variables))
        if "errors" in answer or not answer.get("data"):
            raise SystemExit(f"{query.name} on {name}: {json.dumps(answer)[:500]}")
        seen[name] = convert[name](answer["data"])
        if not seen[name] or seen[name] == [None]:
            raise SystemExit(f"{query.name} on {name}: the answer is empty")
    if len(set(map(json.dumps, seen.values()))) != 1:
        raise SystemExit(f"{query.name}: the servers disagree:\n{json.dumps(seen)[:2000]}")
    # Alone first: after the load, a slow server is still busy with requests wrk left.
    alone = {
        name: _alone(endpoint, texts[name], _used(texts[name], variables))
        for name, endpoint in servers.items()
    }
    scripts = {}
    for name in servers:
        body = json.dumps({"query": texts[name], "variables": _used(texts[name], variables)})
        scripts[name] = scratch / f"{query.name}-{name}.lua"
        scripts[name].write_text(WRK_SCRIPT.replace("BODY", body), encoding="utf-8")
    for name, endpoint in servers.items():
        if args.warmup > 0:
            _wrk_run(wrk, endpoint, scripts[name], args.connections, args.warmup)
    rounds: dict[str, list[Load]] = {name: [] for name in servers}
    for _ in range(args.rounds):
        for name, endpoint in servers.items():
            rounds[name].append(
                _wrk_run(wrk, endpoint, scripts[name], args.connections, args.seconds)
            )
    loads = {
        name: Load(
            statistics.median(r.rate for r in runs),
            statistics.median(r.p99 for r in runs),
            alone[name],
        )
        for name, runs in rounds.items()
    }
    shown = "  ".join(
        f"{n} {v.rate:8.0f} req/s p99 {v.p99:7.1f} ms alone {v.alone:7.1f} ms"
        for n, v in loads.items()
    )
    print(f"{query.name}  {shown}", flush=True)
    return query, loads


def _alone(endpoint: str, text: str, variables: Json, runs: int = 5) -> float:
    """The median time of a request with no other in flight, in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _post(endpoint, text, variables)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _used(text: str, variables: Json) -> Json:
    return {k: v for k, v in variables.items() if f"${k}" in text}


# Every response must be a 200, or the round counts as failed.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[BODY]==]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(99)))
end
"""


def _wrk_run(wrk: list[str], endpoint: str, script: Path, connections: int, seconds: float) -> Load:
    command = [
        *wrk, "-t1", f"-c{connections}", f"-d{max(seconds, 1):.0f}s", "--timeout", "30s",
        "-s", str(script), endpoint,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=_wrk_env(wrk))
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    requests, micros, errors, p99 = map(int, line.split()[1:])
    if errors:
        raise SystemExit(f"{endpoint}: {errors} of {requests} requests failed\n{done.stdout}")
    # No request finished within the round: there is no latency to report, only that.
    return Load(requests / (micros / 1e6), p99 / 1000 if requests else math.nan, math.nan)


# -- tools ------------------------------------------------------------------------------------


def _wrk() -> list[str]:
    """wrk from PATH, or Debian's package unpacked into bench/.cache/wrk."""
    found = shutil.which("wrk")
    if found:
        return [found]
    folder = CACHE / "wrk"
    binary = folder / "usr" / "bin" / "wrk"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        packages = ["wrk", "libluajit-5.1-2", "libluajit-5.1-common"]
        subprocess.run(
            ["apt-get", "download", *packages], cwd=folder, check=True, capture_output=True
        )
        for deb in folder.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), str(folder)], check=True)
            deb.unlink()
    return [str(binary)]


def _wrk_env(wrk: list[str]) -> dict[str, str]:
    libraries = Path(wrk[0]).parent.parent / "lib" / "x86_64-linux-gnu"
    env = dict(os.environ)
    if libraries.exists() and str(CACHE) in wrk[0]:
        env["LD_LIBRARY_PATH"] = str(libraries)
    return env


def _postgraphile() -> Path:
    """Node 22 and postgraphile@5 from npm into bench/.cache/postgraphile; the node."""
    folder = CACHE / "postgraphile"
    node = folder / "node_modules" / ".bin" / "node"
    if not (node.exists() and (folder / "node_modules" / ".bin" / "postgraphile").exists()):
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            "private": True,
            "dependencies": {"node": "22", "postgraphile": "5"},
            # npm 11 runs no install scripts unless allowed; node's fetches the binary.
            "allowScripts": {"node": True},
        }
        (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    return node


# -- the report -------------------------------------------------------------------------------


def _machine(node: Path | None) -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    memory = next(
        int(line.split()[1]) // 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    facts = [
        f"{cpu}, {os.cpu_count()} cores, {memory} GiB, {platform.platform()}",
        f"Python {platform.python_version()}; {postgres} (server on this machine)",
    ]
    if node is not None:
        node_version = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        package = CACHE / "postgraphile" / "node_modules" / "postgraphile" / "package.json"
        version = json.loads(package.read_text())["version"]
        facts.append(f"Node {node_version}; PostGraphile {version} (amber preset), one process")
    return facts


def _report(
    rows: list[tuple[Query, dict[str, Load]]], args: Any, meetings: int, node: Path | None
) -> None:
    header = [
        f"GraphQL over PostgreSQL, {meetings} meetings, {args.connections} connections, "
        f"{args.warmup:g} s warm-up, median of {args.rounds} rounds of {args.seconds:g} s; "
        "alone: the median of 5 requests sent one at a time",
        *_machine(node),
        "R = Referat ÷ its peer in req/s under load; R alone = the same for requests "
        "sent one at a time (the peer's time ÷ Referat's). Above 1, Referat is faster. "
        f"The peer is PostGraphile; for Q6 and Q7, {RESOLVERS} (the compiler off, no "
        "answers kept). The "
        "geometric means are over PostGraphile's queries, the floor (Q0) left out.",
        f"Referat: {'the resolvers alone' if args.without_compiler else 'compiler on'}.",
    ]
    table = [
        "| query | what | Referat req/s | Referat p99 ms | Referat alone ms "
        "| peer req/s | peer p99 ms | peer alone ms | R | R alone |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: list[float] = []
    alone_ratios: list[float] = []
    main_four: list[float] = []
    left_out: list[str] = []
    figures = []
    for query, loads in rows:
        ours, theirs = loads["Referat"], loads.get(query.peer)
        counted = query.peer == POSTGRAPHILE and query.name != "Q0"
        cells = [_rate(ours.rate, args.seconds), _ms(ours.p99), _ms(ours.alone)]
        if theirs is not None:
            cells += [_rate(theirs.rate, args.seconds), _ms(theirs.p99), _ms(theirs.alone)]
            alone = theirs.alone / ours.alone
            if counted:
                alone_ratios.append(alone)
            if ours.rate > 0 and theirs.rate > 0:
                ratio = ours.rate / theirs.rate
                if counted:
                    ratios.append(ratio)
                if counted and query.name in ("Q1", "Q2", "Q3", "Q4"):
                    main_four.append(ratio)
                cells.append(f"{ratio:.2f}")
            else:
                left_out.append(query.name)
                cells.append("—")
            cells.append(f"{alone:.2f}")
        else:
            cells += ["", "", "", "", ""]
        what = query.what if query.peer == POSTGRAPHILE else f"{query.what} (peer: {query.peer})"
        table.append(f"| {query.name} | {what} | " + " | ".join(cells) + " |")
        peer = query.peer if theirs else ""
        figures += [
            Figure("graphql", f"{query.name} req/s", ours.rate, "req/s",
                   theirs.rate if theirs else None, peer),
            Figure("graphql", f"{query.name} alone", ours.alone, "ms",
                   theirs.alone if theirs else None, peer, False),
        ]  # fmt: skip
    if alone_ratios:
        mean = _geometric_mean(ratios) if ratios else math.nan
        table.append(
            f"| | geometric mean | | | | | | | {_ratio(mean)} | "
            f"{_geometric_mean(alone_ratios):.2f} |"
        )
        if len(main_four) == 4:
            four = _ratio(_geometric_mean(main_four))
            table.append(f"| | geometric mean of Q1–Q4 | | | | | | | {four} | |")
    if left_out:
        table.append(
            f"\nR leaves out {', '.join(left_out)}: no request of one server finished "
            f"within a round of {args.seconds:g} s."
        )
    text = "\n".join([*(f"- {line}" for line in header), "", *table, ""])
    print(text)
    record(*figures)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"{dt.date.today().isoformat()}-graphql.md"
    target.write_text("# Referat beside PostGraphile\n\n" + text, encoding="utf-8")
    print(f"written to {target}")


def _geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def _rate(rate: float, seconds: float) -> str:
    return f"{rate:,.1f}" if rate > 0 else f"0 (< {1 / seconds:.1f})"


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.1f}"


def _ratio(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


if __name__ == "__main__":
    main()
