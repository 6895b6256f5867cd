"""Parse speed over the seeds: MB/s, median of several runs, on one core.

The peer in the same run is normalise_text alone (C-speed string work over the same
bytes), so the ratio says how much the parsing proper costs on this machine today.
HTML: the seeds as agenda portals' pages (tests/portal.py, both shapes), read and
parsed, in MB of HTML a second, beside parsing the same seeds' text.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.loaders import minutes_to_dict, normalise_text, parse_minutes, read_document  # noqa: E402
from api.loaders.reading import document_text  # noqa: E402
from bench.figures import Figure, record  # noqa: E402
from tests.portal import SHAPES, portal_page  # noqa: E402
from tests.printed import printed_pdf  # noqa: E402


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--repeat", type=int, default=20, help="passes over the seeds per run")
    options.add_argument(
        "paths", nargs="*", type=Path, default=sorted((ROOT / "seeds").glob("*.txt"))
    )
    args = options.parse_args()
    texts = [(str(p), read_document(p)) for p in args.paths]
    size = sum(len(t.encode("utf-8")) for _, t in texts) * args.repeat

    def parse_all() -> None:
        for source, text in texts:
            parse_minutes(text, source=source)

    def normalise_all() -> None:
        for _, text in texts:
            normalise_text(text)

    parse = _median_seconds(parse_all, args.runs, args.repeat)
    peer = _median_seconds(normalise_all, args.runs, args.repeat)
    print(
        f"parse: {len(texts)} documents, {size / args.repeat / 1e3:.0f} kB, "
        f"median of {args.runs} runs x {args.repeat} passes"
    )
    print(f"parse_minutes   {size / parse / 1e6:8.1f} MB/s")
    print(f"normalise_text  {size / peer / 1e6:8.1f} MB/s   (peer)")
    print(f"ratio parse/peer time: {parse / peer:.1f}x")
    record(Figure("parse", "parse_minutes", size / parse / 1e6, "MB/s", size / peer / 1e6,
                  "normalise_text"))  # fmt: skip
    _html(texts, args.runs, args.repeat, size / parse / 1e6)
    _pdf(texts, args.runs, max(args.repeat // 4, 1))


def _html(texts: list[tuple[str, str]], runs: int, repeat: int, text_rate: float) -> None:
    pages = [
        (source, portal_page(minutes_to_dict(parse_minutes(text, source=source)), shape))
        for source, text in texts
        for shape in SHAPES
    ]
    size = sum(len(page) for _, page in pages) * repeat

    def read_all() -> None:
        for source, page in pages:
            document_text(page, source=source)

    def parse_all() -> None:
        for source, page in pages:
            parse_minutes(document_text(page, source=source), source=source)

    read = size / _median_seconds(read_all, runs, repeat) / 1e6
    parsed = size / _median_seconds(parse_all, runs, repeat) / 1e6
    print(f"HTML pages: {len(pages)}, {size / repeat / 1e3:.0f} kB")
    print(f"HTML to text    {read:8.1f} MB/s")
    print(f"HTML, parsed    {parsed:8.1f} MB/s   (text parsed: {text_rate:.1f} MB/s)")
    record(Figure("parse", "HTML page read and parsed", parsed, "MB/s", text_rate,
                  "parse_minutes on text"))  # fmt: skip


def _pdf(texts: list[tuple[str, str]], runs: int, repeat: int) -> None:
    """The seeds printed as agenda systems print them (tests/printed.py): pages a second
    read to text and parsed, beside reading alone."""
    pdfs = [(source, printed_pdf(minutes_to_dict(parse_minutes(text, source=source))))
            for source, text in texts]  # fmt: skip
    pages = sum(len(pdfium.PdfDocument(data)) for _, data in pdfs) * repeat

    def read_all() -> None:
        for source, data in pdfs:
            document_text(data, source=source)

    def parse_all() -> None:
        for source, data in pdfs:
            parse_minutes(document_text(data, source=source), source=source)

    read = pages / _median_seconds(read_all, runs, repeat)
    parsed = pages / _median_seconds(parse_all, runs, repeat)
    print(f"PDF: {pages // repeat} pages in {len(pdfs)} documents")
    print(f"PDF to text     {read:8.0f} pages/s")
    print(f"PDF, parsed     {parsed:8.0f} pages/s")
    record(Figure("parse", "PDF page read and parsed", parsed, "pages/s", read,
                  "PDF page read"))  # fmt: skip


def _median_seconds(work: Callable[[], None], runs: int, repeat: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
