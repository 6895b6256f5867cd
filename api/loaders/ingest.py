"""``ingest_paths``: files and directories in, one transaction per document.

Reading and hashing happen here; parsing, the CPU-heavy part, runs in worker processes
when there is enough work; storing is sequential, each document in its own transaction,
so a failure anywhere leaves nothing of that document and the rest go on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from api.loaders.parser import PARSER_VERSION, parse_minutes
from api.loaders.reading import decode_document
from api.loaders.records import Minutes, MinutesFormatError
from api.loaders.store import Source, StoreOutcome, store_meeting
from api.models import Document

SUFFIXES = (".txt", ".md")
_PARALLEL_FROM = 16  # below this many files a process pool costs more than it saves
_IN_FLIGHT_PER_WORKER = 4  # bounds memory: only this many parsed documents wait per worker


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    status: str  # "ingested", "updated", "skipped" or "failed"
    meeting_id: str | None = None
    reason: str | None = None

    def line(self) -> str:
        """The one-line report: ``path: line N: reason`` for a failure."""
        return f"{self.path}: {self.reason}" if self.reason else f"{self.path}: {self.status}"


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("ingested", "updated", "skipped", "failed")}


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """The documents under ``paths`` in a stable order, and a failure for each path
    that does not exist. A directory is read recursively for *.txt and *.md."""
    found: list[Path] = []
    missing: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        else:
            missing.append(FileResult(str(path), "failed", reason="no such file or directory"))
    return found, missing


def ingest_paths(
    engine: sa.Engine,
    paths: Iterable[str | Path],
    *,
    workers: int | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    files, missing = discover(paths)
    report = IngestReport()

    def record(result: FileResult) -> None:
        report.results.append(result)
        if on_result is not None:
            on_result(result)

    for result in missing:
        record(result)
    if on_total is not None:
        on_total(len(files))
    known = _known_documents(engine)
    for path, outcome in _parsed(files, known, workers):
        if isinstance(outcome, FileResult):
            record(outcome)
            continue
        minutes, source = outcome
        record(_store(engine, path, minutes, source))
    return report


def _known_documents(engine: sa.Engine) -> set[str]:
    """The sha256 of every stored document that the current parser produced."""
    table = Document.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.sha256).where(table.c.parser_version == PARSER_VERSION)
        )
        return {row.sha256 for row in rows}


def _store(engine: sa.Engine, path: str, minutes: Minutes, source: Source) -> FileResult:
    try:
        with engine.begin() as connection:
            stored = store_meeting(connection, minutes, source, now=dt.datetime.now(dt.UTC))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return FileResult(path, "failed", reason=f"database error: {reason}")
    if stored.outcome is StoreOutcome.SKIPPED:
        return FileResult(path, "skipped", stored.meeting_id, stored.reason)
    return FileResult(path, stored.outcome.value, stored.meeting_id)


_Parsed = tuple[Minutes, Source] | FileResult


def _parsed(
    files: list[Path], known: set[str], workers: int | None
) -> Iterator[tuple[str, _Parsed]]:
    """Read, hash and parse each file in order, in worker processes when it pays."""
    jobs = _read(files, known)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(files) < _PARALLEL_FROM:
        for path, job in jobs:
            yield path, job if isinstance(job, FileResult) else _parse_job(path, *job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[str, Future[_Parsed] | FileResult]] = deque()
        for path, job in jobs:
            if isinstance(job, FileResult):
                pending.append((path, job))
            else:
                pending.append((path, pool.submit(_parse_job, path, *job)))
            while len(pending) > workers * _IN_FLIGHT_PER_WORKER:
                yield _settle(pending.popleft())
        while pending:
            yield _settle(pending.popleft())


def _settle(entry: tuple[str, Future[_Parsed] | FileResult]) -> tuple[str, _Parsed]:
    path, job = entry
    return path, job if isinstance(job, FileResult) else job.result()


def _read(
    files: list[Path], known: set[str]
) -> Iterator[tuple[str, tuple[bytes, Source] | FileResult]]:
    for file in files:
        path = str(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            yield path, FileResult(path, "failed", reason=exc.strerror or str(exc))
            continue
        source = Source.of(path, data)
        if source.sha256 in known:
            yield path, FileResult(path, "skipped", reason="already ingested")
        else:
            yield path, (data, source)


def _parse_job(path: str, data: bytes, source: Source) -> _Parsed:
    try:
        return parse_minutes(decode_document(data, source=path), source=path), source
    except MinutesFormatError as exc:
        return FileResult(path, "failed", reason=f"line {exc.line}: {exc.reason}")
