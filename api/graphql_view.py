"""Strawberry's ASGI view with our context, the request's budget, and JSON errors for
rejected requests, by the GraphQL-over-HTTP spec."""

from __future__ import annotations

import functools
import json
from typing import Any

import anyio
import strawberry
from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSchema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.database import Database
from api.read.dataloaders import make_loaders
from api.schema.compiled import compile_request, compiled_answer
from api.schema.context import Context
from api.schema.cost import BUDGET, operation_cost
from api.schema.errors import QueryTooComplex
from api.schema.limits import REMEMBERED, measured, parsed

CHECKED_INLINE = 2_000  # characters of a request's documents checked on the event loop
MAX_BODY = 256 * 1024  # bytes: a document of 2,000 tokens and its variables fit many times
# The media type of the GraphQL-over-HTTP spec: request errors are 4xx, not 200.
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Accept types of streamed answers (subscriptions, incremental delivery): strawberry's.
_STREAMS = ("multipart/mixed", "text/event-stream")
# Codes of errors that mean the request was not executed at all.
_REQUEST_ERRORS = frozenset(
    {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "QUERY_TOO_COMPLEX"}
)


class _Refused(Exception):
    """A request refused before execution, with its code and HTTP status."""

    def __init__(self, status: int, code: str, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extensions = status, code, message, extensions


class _Compiled:
    """An answer the compiler built (api.schema.compiled): its bytes, as they are."""

    errors = None  # strawberry's run() looks for them; the compiler answers none

    def __init__(self, body: bytes) -> None:
        self.body = body


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, *, compiled: bool = True) -> None:
        super().__init__(schema)
        # Queries the compiler builds are answered by it; off, by the resolvers alone.
        self.compiled = compiled

    def encode_json(self, data: object) -> str:
        # Danish letters as they are: shorter and readable.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.app.state
        begun: Database | None = getattr(request.state, "database", None)
        if begun is not None:  # the compiler tried first: its deadline stands
            return Context(begun, make_loaders(begun), state.responses)
        return Context.for_request(state.database, state.responses)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        batch = request_data if isinstance(request_data, list) else [request_data]
        tried = getattr(request.state, "compiled", False)  # by _compiled_response, in vain
        if not tried:  # else costed there already
            await self._check_cost(batch)
        if self.compiled and not tried and isinstance(request_data, GraphQLRequestData):
            body = await self._compiled(request_data, context.db)
            if body is not None:
                if _wants_spec_status(request):
                    sub_response.headers["content-type"] = GRAPHQL_RESPONSE
                return _Compiled(body)
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if _wants_spec_status(request) and isinstance(result, ExecutionResult):
            sub_response.headers["content-type"] = GRAPHQL_RESPONSE
            if result.data is None and any(
                (error.extensions or {}).get("code") in _REQUEST_ERRORS
                for error in result.errors or ()
            ):
                sub_response.status_code = 400
        return result

    async def _compiled(self, data: GraphQLRequestData, db: Database) -> bytes | None:
        """The answer of the compiled query, or None when the resolvers answer it."""
        if data.protocol != "http":
            return None
        schema = self.schema
        assert isinstance(schema, strawberry.Schema)
        dialect = db.engine.dialect
        arguments = (schema._schema, data.query, data.operation_name, data.variables, dialect)
        if len(data.query or "") > CHECKED_INLINE:
            # Compiling a big document takes milliseconds: off the event loop, as costing.
            operation = await anyio.to_thread.run_sync(compile_request, *arguments)
        else:
            operation = compile_request(*arguments)
        return None if operation is None else await compiled_answer(db, operation)

    async def _compiled_response(self, request: Request) -> Response | None:
        """A query POSTed as JSON that the compiler answers, without strawberry's handling
        of the request (its context, dataloaders, results): most of the time of a small
        query. None for anything else, which strawberry then handles as ever."""
        if not self.compiled or request.method != "POST":
            return None
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return None
        if any(kind in request.headers.get("accept", "") for kind in _STREAMS):
            return None
        try:
            payload = json.loads(await request.body())
        except (ValueError, RecursionError):
            return None  # strawberry reads it again, and says what is wrong
        if not isinstance(payload, dict):
            return None  # a batch, or not a request at all
        query, variables = payload.get("query"), payload.get("variables")
        operation_name = payload.get("operationName")
        if not (
            isinstance(query, str)
            and isinstance(variables, dict | None)
            and isinstance(operation_name, str | None)
        ):
            return None
        data = GraphQLRequestData(query, variables, operation_name, payload.get("extensions"))
        await self._check_cost([data])
        request.state.compiled = True
        request.state.database = request.app.state.database.for_request()
        body = await self._compiled(data, request.state.database)
        if body is None:
            return None
        media_type = GRAPHQL_RESPONSE if _wants_spec_status(request) else "application/json"
        return Response(body, media_type=media_type)

    async def process_result(self, request: Request, result: Any) -> Any:
        if isinstance(result, _Compiled):
            return result
        return await super().process_result(request, result)

    async def _check_cost(self, batch: list[GraphQLRequestData]) -> None:
        if sum(len(data.query or "") for data in batch) > CHECKED_INLINE:
            # Parsing, measuring and costing a big document takes milliseconds of CPU;
            # in a worker thread the event loop goes on serving other clients meanwhile.
            await anyio.to_thread.run_sync(self._refuse_over_budget, batch)
        else:
            self._refuse_over_budget(batch)

    def _refuse_over_budget(self, batch: list[GraphQLRequestData]) -> None:
        """Refuses a request whose members cost more than the budget together. A member
        sent again is costed once, and costing stops at the member that crosses the
        budget: a batch of ten big members is refused at the price of one."""
        keys = [(data.query, data.operation_name, _canonical(data.variables)) for data in batch]
        costs: dict[tuple[str | None, str | None, str], int] = {}
        running = 0
        for key, data in zip(keys, batch, strict=True):
            if key not in costs:
                costs[key] = self._cost(data)
            running += costs[key]
            if running > BUDGET:
                break
        else:
            return
        cost = sum(costs.get(key, 0) for key in keys)
        least = "" if all(key in costs for key in keys) else "at least "
        raise _Refused(
            200,
            "QUERY_TOO_COMPLEX",
            f"the request costs {least}{cost:,} points; at most {BUDGET:,} (see the README's "
            "query cost)",
            cost=cost,
            budget=BUDGET,
        )

    def _cost(self, data: GraphQLRequestData) -> int:
        if not data.query:
            return 0
        variables = data.variables if isinstance(data.variables, dict) else None
        try:
            document = parsed(data.query)
            # Depth, aliases and size first: they name what is wrong more precisely.
            measured(data.query, data.operation_name)
        except QueryTooComplex as error:
            raise _Refused(200, "QUERY_TOO_COMPLEX", error.message) from None
        except GraphQLError:
            return 0  # refused with its reason when the operation runs
        schema = self.schema
        assert isinstance(schema, strawberry.Schema)
        try:
            key = json.dumps(variables, sort_keys=True)
        except (TypeError, ValueError):  # not from a JSON body: costed as they are
            return operation_cost(schema._schema, document, data.operation_name, variables)
        return _remembered_cost(schema._schema, data.query, data.operation_name, key)

    def create_response(
        self,
        response_data: Any,
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.headers.get("content-type", "application/json")
        compiled = isinstance(response_data, _Compiled)
        response = Response(
            response_data.body if compiled else self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=media_type,
        )
        response.headers.raw.extend(
            (k, v) for k, v in sub_response.headers.raw if k.lower() != b"content-type"
        )
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=_limited(scope, receive))
        try:
            compiled = await self._compiled_response(request)
            response: Response = compiled if compiled is not None else await self.run(request)
        except _Refused as refused:
            response = _error(request, refused)
        except HTTPException as exc:
            # Clients parse GraphQL errors: a rejected request is one too, with a code.
            code = "QUERY_TOO_COMPLEX" if "Too many operations" in exc.reason else "BAD_USER_INPUT"
            message = exc.reason
            if code == "QUERY_TOO_COMPLEX":
                message = f"a batch may hold at most {_max_batch(self)} operations"
            response = _error(request, _Refused(exc.status_code, code, message))
        except RecursionError:
            response = _error(
                request, _Refused(400, "BAD_USER_INPUT", "the request body is nested too deeply")
            )
        await response(scope, receive, send)


