"""The operations of the REST mirror: parameters, handler and response model, declared
together, so that the routes and the OpenAPI document cannot disagree."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from graphql import GraphQLSchema
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api import queries
from api.database import Database, DeadlineExceeded
from api.loaders.records import DocumentKind
from api.read.dataloaders import Loaders, make_loaders
from api.read.errors import BadUserInput
from api.read.pages import FEED_PAGE_DEFAULT, FEED_PAGE_MAX, decode_cursor, encode_cursor
from api.rest import build, feed
from api.rest import models as m
from api.rest.compiled import Fixed
from api.rest.errors import ApiError, error_response
from api.rest.httpdate import format_http_date, parse_http_date
from api.rest.params import CURSOR, LIMIT, Param, read_all
from api.search.hits import hit_sources
from api.search.snippets import snippet
from api.search.syntax import SearchSyntaxError, parse_query

PREFIX = "/api/v1"
logger = logging.getLogger("referat.rest")

Handler = Callable[["Call"], Awaitable[BaseModel]]
# When the entity an operation answers with last changed (None: not known); a 404 for
# an unknown id.
Modified = Callable[["Call"], Awaitable[dt.datetime | None]]


@dataclass(frozen=True, slots=True)
class Operation:
    path: str
    name: str
    summary: str
    params: tuple[Param, ...]
    response: type[BaseModel]
    handler: Handler
    modified: Modified | None = None  # an entity's own Last-Modified; else the data's
    compiled: Fixed | None = None  # the same answer from the GraphQL compiler


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    values: dict[str, Any]
    db: Database  # with this request's deadline and share of the database
    loaders: Loaders


# -- handlers ------------------------------------------------------------------------------


async def list_meetings(call: Call) -> m.Page[m.MeetingSummary]:
    v = call.values
    where = queries.MeetingFilter(
        organization=v["organization"],
        body=v["body"],
        kind=v["kind"],
        date_from=v["dateFrom"],
        date_to=v["dateTo"],
        participant=v["participant"],
        modified_since=v["modifiedSince"],
    )
    query = queries.meetings_query(where)
    order = queries.MEETINGS_NEWEST_FIRST
    after = _cursor(v["cursor"], (dt.date, str))
    rows = await call.db.run(queries.page, query, order, v["limit"], after)
    total = await call.db.run(queries.count, query)
    page = rows[: v["limit"]]
    items = await build.summaries(call.loaders, page)
    next_key = queries.row_key(page[-1], order) if len(rows) > v["limit"] else None
    return m.Page[m.MeetingSummary](items=items, total_count=total, next=_next_url(call, next_key))


async def list_organizations(call: Call) -> m.Organizations:
    rows = await call.db.run(queries.all_organizations)
    return m.Organizations(items=await build.organizations(call.loaders, rows))


async def get_organization(call: Call) -> m.Organization:
    row = await call.loaders.organization_by_id.load(call.values["id"])
    (found,) = await build.organizations(
        call.loaders, [_found(row, "organization", call.values["id"])]
    )
    return found


async def get_meeting(call: Call) -> m.Meeting:
    row = await call.loaders.meeting_by_id.load(call.values["id"])
    return await build.meeting(call.loaders, _found(row, "meeting", call.values["id"]))


async def get_agenda_item(call: Call) -> m.AgendaItem:
    row = await call.loaders.agenda_item_by_id.load(call.values["id"])
    return await build.agenda_item(call.loaders, _found(row, "agenda item", call.values["id"]))


async def get_case(call: Call) -> m.Case:
    row = await call.loaders.case_by_id.load(call.values["id"])
    return await build.case(call.loaders, _found(row, "case", call.values["id"]))


async def get_person(call: Call) -> m.Person:
    row = await call.loaders.person_by_id.load(call.values["id"])
    return await build.person(call.loaders, _found(row, "person", call.values["id"]))


async def search(call: Call) -> m.Page[m.SearchHit]:
    v = call.values
    try:
        parsed = parse_query(v["q"])
    except SearchSyntaxError as exc:
        raise ApiError(400, "BAD_USER_INPUT", f"search: {exc}") from None
    where = queries.SearchFilter(
        organization=v["organization"],
        body=v["body"],
        date_from=v["dateFrom"],
        date_to=v["dateTo"],
    )
    after = _cursor(v["cursor"], (int, int, float, str))
    rows = await call.db.run(queries.search_page, parsed, where, v["limit"], after)
    total = await call.db.run(queries.search_count, parsed, where)
    page = rows[: v["limit"]]
    sources = await hit_sources(call.db, call.loaders, page)
    hits = [
        m.SearchHit(
            node=m.SearchNode.model_validate({"type": row.kind, "id": row.id}),
            snippet=snippet(texts, parsed),
            score=float(row.score),
        )
        for row, (_, texts) in zip(page, sources, strict=True)
    ]
    next_key = page[-1].key if len(rows) > v["limit"] else None
    return m.Page[m.SearchHit](items=hits, total_count=total, next=_next_url(call, next_key))


async def list_changes(call: Call) -> m.Changes:
    v = call.values
    after = _cursor(v["cursor"], (int,))
    items, end, more = await feed.changes_page(call.db, call.loaders, v["since"], v["limit"], after)
    cursor = encode_cursor(end) if end is not None else None
    return m.Changes(items=items, next=_next_url(call, end) if more else None, cursor=cursor)


def _found(row: queries.Row | None, what: str, key: str) -> queries.Row:
    if row is None:
        raise ApiError(404, "NOT_FOUND", f"no {what} with id {key!r}")
    return row


def _cursor(cursor: str | None, types: tuple[type, ...]) -> list[Any] | None:
    try:
        return decode_cursor(cursor, types)
    except BadUserInput:
        # Garbage, tampered with, or another listing's: bad input, as in GraphQL.
        raise ApiError(
            400, "BAD_USER_INPUT", f"invalid cursor {cursor!r}: not a `next` link of this listing"
        ) from None


# -- when entities last changed ----------------------------------------------------------------
# An entity is made of its meetings' content: it changes when one of them is stored again.


async def meeting_modified(call: Call) -> dt.datetime | None:
    row = await call.loaders.meeting_by_id.load(call.values["id"])
    updated: dt.datetime = _found(row, "meeting", call.values["id"]).updated_at
    return updated


async def agenda_item_modified(call: Call) -> dt.datetime | None:
    row = await call.loaders.agenda_item_by_id.load(call.values["id"])
    item = _found(row, "agenda item", call.values["id"])
    return _newest(await call.loaders.meeting_by_id.load_many([item.meeting_id]))


async def case_modified(call: Call) -> dt.datetime | None:
    row = await call.loaders.case_by_id.load(call.values["id"])
    case = _found(row, "case", call.values["id"])
    items = await call.loaders.agenda_items_by_case.load((case.id, None))
    meetings = sorted({item.meeting_id for item in items})
    return _newest(await call.loaders.meeting_by_id.load_many(meetings))


async def person_modified(call: Call) -> dt.datetime | None:
    row = await call.loaders.person_by_id.load(call.values["id"])
    where = queries.MeetingFilter(person_id=_found(row, "person", call.values["id"]).id)
    return await call.db.run(queries.meetings_updated, where)


async def organization_modified(call: Call) -> dt.datetime | None:
    row = await call.loaders.organization_by_id.load(call.values["id"])
    where = queries.MeetingFilter(organization=_found(row, "organization", call.values["id"]).id)
    return await call.db.run(queries.meetings_updated, where)


def _newest(meetings: list[queries.Row | None]) -> dt.datetime | None:
    return max((row.updated_at for row in meetings if row is not None), default=None)


def _next_url(call: Call, key: list[Any] | None) -> str | None:
    if key is None:
        return None
    return _url_with_cursor(call.request, encode_cursor(key))


def _url_with_cursor(request: Request, cursor: str) -> str:
    """This request's URL for the page that ``cursor`` begins."""
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    params["cursor"] = cursor
    return f"{request.url.path}?{urlencode(params)}"


