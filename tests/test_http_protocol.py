"""The HTTP protocol `referat serve` runs: a response written once a turn, and HTTP
served as uvicorn serves it (keep-alive, pipelining, streaming, closing)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from api.http_protocol import HttpProtocol, TurnWriter


class Recording(asyncio.Transport):
    """A socket's side of a transport: what reached it, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        assert not self.closed, "written after closing"
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0  # a socket that takes everything at once

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True


def test_what_one_turn_writes_reaches_the_socket_in_one_write() -> None:
    async def turns() -> list[bytes]:
        socket = Recording()
        writer = TurnWriter(socket, asyncio.get_running_loop())
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        writer.write(b"")
        writer.write(memoryview(b"ok"))
        assert socket.writes == [] and writer.get_write_buffer_size() == 40
        await asyncio.sleep(0)
        writer.write(b"next")
        await asyncio.sleep(0)
        return socket.writes

    head_and_body, later = asyncio.run(turns())
    assert head_and_body == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    assert later == b"next"


def test_closing_writes_what_is_pending_first_and_abort_drops_it() -> None:
    async def ends() -> tuple[Recording, Recording, Recording]:
        loop = asyncio.get_running_loop()
        closed, aborted, gone = Recording(), Recording(), Recording()
        TurnWriter(closed, loop).write(b"last words")
        writer = TurnWriter(closed, loop)
        writer.write(b"bye")
        writer.close()
        writer = TurnWriter(aborted, loop)
        writer.write(b"never")
        writer.abort()
        writer = TurnWriter(gone, loop)
        writer.write(b"to nobody")
        gone.closed = True  # the peer went away within the turn
        await asyncio.sleep(0)
        return closed, aborted, gone

    closed, aborted, gone = asyncio.run(ends())
    assert closed.closed and closed.writes == [b"bye"]  # the other writer's turn came later
    assert aborted.closed and aborted.writes == []
    assert gone.writes == []


App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/stream":  # a body over several turns of the loop
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one,", b"two,", b"three"):
            await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    answer = b"echo " + scope["path"].encode() + b" " + body
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


@asynccontextmanager
async def _serving(app: App) -> AsyncIterator[int]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, http=HttpProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def _response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


def test_served_requests_keep_alive_pipeline_stream_and_close() -> None:
    async def conversation() -> None:
        async with _serving(_app) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc")
            head, body = await _response(reader)
            assert head.startswith(b"HTTP/1.1 200 ") and body == b"echo /a abc"
            # Two requests in one packet, answered in order on the same connection.
            writer.write(b"GET /b HTTP/1.1\r\nhost: x\r\n\r\nGET /c HTTP/1.1\r\nhost: x\r\n\r\n")
            assert (await _response(reader))[1] == b"echo /b "
            assert (await _response(reader))[1] == b"echo /c "
            writer.write(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            assert b"transfer-encoding: chunked" in head
            chunked = await reader.readuntil(b"0\r\n\r\n")
            assert chunked == b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"
            # The last answer of a closing connection is written whole before it closes.
            writer.write(b"GET /d HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            assert (await _response(reader))[1] == b"echo /d "
            assert await reader.read() == b""
            writer.close()

    asyncio.run(conversation())
