"""The ``referat`` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from api.db import create_engine
from api.http_protocol import HttpProtocol
from api.loaders import (
    MinutesFormatError,
    explain_minutes,
    minutes_to_json,
    parse_minutes,
    read_document,
)
from api.loaders.ingest import MB, FileResult, IngestReport, ingest_paths
from api.loaders.remove import NotStored, find_meetings, remove_meeting
from api.logging_config import LOGGING
from api.migrations import MigrationError, NotMigratedError, ensure_migrated, upgrade
from api.progress import IngestProgress
from api.queries import MeetingFilter
from api.read.errors import NotFound
from api.rest.errors import ApiError
from api.rest.export import files
from api.rest.export.formats import ENTITIES, FORMATS, Export
from api.rest.params import read_datetime
from api.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="referat", description="Danish municipal minutes as a queryable API."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    parse = commands.add_parser(
        "parse",
        help="print the records of one minutes or agenda file as JSON",
        description="Parse FILE and print its records as JSON. Exit status 1 when FILE "
        "is not minutes or an agenda.",
    )
    parse.add_argument("file", metavar="FILE")
    parse.add_argument(
        "--explain",
        action="store_true",
        help="instead of JSON, print how each line was read: its line number (in the text "
        "a PDF or HTML file reads as), the part it belongs to and the rule that placed it",
    )
    parse.set_defaults(handler=_parse)

    migrate = commands.add_parser(
        "migrate",
        help="create or upgrade the database schema (alembic upgrade head)",
        description="Bring the database at DATABASE_URL (default sqlite:///referat.db) to "
        "the newest schema.",
    )
    migrate.add_argument(
        "--organization",
        metavar="NAME",
        help="whose minutes a database made before organizations came holds, e.g. "
        '"Høje-Taastrup Kommune" (default: REFERAT_ORGANIZATION)',
    )
    migrate.set_defaults(handler=_migrate)

    ingest = commands.add_parser(
        "ingest",
        help="store minutes and agendas in the database",
        description="Store each document under PATH (files, or directories read "
        "recursively) in the database at DATABASE_URL, each whole or not at all (documents "
        "go in batches, one transaction a batch). "
        "Documents are PDF files, HTML pages, text or Markdown, told by their content; every other "
        "file is named with the reason it is not read. Unchanged documents are skipped, "
        "changed ones replace their meeting in place. A document's organization is "
        "--organization, else the one its letterhead names, else REFERAT_ORGANIZATION; a "
        "document without one fails. Exit status: 0 when no document failed, 1 otherwise "
        "(also when a PATH held no document).",
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument(
        "--organization",
        metavar="NAME",
        help='whose minutes these all are, e.g. "Høje-Taastrup Kommune" or "Region Midtjylland"',
    )
    ingest.add_argument(
        "--max-size",
        type=float,
        metavar="MB",
        help="refuse documents larger than this (default: REFERAT_MAX_DOCUMENT_MB, or 100)",
    )
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.add_argument(
        "--workers", type=int, default=None, help="parser processes (default: one per core)"
    )
    ingest.set_defaults(handler=_ingest)

    export = commands.add_parser(
        "export",
        help="write the archive's meetings, agenda items and decisions as JSON Lines or CSV",
        description="Write every meeting, agenda item and decision (those of the meetings "
        "the filters select) into OUT, a directory (made if missing), as meetings.FORMAT, "
        "agenda-items.FORMAT and decisions.FORMAT, from one snapshot of the database; or "
        "one export (--entity) to standard output when OUT is -. The files are those "
        "GET /api/v1/export/ENTITY.FORMAT answers. Exit status 1 for an organization that "
        "is not held.",
    )
    export.add_argument("out", metavar="OUT", help="a directory, or - for standard output")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument(
        "--entity",
        action="append",
        choices=ENTITIES,
        help="export this only (repeatable; default: all three, into a directory)",
    )
    export.add_argument(
        "--organization", metavar="ORG", help="an organization's id or name: its meetings only"
    )
    export.add_argument(
        "--since",
        metavar="MOMENT",
        type=_moment,
        help="meetings stored or replaced at or after MOMENT (modifiedSince), with its "
        "offset, e.g. 2024-05-01T00:00:00Z",
    )
    export.add_argument(
        "--bom", action="store_true", help="CSV: begin with a byte order mark (for Excel)"
    )
    export.set_defaults(handler=_export)

    remove = commands.add_parser(
        "remove",
        help="withdraw meetings: delete each with everything under it, leaving tombstones",
        description="Delete the meetings named, by id or by the file they were stored "
        "from, with their items, decisions and documents, in one transaction; the change "
        "feed keeps a DELETED change of each. Exit status 1, removing nothing, when a "
        "TARGET names no stored meeting.",
    )
    remove.add_argument("targets", nargs="+", metavar="PATH|MEETING_ID")
    remove.set_defaults(handler=_remove)

    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve /graphql (GraphiQL in a browser), the REST mirror at /api/v1 "
        "with /openapi.json, /healthz and /readyz for the database at DATABASE_URL. "
        "Refuses an unmigrated database.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    serve.add_argument("--port", type=int, default=8000, help="default: %(default)s")
    serve.add_argument("--workers", type=int, default=1, help="processes (default: 1)")
    serve.set_defaults(handler=_serve)
    return parser


def _parse(args: argparse.Namespace) -> int:
    if args.explain:
        return _explain(args.file)
    try:
        minutes = parse_minutes(read_document(args.file), source=args.file)
    except (MinutesFormatError, OSError) as exc:
        print(f"referat: {_one_line(exc, args.file)}", file=sys.stderr)
        return 1
    sys.stdout.write(minutes_to_json(minutes))
    return 0


def _explain(path: str) -> int:
    try:
        rows, error = explain_minutes(read_document(path), source=path)
    except (MinutesFormatError, OSError) as exc:
        print(f"referat: {_one_line(exc, path)}", file=sys.stderr)
        return 1
    width = max((len(part) for _, part, _, _ in rows), default=4)
    rule_width = max((len(rule) for _, _, rule, _ in rows), default=4)
    try:
        for line, part, rule, text in rows:
            shown = text if len(text) <= 80 else f"{text[:77]}..."
            sys.stdout.write(f"{line:>5}  {part:<{width}}  {rule:<{rule_width}}  {shown}\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `referat parse --explain FILE | head`: as the docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if error is not None:
        print(f"referat: {_one_line(error, path)}", file=sys.stderr)
        return 1
    return 0


def _migrate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        upgrade(settings.database_url, organization=args.organization or settings.organization)
    except MigrationError as exc:
        print(f"referat: {exc}", file=sys.stderr)
        return 1
    print(f"referat: database at {_shown(settings.database_url)} is at the newest schema")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = create_engine(settings.database_url, for_writing=True)
    if not _migrated(engine):
        engine.dispose()
        return 1
    try:
        report = _run_ingest(engine, args, settings)
    finally:
        engine.dispose()
    for path in report.empty:
        print(f"referat: {path}: no minutes or agendas found", file=sys.stderr)
    if args.json:
        print(json.dumps(_report_json(report), ensure_ascii=False, indent=2))
    else:
        counts = report.summary()
        print(", ".join(f"{n} {status}" for status, n in counts.items()))
    return 1 if report.failed else 0


def _run_ingest(engine: Engine, args: argparse.Namespace, settings: Settings) -> IngestReport:
    with IngestProgress(enabled=sys.stderr.isatty() and not args.json) as progress:

        def on_result(result: FileResult) -> None:
            progress.advance(result)
            if result.status == "failed" or not result.is_document:
                progress.print_error(f"referat: {result.line()}")

        return ingest_paths(
            engine,
            args.paths,
            organization=args.organization,
            default_organization=settings.organization,
            workers=args.workers,
            max_bytes=int((args.max_size or settings.max_document_mb) * MB),
            on_result=on_result,
            on_total=progress.start,
        )


def _moment(raw: str) -> object:
    try:
        return read_datetime("--since", raw)
    except ApiError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _export(args: argparse.Namespace) -> int:
    entities = args.entity or list(ENTITIES)
    if args.out == files.STDOUT and len(entities) != 1:
        print("referat: export to standard output (-) takes one --entity", file=sys.stderr)
        return 2
    if args.bom and args.format != "csv":
        print("referat: --bom is for CSV only: JSON Lines has none", file=sys.stderr)
        return 2
    exports = [Export(entity, args.format, bom=args.bom) for entity in dict.fromkeys(entities)]
    where = MeetingFilter(organization=args.organization, modified_since=args.since)
    url = Settings.from_env().database_url
    engine = create_engine(url, **files.engine_options(url))
    try:
        if not _migrated(engine):
            return 1
        written = asyncio.run(files.write(engine, exports, args.out, where))
    except NotFound as exc:
        print(f"referat: {exc.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `referat export … - | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        engine.dispose()
    for path in written:
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


def _remove(args: argparse.Namespace) -> int:
    engine = create_engine(Settings.from_env().database_url, for_writing=True)
    try:
        if not _migrated(engine):
            return 1
        with engine.begin() as connection:
            meetings = [m for target in args.targets for m in find_meetings(connection, target)]
            for meeting in dict.fromkeys(meetings):
                written = remove_meeting(connection, meeting)
                print(f"referat: removed {meeting} ({len(written)} tombstones and changes)")
    except NotStored as exc:
        print(f"referat: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = create_engine(settings.database_url)
    migrated = _migrated(engine)
    engine.dispose()
    if not migrated:
        return 1
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # ours is structured: api/access_log.py
        log_config=LOGGING,
        http=HttpProtocol,  # an answer in one write
    )
    return 0


def _report_json(report: IngestReport) -> dict[str, object]:
    return {
        **report.summary(),
        "files": [
            {"path": r.path, "status": r.status, "meetingId": r.meeting_id, "reason": r.reason}
            for r in report.results
        ],
        "empty": report.empty,
    }


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _migrated(engine: Engine) -> bool:
    """Whether the database is at the newest schema; if not, says so in one line."""
    try:
        ensure_migrated(engine)
    except NotMigratedError as exc:
        print(f"referat: {exc}", file=sys.stderr)
        return False
    return True


def _one_line(exc: MinutesFormatError | OSError, path: str) -> str:
    if isinstance(exc, MinutesFormatError):
        return str(exc)
    return f"{path}: {exc.strerror or exc}"


if __name__ == "__main__":
    sys.exit(main())
