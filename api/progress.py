"""Ingest progress: a rich bar on a terminal, nothing otherwise; errors always on stderr."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from api.loaders.ingest import FileResult


class IngestProgress:
    def __init__(self, *, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> IngestProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, total: int) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task("ingest", total=total)

    def advance(self, _result: FileResult) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def print_error(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=sys.stderr)
