"""``ingest_paths``: files and directories in, stored in batches, each document whole or
not at all.

Reading and hashing happen here. Documents go in batches to worker processes (when
there is enough work), which parse them and build their rows, lemmas and search text
included. A batch is stored in one transaction, its documents together under one
savepoint, or, when that fails, a savepoint per document, so that a document the
database refuses leaves nothing of itself while its neighbours land.

Worker processes die with this one, also when it is killed outright (SIGKILL leaves it
no chance to stop them): see ``_die_with_parent``.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from api.db import create_engine
from api.loaders.discovery import discover
from api.loaders.formats import UnsupportedFormat
from api.loaders.organizations import normalise_name
from api.loaders.parser import PARSER_VERSION, parse_minutes
from api.loaders.reading import document_text
from api.loaders.records import Minutes, MinutesFormatError
from api.loaders.store import (
    DATABASE_ERRORS,
    KnownKeys,
    Prepared,
    Source,
    StoreFailure,
    StoreOutcome,
    StoreResult,
    prepare,
    store_batch,
)
from api.models import Document
from api.search.normalise import warm as warm_lemmas

MB = 1_000_000
# Reading a document takes memory in proportion to it (about five times its size for
# text); minutes are rarely over a few MB, PDFs with scans some tens.
DEFAULT_MAX_BYTES = 100 * MB
_PARALLEL_FROM = 16  # below this many files a process pool costs more than it saves
_IN_FLIGHT_PER_WORKER = 2  # bounds memory: only this many batches wait per worker
# A batch is one transaction: larger ones spread a commit (and SQLite's full-text index
# flush) over more documents, but hold more memory and lose more to a kill.
_BATCH = 64
_BATCH_BYTES = 8 * MB
_BATCHES_PER_WORKER = 8  # in a run of few documents


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    status: str  # "ingested", "updated", "skipped" or "failed"
    meeting_id: str | None = None
    reason: str | None = None
    # False for a path that held no document: a kind of file not read, a missing path.
    is_document: bool = True

    def line(self) -> str:
        """The one-line report: ``path: line N: reason`` for a failure."""
        return f"{self.path}: {self.reason}" if self.reason else f"{self.path}: {self.status}"


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    # The paths given that held no document at all, e.g. a folder of images.
    empty: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        """Whether any document failed, or a path given held none."""
        return bool(self.empty) or any(r.status == "failed" for r in self.results)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("ingested", "updated", "skipped", "failed")}


@dataclass(frozen=True, slots=True)
class Organizations:
    """Where a document's organization comes from, in this order: the one given for
    the run (``--organization``), the one the document's letterhead names, the
    instance's default (``REFERAT_ORGANIZATION``)."""

    given: str | None = None
    default: str | None = None

    def of(self, minutes: Minutes) -> str | None:
        name = self.given or minutes.organization or self.default
        return normalise_name(name) if name and name.strip() else None


NO_ORGANIZATION = (
    "no organization: the document names no municipality or region in its letterhead; "
    "give it with --organization NAME (or set REFERAT_ORGANIZATION)"
)