# -- the operations --------------------------------------------------------------------------

ID = Param("id", "The entity's readable id", location="path", required=True)
ORGANIZATION = Param("organization", "An organization's id or name, e.g. hoeje-taastrup-kommune")
BODY = Param("body", "A body's id or name, e.g. Direktionen")
DATE_FROM = Param("dateFrom", "From this date (inclusive)", kind="date")
DATE_TO = Param("dateTo", "To this date (inclusive)", kind="date")
# The names before the filters took GraphQL's; giving both names of one filter with
# different values is a 400.
FROM = DATE_FROM.alias("from")
TO = DATE_TO.alias("to")
MODIFIED_SINCE = Param(
    "modifiedSince",
    "Meetings stored or replaced at or after this moment (updatedAt): a date and time with "
    "its offset, e.g. 2024-01-01T00:00:00Z; one without an offset is a 422",
    kind="datetime",
)

# The /meetings parameters that are MeetingFilter's fields, with their GraphQL types.
MEETING_FILTER = {
    "organization": "String",
    "body": "String",
    "kind": "DocumentKind",
    "dateFrom": "Date",
    "dateTo": "Date",
    "participant": "String",
    "modifiedSince": "DateTime",
}

OPERATIONS = (
    Operation(
        "/meetings",
        "listMeetings",
        "Meetings, newest first",
        (
            ORGANIZATION,
            BODY,
            Param("kind", "MINUTES or AGENDA", enum=tuple(k.value for k in DocumentKind)),
            DATE_FROM,
            DATE_TO,
            Param("participant", "A person's id or name: meetings they took part in"),
            MODIFIED_SINCE,
            FROM,
            TO,
            LIMIT,
            CURSOR,
        ),
        m.Page[m.MeetingSummary],
        list_meetings,
        compiled=Fixed.page("meetings", m.MeetingSummary, "filter", MEETING_FILTER),
    ),
    Operation(
        "/organizations",
        "listOrganizations",
        "Every organization whose minutes are held, with its bodies",
        (),
        m.Organizations,
        list_organizations,
        compiled=Fixed.listing("organizations", m.Organization, "items"),
    ),
    Operation(
        "/organizations/{id}",
        "getOrganization",
        "One organization and its bodies, e.g. hoeje-taastrup-kommune",
        (ID,),
        m.Organization,
        get_organization,
        organization_modified,
        Fixed.entity("organization", m.Organization),
    ),
    Operation(
        "/meetings/{id}",
        "getMeeting",
        "One meeting, in full",
        (ID,),
        m.Meeting,
        get_meeting,
        meeting_modified,
        Fixed.entity("meeting", m.Meeting),
    ),
    Operation(
        "/agenda-items/{id}",
        "getAgendaItem",
        "One agenda item",
        (ID,),
        m.AgendaItem,
        get_agenda_item,
        agenda_item_modified,
        Fixed.entity("agendaItem", m.AgendaItem),
    ),
    Operation(
        "/cases/{id}",
        "getCase",
        "A case's timeline, e.g. hoeje-taastrup-kommune.case_19-227",
        (ID,),
        m.Case,
        get_case,
        case_modified,
    ),
    Operation(
        "/persons/{id}",
        "getPerson",
        "One person",
        (ID,),
        m.Person,
        get_person,
        person_modified,
        Fixed.entity("person", m.Person),
    ),
    Operation(
        "/search",
        "search",
        'Danish full-text search: words, "phrases", -excluded, OR, prefix*; a year at a '
        "time, newest first, in blocks of the year's newest 200 matches, best first in each",
        (
            Param("q", "The search", required=True, max_length=500),
            ORGANIZATION,
            BODY,
            DATE_FROM,
            DATE_TO,
            FROM,
            TO,
            LIMIT,
            CURSOR,
        ),
        m.Page[m.SearchHit],
        search,
    ),
    Operation(
        "/changes",
        "listChanges",
        "The sync feed: every entity created, updated or deleted, in commit order, never "
        "skipping a change; a DELETED change is a tombstone",
        (
            Param(
                "since",
                "Changes at or after this moment: a date and time with its offset, e.g. "
                "2024-01-01T00:00:00Z; one without an offset is a 422",
                kind="datetime",
            ),
            Param(
                "limit",
                "Page size",
                kind="integer",
                minimum=1,
                maximum=FEED_PAGE_MAX,
                default=FEED_PAGE_DEFAULT,
            ),
            CURSOR,
        ),
        m.Changes,
        list_changes,
    ),
)


