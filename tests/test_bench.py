"""Smoke tests: every benchmark script runs on a tiny corpus and hands its figures to
bench/all.py's table. The figures' values are not checked here; benchmarks never run as
timed assertions in the suite."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from api.db import create_engine
from api.loaders.ingest import ingest_paths
from api.migrations import upgrade
from bench.figures import markdown_table, read
from tests.conftest import HOME
from tests.paths import ROOT, SEEDS


def run(*args: str, figures: Path | None = None) -> str:
    env = {**os.environ, "REFERAT_BENCH_FIGURES": str(figures)} if figures else None
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


def assert_tabled(figures: Path, bench: str) -> None:
    """The bench handed bench/all.py figures of its own, which make rows of its table."""
    handed = read(figures)
    assert handed and {figure.bench for figure in handed} == {bench}
    rows = markdown_table(handed).splitlines()[2:]
    assert len(rows) == len(handed) and all(row.startswith(f"| {bench} | ") for row in rows)


def test_parse_bench_prints_mb_per_second(tmp_path: Path) -> None:
    out = run("bench/parse.py", "--runs", "1", "--repeat", "1", figures=tmp_path / "f.jsonl")
    assert_tabled(tmp_path / "f.jsonl", "parse")
    assert "MB/s" in out and "(peer)" in out


def test_corpus_is_deterministic_and_parses(tmp_path: Path) -> None:
    run("bench/corpus.py", "--meetings", "12", "--out", str(tmp_path / "a"))
    run("bench/corpus.py", "--meetings", "12", "--out", str(tmp_path / "b"))
    first = sorted(p.read_bytes() for p in (tmp_path / "a").iterdir())
    assert first == sorted(p.read_bytes() for p in (tmp_path / "b").iterdir())
    assert len(first) == 12
    out = run("-m", "api.cli", "parse", str(tmp_path / "a" / "000000.txt"))
    assert '"items"' in out


def test_ingest_bench_runs_on_each_engine(database_url: str, tmp_path: Path) -> None:
    engine = make_url(database_url).get_backend_name()
    out = run(
        "bench/ingest.py", "--meetings", "20", "--runs", "1", "--engines", engine,
        "--large-mb", "2", figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "ingest")
    assert f"ingest {engine}" in out and "meetings/s" in out and "peak RSS" in out
    assert f"large document {engine}" in out and "x its size" in out


def test_export_bench_runs_on_each_engine(database_url: str, tmp_path: Path) -> None:
    engine = make_url(database_url).get_backend_name()
    out = run(
        "bench/export.py", "--meetings", "5,10", "--engines", engine, "--results", str(tmp_path),
        figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "export")
    assert f"export {engine} 10 meetings" in out and "an export of nothing" in out
    for form in ("jsonl", "csv"):
        assert f"  {form} " in out
    assert "records/s" in out and "peak RSS" in out
    (written,) = tmp_path.glob("*-export.md")
    assert f"| {engine} | 10 | csv |" in written.read_text(encoding="utf-8")


def test_search_bench_runs_on_each_engine(database_url: str, tmp_path: Path) -> None:
    engine = make_url(database_url).get_backend_name()
    out = run(
        "bench/search.py", "--meetings", "20", "--repeat", "1", "--engines", engine,
        figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "search")
    assert f"search {engine}" in out and "p95" in out and "normalisation:" in out
    # An ingested database, measured as it is; each query's figures on request.
    out = run("bench/search.py", "--existing", database_url, "--repeat", "1", "--per-query")
    assert "ingested before" in out and "    godkende " in out


def test_graphql_bench_checks_and_loads_referat(tmp_path: Path) -> None:
    out = run(
        "bench/postgraphile.py", "--meetings", "12", "--without-postgraphile", "--seconds", "1",
        "--warmup", "0", "--rounds", "1", "--results", str(tmp_path),
        figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "graphql")
    for query in ("Q0", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"):
        assert f"| {query} |" in out
    assert "Referat, resolvers" in out  # Q6's and Q7's peer: the compiler off
    assert "req/s" in out and "cores" in out
    assert len(list(tmp_path.glob("*-graphql.md"))) == 1


def test_all_benches_print_one_table(tmp_path: Path) -> None:
    # Each bench's own figures are checked where it runs, above; here, that all.py runs
    # those it is given and tables what they hand it (the cheapest alone: each would cost
    # its whole smoke run again).
    out = run("bench/all.py", "--smoke", "--only", "parse", "--results", str(tmp_path))
    assert "$ python bench/parse.py" in out and "bench/ingest.py" not in out
    table = out[out.rindex("| bench |") : out.rindex("written to")].strip()
    assert "| parse | " in table and "| ingest | " not in table
    (written,) = tmp_path.glob("*-all.md")
    assert table in written.read_text(encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "bench/all.py", "--only", "parse,graphs"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode == 2 and "unknown: graphs; known: parse, ingest" in refused.stderr


def test_attack_bench_refuses_every_attack(database_url: str, tmp_path: Path) -> None:
    engine = make_url(database_url).get_backend_name()
    out = run(
        "bench/attack.py", "--meetings", "20", "--engine", engine, "--seconds", "0.3",
        "--clients", "1", figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "attack")
    assert f"attack {engine} 20 meetings" in out
    assert "30 aliases x 100 meetings with texts" in out and "several operations" in out


def test_scale_bench_ingests_reads_and_projects(
    tmp_path: Path, new_database: Callable[[str], str]
) -> None:
    out = run(
        "bench/scale.py", "--meetings", "20", "--repeat", "1", "--results", str(tmp_path),
        figures=tmp_path / "f.jsonl",
    )  # fmt: skip
    assert_tabled(tmp_path / "f.jsonl", "scale")
    assert "ingest postgresql" in out and "meetings/s" in out and "(peer)" in out
    for request in ("search", "meeting page", "stats"):
        assert f"{request}" in out and "p95" in out
    assert "270,000 meetings (all of Denmark), linearly: ingest" in out
    (written,) = tmp_path.glob("*-scale.md")
    assert "| ingest |" in written.read_text(encoding="utf-8")
    # A database ingested before, measured as it is.
    url = new_database("postgresql")
    upgrade(url)
    engine = create_engine(url, for_writing=True)
    ingest_paths(engine, [SEEDS], default_organization=HOME)
    engine.dispose()
    out = run("bench/scale.py", "--existing", url, "--repeat", "1", "--results", str(tmp_path))
    assert "meetings ingested before" in out and "meeting page" in out
    assert "ingested before this run" in next(tmp_path.glob("*-scale.md")).read_text()
