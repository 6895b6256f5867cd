"""``GET /api/v1/export/{meetings,agenda-items,decisions}.{jsonl,csv}``: an export streamed
as it is read, a page of meetings at a time.

A page is read in a snapshot of its own, on a pooled connection held only while it is
read, never while the client takes its bytes: a slow client holds no connection and no
transaction open. Each page has the request's time in the database
(REFERAT_REQUEST_TIMEOUT) anew, so a large archive is not cut at that time, while no
single statement outlives it. A server runs at most MAX_EXPORTS at once; more get a 503
with Retry-After. The first page is read before the answer starts, so that errors up to
then have their status; an error after it ends the stream without its last chunk, which
a client sees as a transfer cut short, never as a complete file.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api import queries
from api.database import Database, DeadlineExceeded
from api.read import export as read_export
from api.read.errors import ReadError
from api.rest import models as m
from api.rest.errors import ApiError, error_response
from api.rest.export import records
from api.rest.export.formats import ENTITIES, FORMATS, Export
from api.rest.export.stream import pages
from api.rest.params import Param, read_all
from api.rest.routes import ALLOWED_METHODS, MODIFIED_SINCE, ORGANIZATION

logger = logging.getLogger("referat.rest.export")

MAX_EXPORTS = 2  # streaming at once in one server process
RETRY_AFTER = "30"  # seconds, when all of them are taken
BOM = Param(
    "bom",
    "CSV only: begin with a UTF-8 byte order mark, which Excel needs to read UTF-8",
    enum=("true", "false"),
)
PARAMS = (ORGANIZATION, MODIFIED_SINCE, BOM)
# What each line of a JSON Lines export is, and the OpenAPI document says so.
RECORDS: dict[str, type[BaseModel]] = {
    "meetings": m.Meeting,
    "agenda-items": records.ExportAgendaItem,
    "decisions": records.ExportDecision,
}
_SUMMARIES = {
    "meetings": "Every meeting in full, oldest first",
    "agenda-items": "Every agenda item with its meeting named, by meeting (oldest first), "
    "then number",
    "decisions": "Every decision with its agenda item and meeting named, by meeting "
    "(oldest first), item number and place in the item",
}


class _Slots:
    """Exports streaming now, in one server process (one event loop: no lock needed)."""

    def __init__(self) -> None:
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= MAX_EXPORTS:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken -= 1


def _slots(app: Starlette) -> _Slots:
    if not hasattr(app.state, "exports"):
        app.state.exports = _Slots()
    slots: _Slots = app.state.exports
    return slots


class ExportEndpoint:
    """The exports as an ASGI app: it sees every method (a 405 in the JSON error shape,
    as the other resources answer), and gives back its slot when the stream has ended,
    however it ended."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        slots = _slots(request.app)
        response = await respond(request, slots)
        try:
            await response(scope, receive, send)
        finally:
            if isinstance(response, StreamingResponse):
                slots.give_back()


async def respond(request: Request, slots: _Slots) -> Response:
    if request.method not in ALLOWED_METHODS:
        response = error_response(405, "METHOD_NOT_ALLOWED", "this resource is read-only: use GET")
        response.headers["Allow"] = ", ".join(ALLOWED_METHODS)
        return response
    try:
        values = export_values(request)
        export = _export(str(request.path_params["name"]), values)
        where = queries.MeetingFilter(
            organization=values["organization"], modified_since=values["modifiedSince"]
        )
        database: Database = request.app.state.database
        await read_export.check_organization(database.for_request(), where.organization)
        headers = {
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            # Large, and new with every ingest: not for shared caches to keep.
            "Cache-Control": "no-store",
        }
        if request.method == "HEAD":
            head = Response(media_type=export.media_type, headers=headers)
            del head.headers["content-length"]  # not known before the export is made
            return head
        if not slots.take():
            response = error_response(
                503,
                "BUSY",
                f"{MAX_EXPORTS} exports are streaming, as many as this server runs at once: "
                f"try again in {RETRY_AFTER} s",
            )
            response.headers["Retry-After"] = RETRY_AFTER
            return response
        try:
            body = await _body(export, database, where)
        except BaseException:
            slots.give_back()
            raise
        return StreamingResponse(body, media_type=export.media_type, headers=headers)
    except ApiError as exc:
        return exc.response()
    except ReadError as exc:
        return error_response(404 if exc.code == "NOT_FOUND" else 400, exc.code, exc.message)
    except DeadlineExceeded as exc:
        return error_response(503, "TIMEOUT", str(exc))
    except Exception:
        logger.exception("unexpected error in %s %s", request.method, request.url.path)
        return error_response(500, "INTERNAL_SERVER_ERROR", "Unexpected error.")


