"""Responses gzipped for clients that take gzip (starlette's GZipMiddleware), and passed
through at almost no cost for those that do not.

Starlette answers a client that does not take gzip through an "identity responder" that
parses the response's head into header objects and holds it until the body comes, to
decide whether to add ``Vary: Accept-Encoding``: a third of the time a small GraphQL
answer spends in the app. Here the head goes on at once, ``Vary: Accept-Encoding``
added unless the response is encoded already: the same for caches whatever the size
(a response that could be gzipped for another client varies by Accept-Encoding).
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Message, Receive, Scope, Send

_VARY = b"vary"
_BY_ENCODING = b"Accept-Encoding"


class Compression(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _accepts_gzip(scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _varying(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_varying)


def _accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in headers)


def _varying(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The head with Accept-Encoding among its Vary, unless it is encoded already."""
    kept: list[tuple[bytes, bytes]] = []
    vary: list[bytes] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-encoding":
            return list(headers)
        if lowered == _VARY:
            vary.append(value)
        else:
            kept.append((name, value))
    named = {part.strip().lower() for value in vary for part in value.split(b",")}
    if named & {b"*", b"accept-encoding"}:
        return list(headers)
    return [*kept, (_VARY, b", ".join([*vary, _BY_ENCODING]))]