# -- HTTP: methods, caching and errors -------------------------------------------------------

ALLOWED_METHODS = ("GET", "HEAD")
CACHE_CONTROL = "public, no-cache"  # store, but revalidate: new minutes show at once


def endpoint(
    operation: Operation, compiler: GraphQLSchema | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """The operation's handler; with ``compiler`` (the GraphQL schema), its answer comes
    from the compiler where the operation has a fixed selection."""
    fixed = operation.compiled if compiler is not None else None

    async def handle(request: Request) -> Response:
        if request.method not in ALLOWED_METHODS:
            response = error_response(
                405, "METHOD_NOT_ALLOWED", "this resource is read-only: use GET"
            )
            response.headers["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        try:
            unknown = set(request.query_params) - {p.name for p in operation.params}
            if unknown:
                raise ApiError(
                    422, "VALIDATION_ERROR", f"unknown parameter(s): {', '.join(sorted(unknown))}"
                )
            values = read_all(operation.params, request.query_params, request.path_params)
            database = request.app.state.database.for_request()
            call = Call(request, values, database, make_loaders(database))
            version = await database.run(queries.data_version)
            # An entity's own time (a 404 for an unknown id); for listings, and for an
            # entity without one, the newest ingest.
            modified = await operation.modified(call) if operation.modified else None
            last = modified or version.last
            etag = _etag(request, version)
            headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
            if last is not None:
                headers["Last-Modified"] = format_http_date(last)
            if _not_modified(request, etag, last):
                return Response(status_code=304, headers=headers)
            answered = None
            if fixed is not None and compiler is not None:
                after = functools.partial(_url_with_cursor, request)
                answered = await fixed.answer(database, compiler, values, after)
            if answered is not None:
                body, following = answered
            else:
                model = await operation.handler(call)
                body = model.model_dump_json(by_alias=True).encode()
                following = model.next if isinstance(model, m.Page | m.Changes) else None
            if following:
                headers["Link"] = f'<{following}>; rel="next"'
            return Response(body, media_type="application/json", headers=headers)
        except ApiError as exc:
            return exc.response()
        except DeadlineExceeded as exc:  # GraphQL's TIMEOUT
            return error_response(503, "TIMEOUT", str(exc))
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            return error_response(500, "INTERNAL_SERVER_ERROR", "Unexpected error.")

    return handle


def _etag(request: Request, version: queries.DataVersion) -> str:
    """Changes when anything is stored, replaced or removed, and differs per URL."""
    stamp = f"{request.url.path}?{request.url.query}|{version.seq}|{version.last}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def _not_modified(request: Request, etag: str, last: dt.datetime | None) -> bool:
    """RFC 9110, 13.2.2: If-None-Match decides when it is there; If-Modified-Since only
    when it is not, and only with one valid HTTP-date (anything else is ignored). Both
    are GET's and HEAD's, the only methods served."""
    if "if-none-match" in request.headers:
        tags = _if_none_match(request)
        return etag in tags or "*" in tags
    since = request.headers.getlist("if-modified-since")
    if last is None or len(since) != 1:
        return False
    moment = parse_http_date(since[0])
    # HTTP-dates count whole seconds: Last-Modified is sent without the fraction.
    return moment is not None and last.replace(microsecond=0) <= moment


def _if_none_match(request: Request) -> set[str]:
    header = ",".join(request.headers.getlist("if-none-match"))
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class _AnyMethod:
    """An operation as an ASGI app: unlike a function endpoint, which Starlette answers
    for with a 405 of its own for any method but GET, it sees every method, so the 405
    names GET and HEAD in Allow and has the JSON error shape."""

    def __init__(self, operation: Operation, compiler: GraphQLSchema | None) -> None:
        self.handle = endpoint(operation, compiler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)


def routes(compiler: GraphQLSchema | None = None) -> list[Route]:
    """The operations' routes; with ``compiler`` (the GraphQL schema), those with a fixed
    selection answer from the GraphQL compiler."""
    return [Route(PREFIX + op.path, _AnyMethod(op, compiler), name=op.name) for op in OPERATIONS]