def export_values(request: Request) -> dict[str, Any]:
    unknown = set(request.query_params) - {p.name for p in PARAMS}
    if unknown:
        raise ApiError(
            422, "VALIDATION_ERROR", f"unknown parameter(s): {', '.join(sorted(unknown))}"
        )
    return read_all(PARAMS, request.query_params, {})


def _export(name: str, values: dict[str, Any]) -> Export:
    entity, _, format_ = name.rpartition(".")
    if entity not in ENTITIES or format_ not in FORMATS:
        raise ApiError(
            404,
            "NOT_FOUND",
            f"no export {name!r}: the exports are {', '.join(ENTITIES)}, each as "
            f"{' or '.join('.' + f for f in FORMATS)}",
        )
    bom = values["bom"] == "true"
    if bom and format_ != "csv":
        raise ApiError(422, "VALIDATION_ERROR", "bom is for CSV only: JSON Lines has none")
    return Export(entity, format_, bom=bom)


async def _body(
    export: Export, database: Database, where: queries.MeetingFilter
) -> AsyncIterator[bytes]:
    """The export's bytes; the first page is read now, before the answer starts."""
    chunks = pages((export,), lambda: database.for_request().snapshot(), where)
    try:
        first = await anext(chunks)
    except StopAsyncIteration:  # no meeting to export: the head alone
        first = (b"",)

    async def body() -> AsyncIterator[bytes]:
        yield export.head() + first[0]
        try:
            async for (chunk,) in chunks:
                if chunk:
                    yield chunk
        except Exception:
            logger.exception("export %s cut short", export.filename)
            raise

    return body()


def routes(prefix: str) -> list[Route]:
    return [Route(prefix + "/export/{name}", ExportEndpoint(), name="export")]


def openapi_paths(
    prefix: str, error: dict[str, Any], refs: dict[type[BaseModel], Any]
) -> dict[str, Any]:
    """The six exports in the OpenAPI document, each a path of its own."""
    paths: dict[str, Any] = {}
    for entity in ENTITIES:
        for format_ in FORMATS:
            content = _content(format_, entity, refs[RECORDS[entity]])
            params = [p for p in PARAMS if format_ == "csv" or p.name != "bom"]
            paths[f"{prefix}/export/{entity}.{format_}"] = {
                "get": {
                    "operationId": f"export{entity.title().replace('-', '')}{format_.title()}",
                    "summary": f"{_SUMMARIES[entity]}, as {format_.upper()}, streamed",
                    "parameters": [
                        {
                            "name": p.name,
                            "in": "query",
                            "required": False,
                            "description": p.description,
                            "schema": p.schema(),
                        }
                        for p in params
                    ],
                    "responses": {
                        "200": {
                            "description": "The export, streamed; a transfer cut short "
                            "(no last chunk) is an export that failed",
                            "content": content,
                            "headers": {
                                "Content-Disposition": {"schema": {"type": "string"}},
                            },
                        },
                        "400": {
                            "description": "Bad input: a NUL character in a parameter",
                            "content": error,
                        },
                        "404": {"description": "No such organization", "content": error},
                        "422": {"description": "Invalid parameters", "content": error},
                        "503": {
                            "description": f"{MAX_EXPORTS} exports are streaming already "
                            "(BUSY, with Retry-After), or the first page ran out of time "
                            "(TIMEOUT)",
                            "content": error,
                        },
                    },
                }
            }
    return paths


def _content(format_: str, entity: str, record: Any) -> dict[str, Any]:
    if format_ == "jsonl":
        return {
            "application/jsonl": {
                "schema": {
                    "type": "string",
                    "description": "One JSON object a line, each as the schema "
                    f"{record['$ref'].rsplit('/', 1)[-1]}",
                }
            }
        }
    return {
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "A header row, then one row a record (RFC 4180, UTF-8)",
            }
        }
    }
