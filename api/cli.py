"""The ``referat`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.loaders import MinutesFormatError, minutes_to_json, parse_minutes, read_document


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
    parse.set_defaults(handler=_parse)
    return parser


def _parse(args: argparse.Namespace) -> int:
    try:
        minutes = parse_minutes(read_document(args.file), source=args.file)
    except (MinutesFormatError, OSError) as exc:
        print(f"referat: {_one_line(exc, args.file)}", file=sys.stderr)
        return 1
    sys.stdout.write(minutes_to_json(minutes))
    return 0


def _one_line(exc: Exception, path: str) -> str:
    if isinstance(exc, MinutesFormatError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{path}: {exc.strerror or exc}"
    return f"{path}: {exc}"


if __name__ == "__main__":
    sys.exit(main())
