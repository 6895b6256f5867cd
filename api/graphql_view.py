"""Strawberry's ASGI view with our context and JSON errors for rejected requests."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.schema.context import Context


class GraphQLView(GraphQL[Context, None]):
    def encode_json(self, data: object) -> str:
        # Danish letters as they are: shorter and readable.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context.for_request(request.app.state.database)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response: Response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            # Clients parse GraphQL errors: a rejected request is one too, with a code.
            code = "QUERY_TOO_COMPLEX" if "Too many operations" in exc.reason else "BAD_USER_INPUT"
            message = exc.reason
            if code == "QUERY_TOO_COMPLEX":
                message = f"a batch may hold at most {_max_batch(self)} operations"
            response = JSONResponse(
                {"errors": [{"message": message, "extensions": {"code": code}}]},
                status_code=exc.status_code,
            )
        await response(scope, receive, send)


def _max_batch(view: GraphQLView) -> Any:
    config = view.schema.config.batching_config
    return config["max_operations"] if config else 1