def ingest_paths(
    engine: sa.Engine,
    paths: Iterable[str | Path],
    *,
    organization: str | None = None,
    default_organization: str | None = None,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_result: Callable[[FileResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Store every document under ``paths``; report one result a file, in file order.

    ``organization`` is whose minutes they all are; without it, each document's own
    letterhead tells, or else ``default_organization``. A document whose organization
    none of them gives fails with a reason that names the flag.

    With enough files, worker processes parse the documents. On PostgreSQL they store
    them too, each on its own connection, so that parsing and the server's work overlap;
    SQLite has one writer at a time, and writers waiting on its lock sleep, so there the
    parsed documents come back and this process stores them. Either way documents are
    stored in batches, a transaction a batch, each document whole or not at all.
    """
    organizations = Organizations(organization, default_organization)
    report = _ingest_all(engine, paths, organizations, workers, max_bytes, on_result, on_total)
    _refresh_statistics(engine, report)
    return report


def _ingest_all(
    engine: sa.Engine,
    paths: Iterable[str | Path],
    organizations: Organizations,
    workers: int | None,
    max_bytes: int,
    on_result: Callable[[FileResult], None] | None,
    on_total: Callable[[int], None] | None,
) -> IngestReport:
    given_paths = [str(path) for path in paths]
    found = discover(given_paths)
    files = [(file, source_name(file, path)) for file, path in found.files]
    report = IngestReport()
    documents: set[str] = set()  # the paths given that held a document
    given: dict[str, set[str]] = {}  # a file's path: the paths given it was found under
    for file, path in found.files:
        given.setdefault(str(file), set()).add(path)

    def record(result: FileResult) -> None:
        report.results.append(result)
        if result.is_document:
            documents.update(given[result.path])
        if on_result is not None:
            on_result(result)

    for passed in found.passed:
        status = "failed" if passed.failed else "skipped"
        record(FileResult(passed.path, status, reason=passed.reason, is_document=False))
    if on_total is not None:
        on_total(len(files))
    _ingest_files(engine, files, organizations, workers, max_bytes, record)
    report.empty = [path for path in dict.fromkeys(given_paths) if path not in documents]
    return report


def source_name(file: Path, given: str) -> str:
    """The name a document is stored and served under (``Meeting.sourceFile``): its path
    relative to the directory given (``2023/referat.pdf``), or its own name when the file
    itself was given. Never an absolute path: where the server keeps its files is not
    published, and the same folder ingested from another place gives the same names."""
    root = Path(given)
    if file != root:
        try:
            return file.relative_to(root).as_posix()
        except ValueError:  # pragma: no cover - discovery finds files under the path given
            pass
    return file.name


def _ingest_files(
    engine: sa.Engine,
    files: list[tuple[Path, str]],
    organizations: Organizations,
    workers: int | None,
    max_bytes: int,
    record: Callable[[FileResult], None],
) -> None:
    jobs = _read(files, _known_documents(engine), max_bytes)
    local = _Worker(engine, organizations)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(files) < _PARALLEL_FROM:
        for batch in _batches(jobs, _BATCH):
            for result in local.ingest(batch):
                record(result)
        return
    # Batches of _BATCH documents, or fewer in a small run: enough batches that every
    # worker has several, and the first are stored while the others are parsed.
    size = max(1, min(_BATCH, -(-len(files) // (workers * _BATCHES_PER_WORKER))))
    batches = _batches(jobs, size)
    task = _ingest if engine.dialect.name == "postgresql" else _prepare
    url = engine.url.render_as_string(hide_password=False)
    if sys.platform == "linux":
        # Forked workers share the lemmatizer's data loaded once here, instead of each
        # spending 1.5 s loading its own copy.
        warm_lemmas()

    def settle(batch: list[FileResult | _Job], done: Future[list[_Done]]) -> list[FileResult]:
        """The batch's results in file order: those settled before, and the workers'."""
        prepared = iter(done.result())
        results = [job if isinstance(job, FileResult) else next(prepared) for job in batch]
        return local.store(results)

    pool = ProcessPoolExecutor(
        workers,
        # Workers are this process's own children (never a fork server's), so that
        # they can tell when it is gone. Fork where it exists (cheap), as Python's
        # default has been on Linux; spawn elsewhere.
        mp_context=multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), url, organizations),
    )
    with pool:
        pending: deque[tuple[list[FileResult | _Job], Future[list[_Done]]]] = deque()
        for batch in batches:
            todo = [job for job in batch if not isinstance(job, FileResult)]
            pending.append((batch, pool.submit(task, todo)))
            while len(pending) > workers * _IN_FLIGHT_PER_WORKER:
                for result in settle(*pending.popleft()):
                    record(result)
        while pending:
            for result in settle(*pending.popleft()):
                record(result)


def _refresh_statistics(engine: sa.Engine, report: IngestReport) -> None:
    """PostgreSQL plans queries by its statistics of each table, which autovacuum renews
    once a tenth of a table has changed: where it runs at all, and when it comes round.
    Until then a freshly filled archive is planned as if it were empty (loading a page
    of search hits took 500 ms instead of 6 at 100k meetings). So a run that changed a
    tenth of the meetings analyzes the database at once."""
    if engine.dialect.name != "postgresql":
        return
    changed = report.count("ingested") + report.count("updated")
    if not changed:
        return
    with engine.connect() as connection:
        meetings = connection.exec_driver_sql("SELECT count(*) FROM meetings").scalar_one()
    if changed * 10 >= meetings:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def _known_documents(engine: sa.Engine) -> set[str]:
    """The sha256 of every stored document that the current parser produced."""
    table = Document.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.sha256).where(table.c.parser_version == PARSER_VERSION)
        )
        return {row.sha256 for row in rows}


class _Worker:
    """Parses documents into rows and stores batches of them on one engine, remembering
    the shared rows it saw committed.

    ``before_commit`` runs last in every transaction, before it commits."""

    def __init__(
        self,
        engine: sa.Engine,
        organizations: Organizations,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.organizations = organizations
        self.before_commit = before_commit
        self.shared = KnownKeys()

    def ingest(self, batch: list[FileResult | _Job]) -> list[FileResult]:
        return self.store(
            [job if isinstance(job, FileResult) else self.prepare(job) for job in batch]
        )

    def prepare(self, job: _Job) -> _Done:
        """Parse a document and build its rows; or the result of a document that fails
        before it reaches the database."""
        path, data, source = job
        try:
            minutes = parse_minutes(document_text(data, source=path), source=path)
        except UnsupportedFormat as exc:
            return FileResult(path, "skipped", reason=exc.reason, is_document=False)
        except MinutesFormatError as exc:
            return FileResult(path, "failed", reason=f"line {exc.line}: {exc.reason}")
        organization = self.organizations.of(minutes)
        if organization is None:
            return FileResult(path, "failed", reason=NO_ORGANIZATION)
        dialect = self.engine.dialect.name
        return path, prepare(minutes, source, organization=organization, dialect=dialect)

    def store(self, done: list[_Done]) -> list[FileResult]:
        """Store the batch's prepared documents in one transaction, each whole or not at
        all (api.loaders.store.store_batch); the results of all, in order."""
        ready = [item for item in done if not isinstance(item, FileResult)]
        if not ready:
            return [item for item in done if isinstance(item, FileResult)]
        try:
            with self.engine.begin() as connection:
                stored = store_batch(
                    connection,
                    [document for _, document in ready],
                    now=dt.datetime.now(dt.UTC),
                    known=self.shared,
                )
                if self.before_commit is not None:
                    self.before_commit()
        except DATABASE_ERRORS as exc:  # the batch as a whole: its lock, its commit
            stored = [StoreFailure.of(exc)] * len(ready)
        outcomes = iter(zip(ready, stored, strict=True))
        results = []
        for item in done:
            if isinstance(item, FileResult):
                results.append(item)
                continue
            (path, _), outcome = next(outcomes)
            results.append(self._result(path, outcome))
        return results

    def _result(self, path: str, outcome: StoreResult | StoreFailure) -> FileResult:
        if isinstance(outcome, StoreFailure):
            return FileResult(path, "failed", reason=f"database error: {outcome.reason}")
        self.shared.add(outcome.shared)
        if outcome.outcome is StoreOutcome.SKIPPED:
            return FileResult(path, "skipped", outcome.meeting_id, outcome.reason)
        return FileResult(path, outcome.outcome.value, outcome.meeting_id)


# A document read, on its way to be parsed: its path, its bytes, where it came from.
_Job = tuple[str, bytes, Source]
# A document parsed into rows on its way to be stored, or the result of one settled.
_Done = tuple[str, Prepared] | FileResult
_worker: _Worker | None = None  # one per worker process, made by _start_worker


def _start_worker(parent: int, database_url: str, organizations: Organizations) -> None:
    global _worker  # noqa: PLW0603 - the process pool's per-process state
    _die_with_parent(parent)
    engine = create_engine(database_url, for_writing=True)
    _worker = _Worker(engine, organizations, before_commit=lambda: _exit_if_orphaned(parent))
    warm_lemmas()  # before the first document (forked: already done by the parent)


# Worker processes and their parent, the ingest process. A pool's workers read their
# tasks from a queue whose writing end they hold themselves, so they never see it close:
# killed outright, the parent left them storing the tasks already queued and then
# waiting for ever. So each worker watches its parent, three ways:
# - on Linux, the kernel sends it SIGKILL when the parent dies (PR_SET_PDEATHSIG; when,
#   strictly, the thread that started it ends: the one in ingest_paths, which outlives
#   the pool);
# - everywhere, a thread checks every _WATCH_SECONDS whether the parent is gone (its
#   parent pid changed: the orphan went to init or a subreaper; or, spawned, the pipe
#   from the parent closed) and ends the process;
# - a worker that stores (PostgreSQL) checks once more just before each commit, and
#   ends the process with the transaction open, so the server rolls it back.
# What is left is a commit already on its way to the server at the instant of the kill.
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_SECONDS = 0.2


def _die_with_parent(parent: int) -> None:
    """Make this worker process end when process ``parent`` does."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl: the thread
            pass
    # The parent may have died before the signal was asked for: no one sends it then.
    _exit_if_orphaned(parent)
    watch = threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch")
    watch.daemon = True
    watch.start()


def _watch_parent(parent: int) -> None:
    while True:
        _exit_if_orphaned(parent, wait=_WATCH_SECONDS)


def _exit_if_orphaned(parent: int, *, wait: float = 0) -> None:
    """End this process at once if its parent is gone; else return (within ``wait``)."""
    process = multiprocessing.parent_process()
    # A spawned worker's pipe from its parent closes when the parent dies. A forked
    # one's may not (its siblings hold copies), but its parent pid changes.
    sentinel = None if process is None else process.sentinel
    if sentinel is not None:
        gone = bool(multiprocessing.connection.wait([sentinel], timeout=wait))
    else:
        time.sleep(wait)
        gone = False
    if gone or os.getppid() != parent:
        os._exit(1)  # no clean-up: an open transaction is rolled back by the server


def _ingest(batch: list[_Job]) -> list[_Done]:
    """A worker's task on PostgreSQL: parse a batch and store it."""
    assert _worker is not None, "_start_worker runs first in every worker process"
    return list(_worker.ingest(list(batch)))


def _prepare(batch: list[_Job]) -> list[_Done]:
    """A worker's task on SQLite, which has one writer at a time (and writers waiting
    on its lock sleep): parse a batch into rows, for this process to store."""
    assert _worker is not None, "_start_worker runs first in every worker process"
    return [_worker.prepare(job) for job in batch]


def _batches(
    jobs: Iterator[tuple[str, tuple[bytes, Source] | FileResult]], size: int
) -> Iterator[list[FileResult | _Job]]:
    """Jobs in batches of ``size`` documents, or of fewer when they hold over
    _BATCH_BYTES: the bytes of the batches in flight bound the memory."""
    batch: list[FileResult | _Job] = []
    documents = held = 0
    for path, job in jobs:
        if isinstance(job, FileResult):
            batch.append(job)
            continue
        data, source = job
        batch.append((path, data, source))
        documents += 1
        held += len(data)
        if documents >= size or held >= _BATCH_BYTES:
            yield batch
            batch, documents, held = [], 0, 0
    if batch:
        yield batch


def _read(
    files: list[tuple[Path, str]], known: set[str], max_bytes: int
) -> Iterator[tuple[str, tuple[bytes, Source] | FileResult]]:
    for file, name in files:
        path = str(file)
        try:
            size = file.stat().st_size
            if size > max_bytes:  # refused before it is read: memory grows with a document
                reason = (
                    f"too large: {size / MB:.1f} MB, above the limit of {max_bytes / MB:g} MB "
                    "(--max-size or REFERAT_MAX_DOCUMENT_MB)"
                )
                yield path, FileResult(path, "failed", reason=reason)
                continue
            data = file.read_bytes()
        except OSError as exc:
            yield path, FileResult(path, "failed", reason=f"unreadable: {exc.strerror or exc}")
            continue
        source = Source.of(name, data)
        if source.sha256 in known:
            yield path, FileResult(path, "skipped", reason="already ingested")
        else:
            yield path, (data, source)
