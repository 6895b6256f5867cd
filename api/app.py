"""The ASGI application, declared in one place."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.access_log import AccessLogMiddleware
from api.compression import Compression
from api.database import Database
from api.db import create_engine
from api.graphql_view import GraphQLView
from api.migrations import ensure_migrated
from api.rest.errors import error_response
from api.rest.export.http import routes as export_routes
from api.rest.openapi import openapi_document
from api.rest.routes import PREFIX
from api.rest.routes import routes as rest_routes
from api.schema import schema
from api.schema.responses import ResponseCache
from api.search.normalise import lemma
from api.settings import Settings
from api.statements import Statements


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        statements = None
        try:
            ensure_migrated(engine)  # refuse to serve an unmigrated database
            lemma("godkende")  # load the Danish lemma data now, not in the first search
            if engine.dialect.name == "postgresql":
                statements = Statements(engine, settings.request_timeout)
                await statements.open()
            app.state.database = Database.serving(engine, settings.request_timeout, statements)
            app.state.responses = ResponseCache(settings.response_cache_bytes)
            yield
        finally:
            if statements is not None:
                await statements.close()
            engine.dispose()

    middleware = [Middleware(AccessLogMiddleware), Middleware(Compression, minimum_size=500)]
    if settings.cors_origins:
        middleware.insert(
            1,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                max_age=3600,
            ),
        )
    return Starlette(
        routes=[
            Route(
                "/graphql",
                GraphQLView(schema, compiled=settings.compile_graphql),
                methods=["GET", "POST"],
            ),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            *rest_routes(schema._schema if settings.compile_graphql else None),
            *export_routes(PREFIX),
        ],
        exception_handlers={404: not_found, 405: not_allowed},
        middleware=middleware,
        lifespan=lifespan,
    )


def create_app_from_env() -> Starlette:
    """For ``uvicorn --factory`` and ``referat serve``."""
    return create_app(Settings.from_env())


_OPENAPI = openapi_document()


async def openapi(_request: Request) -> JSONResponse:
    return JSONResponse(_OPENAPI)


async def not_found(_request: Request, _exc: Exception) -> Response:
    return error_response(404, "NOT_FOUND", "no such resource")


async def not_allowed(_request: Request, exc: Exception) -> Response:
    response = error_response(405, "METHOD_NOT_ALLOWED", "this resource is read-only: use GET")
    response.headers.update(getattr(exc, "headers", None) or {})  # Allow, by RFC 9110
    return response


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


_readiness = logging.getLogger("referat.readyz")


async def readyz(request: Request) -> JSONResponse:
    """Ready or not, and nothing more: why not names the database (driver, host, port,
    name), so it goes to the server's log, never to the client."""
    database: Database = request.app.state.database
    try:
        await anyio.to_thread.run_sync(ensure_migrated, database.engine)
    except Exception as exc:  # NotMigratedError: unreachable or not at head; or anything
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _readiness.warning("not ready: %s: %s", type(exc).__name__, reason)
        return JSONResponse({"status": "not ready"}, status_code=503)
    return JSONResponse({"status": "ready"})