def _error(request: Request, refused: _Refused) -> JSONResponse:
    status = refused.status
    if status == 200 and _wants_spec_status(request):
        status = 400
    media_type = GRAPHQL_RESPONSE if _wants_spec_status(request) else "application/json"
    extensions = {"code": refused.code, **refused.extensions}
    return JSONResponse(
        {"errors": [{"message": refused.message, "extensions": extensions}]},
        status_code=status,
        media_type=media_type,
    )


@functools.lru_cache(maxsize=REMEMBERED)
def _remembered_cost(
    schema: GraphQLSchema, query: str, operation_name: str | None, variables: str
) -> int:
    """A request's cost, remembered by document, operation and variables: dashboards send
    the same ones again and again, and costing walks the whole document."""
    return operation_cost(schema, parsed(query), operation_name, json.loads(variables))


def _canonical(variables: object) -> str:
    return json.dumps(variables, sort_keys=True, default=str)


def _wants_spec_status(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _limited(scope: Scope, receive: Receive) -> Receive:
    """The request body, refused with 413 past MAX_BODY bytes, declared or not."""
    declared = dict(scope.get("headers") or ()).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise_at_once = True
    else:
        raise_at_once = False
    received = 0

    async def receive_limited() -> Message:
        nonlocal received
        if raise_at_once:
            raise _Refused(413, "BAD_USER_INPUT", _too_large())
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise _Refused(413, "BAD_USER_INPUT", _too_large())
        return message

    return receive_limited


def _too_large() -> str:
    return f"the request body is larger than {MAX_BODY:,} bytes"


def _max_batch(view: GraphQLView) -> Any:
    config = view.schema.config.batching_config
    return config["max_operations"] if config else 1
