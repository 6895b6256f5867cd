"""Every benchmark in one run (`make bench`), their figures in one table.

Runs parse, ingest, export, search, attack and graphql (Referat beside PostGraphile) one
after another, each printing its own lines as it goes, then prints the figures together
and writes the table to bench/results/<date>-all.md.

    python bench/all.py                      # the sizes make bench uses
    python bench/all.py --search-meetings 10000,100000
    python bench/all.py --only ingest,graphql   # some of them
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import markdown_table, read  # noqa: E402

# Each bench by name, in the order they run, and what --smoke adds to its command.
SMOKE: dict[str, list[str]] = {
    "parse": ["--runs", "1", "--repeat", "1"],
    "ingest": ["--runs", "1", "--large-mb", "1"],
    "export": [],
    "search": ["--repeat", "1"],
    "attack": ["--meetings", "50", "--seconds", "0.5"],
    "graphql": ["--seconds", "1", "--warmup", "0", "--rounds", "1", "--without-postgraphile"],
}
BENCHES = tuple(SMOKE)


def _names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(set(names) - set(BENCHES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown: {', '.join(unknown) or '(none given)'}; known: {', '.join(BENCHES)}"
        )
    return names


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--ingest-meetings", default="10000")
    options.add_argument("--export-meetings", default="1000,10000")
    options.add_argument("--search-meetings", default="10000")
    options.add_argument("--graphql-meetings", default="1000")
    options.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    options.add_argument(
        "--smoke", action="store_true", help="one short run each, PostGraphile left out"
    )
    options.add_argument(
        "--only",
        type=_names,
        default=BENCHES,
        metavar="NAME[,NAME]",
        help=f"these benchmarks alone, of {', '.join(BENCHES)}",
    )
    args = options.parse_args()
    commands = {
        "parse": ["bench/parse.py"],
        "ingest": ["bench/ingest.py", "--meetings", args.ingest_meetings],
        "export": ["bench/export.py", "--meetings", args.export_meetings],
        "search": ["bench/search.py", "--meetings", args.search_meetings],
        "attack": ["bench/attack.py", "--engine", "postgresql"],
        "graphql": [
            "bench/postgraphile.py",
            "--meetings",
            args.graphql_meetings,
            "--results",
            str(args.results),
        ],
    }
    benches = [
        commands[name] + (SMOKE[name] if args.smoke else [])
        for name in BENCHES
        if name in args.only
    ]
    with tempfile.TemporaryDirectory(prefix="referat-bench-") as scratch:
        figures_file = Path(scratch) / "figures.jsonl"
        env = {**os.environ, "REFERAT_BENCH_FIGURES": str(figures_file)}
        for bench in benches:
            print(f"\n$ python {' '.join(bench)}", flush=True)
            subprocess.run([sys.executable, *bench], cwd=ROOT, env=env, check=True)
        figures = read(figures_file)
    table = markdown_table(figures)
    print("\n" + table)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"{dt.date.today().isoformat()}-all.md"
    target.write_text(f"# make bench\n\n{table}\n", encoding="utf-8")
    print(f"written to {target}")


if __name__ == "__main__":
    main()
