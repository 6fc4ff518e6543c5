"""nodehttp.asgi: ASGI 3 applications (HTTP and lifespan) on a nodehttp Server, over real
sockets on 127.0.0.1, on both backends; a Starlette application; the command."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import pytest

from nodehttp import Server, runtime
from nodehttp.asgi import (
    ClientDisconnectedError,
    LifespanFailureError,
    Message,
    Receive,
    Scope,
    Send,
    create_asgi_server,
    lifespan,
    serve,
)

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 10


# Client side -----------------------------------------------------------------------------

class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes,
                 trailers: list[tuple[str, str]], chunks: list[bytes]) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
        self.chunks = chunks

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n == name]
        return values[0] if values else None


class Client:
    """A raw HTTP/1.1 client on one connection: exact bytes out, responses parsed back."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def send(self, data: bytes) -> None:
        await self.stream.send(data)

    async def _fill(self) -> None:
        data = await self.stream.receive()
        self.buffer += data

    async def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            await self._fill()
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    async def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            await self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    async def response(self, head: bool = False) -> Response:
        """The next response; ``head``: it answers a HEAD request (no body)."""
        with anyio.fail_after(TIMEOUT):
            status = int((await self._line()).split(b" ", 2)[1])
            headers = []
            while line := await self._line():
                name, _, value = line.decode("latin-1").partition(":")
                headers.append((name.lower(), value.strip()))
            names = [n for n, _ in headers]
            chunks: list[bytes] = []
            trailers = []
            if head or status in (204, 304):
                body = b""
            elif "content-length" in names:
                length = int(dict(headers)["content-length"])
                body = await self._exactly(length)
            elif dict(headers).get("transfer-encoding") == "chunked":
                while True:
                    size = int((await self._line()).split(b";")[0], 16)
                    if size == 0:
                        break
                    chunks.append(await self._exactly(size))
                    assert await self._exactly(2) == b"\r\n"
                while line := await self._line():
                    name, _, value = line.decode("latin-1").partition(":")
                    trailers.append((name.lower(), value.strip()))
                body = b"".join(chunks)
            else:
                body = await self.read_to_eof()
        return Response(status, headers, body, trailers, chunks)

    async def read_to_eof(self) -> bytes:
        with anyio.fail_after(TIMEOUT):
            while True:
                try:
                    await self._fill()
                except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionResetError):
                    break
        data, self.buffer = self.buffer, b""
        return data

    async def request(self, method: str = "GET", target: str = "/", body: bytes | None = None,
                      headers: str = "") -> Response:
        length = f"Content-Length: {len(body)}\r\n" if body is not None else ""
        await self.send(f"{method} {target} HTTP/1.1\r\nHost: x\r\n{headers}{length}\r\n".encode("latin-1")
                        + (body or b""))
        return await self.response(head=method == "HEAD")


@asynccontextmanager
async def connect(port: int) -> AsyncIterator[Client]:
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        yield Client(stream)


async def start(server: Server) -> int:
    ready = anyio.Event()
    server.listen(0, "127.0.0.1", ready.set)
    with anyio.fail_after(TIMEOUT):
        await ready.wait()
    address = server.address()
    assert isinstance(address, dict)
    return int(address["port"])


@asynccontextmanager
async def serving(app: Any, mode: str = "off", **options: Any) -> AsyncIterator[tuple[int, Server]]:
    """The app on a fresh server in a fresh runtime, with its lifespan when mode says so."""
    async with runtime():
        async with lifespan(app, mode) as state:
            server = create_asgi_server(app, state=state, **options)
            port = await start(server)
            try:
                yield port, server
            finally:
                server.close()
                server.close_all_connections()


async def read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    return b"".join(m.get("body", b"") for m in messages), messages


async def read_head(client: Client) -> bytes:
    with anyio.fail_after(TIMEOUT):
        while b"\r\n\r\n" not in client.buffer:
            await client._fill()
    return client.buffer.partition(b"\r\n\r\n")[0]


async def until(predicate: Any, what: str) -> None:
    with anyio.fail_after(TIMEOUT):
        while not predicate():
            await anyio.sleep(0.01)


# The hand-written application ---------------------------------------------------------------

async def test_scope_of_a_request(anyio_backend: str) -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    async with serving(app, root_path="/mount") as (port, _server):
        async with connect(port) as client:
            await client.send(b"GET /a%20b/%C3%A9?x=1&y=%20 HTTP/1.1\r\nHost: x\r\nX-Dup: 1\r\n"
                              b"Cookie: a=b\r\nx-dup: 2\r\n\r\n")
            response = await client.response()
            assert response.status == 204
            local_port = client.stream.extra(anyio.abc.SocketAttribute.local_port)
    scope = scopes[0]
    assert scope["type"] == "http"
    assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "GET"
    assert scope["scheme"] == "http"
    assert scope["root_path"] == "/mount"
    assert scope["path"] == "/mount/a b/é"
    assert scope["raw_path"] == b"/mount/a%20b/%C3%A9"
    assert scope["query_string"] == b"x=1&y=%20"
    assert scope["headers"] == [(b"host", b"x"), (b"x-dup", b"1"), (b"cookie", b"a=b"), (b"x-dup", b"2")]
    assert tuple(scope["client"]) == ("127.0.0.1", local_port)
    assert tuple(scope["server"]) == ("127.0.0.1", port)
    assert scope["state"] == {}


async def test_request_body_streams_in_messages_and_the_socket_pauses_for_a_slow_app(
        anyio_backend: str) -> None:
    go = anyio.Event()
    received: list[tuple[bytes, list[Message]]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await go.wait()
        received.append(await read_body(receive))
        body = received[0][0]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % len(body)})

    body = bytes(range(256)) * 4096  # 1 MiB
    async with serving(app) as (port, server):
        async with connect(port) as client, anyio.create_task_group() as tg:
            await client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
            tg.start_soon(client.send, body)
            # Nobody reads the body: above the high-water mark the server stops reading.
            await until(lambda: any(sock._paused for sock in server._connections), "socket paused")
            go.set()
            response = await client.response()
        assert response.status == 200 and response.body == b"%d" % len(body)
    data, messages = received[0]
    assert data == body
    assert all(m["type"] == "http.request" for m in messages)
    assert [m["more_body"] for m in messages] == [True] * (len(messages) - 1) + [False]
    assert len(messages) > 1


async def test_chunked_request_body(anyio_backend: str) -> None:
    received: list[tuple[bytes, list[Message]]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        received.append(await read_body(receive))
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": received[-1][0]})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            await client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            await client.send(b"6\r\n world\r\n0\r\n\r\n")
            response = await client.response()
            assert response.body == b"hello world"
            # A body-less request on the same connection: one message, empty, complete.
            response = await client.request("GET", "/")
            assert response.status == 200 and response.body == b""
    assert received[1][1] == [{"type": "http.request", "body": b"", "more_body": False}]


async def test_streamed_response_is_chunked_and_whole_one_gets_content_length(anyio_backend: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        if scope["path"] == "/stream":
            for part in (b"one", b"", b"two"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b"three"})
        else:
            await send({"type": "http.response.body", "body": b"whole"})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            streamed = await client.request("GET", "/stream")
            whole = await client.request("GET", "/")
            head = await client.request("HEAD", "/")
    assert streamed.header("transfer-encoding") == "chunked"
    assert streamed.chunks == [b"one", b"two", b"three"]
    assert whole.header("content-length") == "5" and whole.body == b"whole"
    assert whole.header("transfer-encoding") is None
    assert head.status == 200 and head.header("content-length") is None


async def test_pipelined_requests_are_answered_in_order(anyio_backend: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        if scope["path"] == "/slow":
            for part in (b"s1", b"s2"):
                await anyio.sleep(0.05)
                await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            await client.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            slow = await client.response()
            fast = await client.response()
    assert slow.chunks == [b"s1", b"s2", b"/slow"]
    assert fast.body == b"/fast"


async def test_response_backpressure_holds_send_until_the_client_reads(anyio_backend: str) -> None:
    chunk = b"z" * 65536
    count = 512  # 32 MiB: far more than the kernel buffers of a loopback connection
    sent = [0]
    done = anyio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        for _ in range(count):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent[0] += 1
        await send({"type": "http.response.body"})
        done.set()

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            # The client reads nothing: the application must stall well before the end.
            with anyio.fail_after(TIMEOUT):
                while True:
                    before = sent[0]
                    await anyio.sleep(0.3)
                    if sent[0] == before:
                        break
            assert sent[0] < count and not done.is_set()
            response = await client.response()
            assert len(response.body) == count * len(chunk)
        with anyio.fail_after(TIMEOUT):
            await done.wait()


async def test_duplicate_response_headers_keep_their_lines_and_order(anyio_backend: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": [
            (b"set-cookie", b"a=1"), (b"x-other", b"o"), (b"set-cookie", b"b=2; Path=/"),
            (b"transfer-encoding", b"gzip"),  # servers own the framing: ignored
        ]})
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            response = await client.request()
    assert response.status == 201
    assert [h for h in response.headers if h[0] in ("set-cookie", "x-other")] == [
        ("set-cookie", "a=1"), ("x-other", "o"), ("set-cookie", "b=2; Path=/")]
    assert response.header("transfer-encoding") is None and response.body == b"ok"


async def test_header_bytes_go_out_unchanged(anyio_backend: str) -> None:
    disposition = 'attachment; filename="é"'.encode()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # A length line before Content-Disposition would make Node re-read the value.
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", b"2"), (b"content-disposition", disposition), (b"x-latin", b"\xe9")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await read_head(client)
    assert b"\r\ncontent-disposition: " + disposition + b"\r\n" in head
    assert b"\r\nx-latin: \xe9\r\n" in head


async def test_response_trailers(anyio_backend: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert "http.response.trailers" in scope["extensions"]
        await send({"type": "http.response.start", "status": 200, "trailers": True,
                    "headers": [(b"trailer", b"x-checksum, x-more")]})
        await send({"type": "http.response.body", "body": b"data"})
        await send({"type": "http.response.trailers", "headers": [(b"x-checksum", b"abc")], "more_trailers": True})
        await send({"type": "http.response.trailers", "headers": [(b"x-more", b"1")]})

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            response = await client.request()
    assert response.body == b"data"
    assert response.trailers == [("x-checksum", "abc"), ("x-more", "1")]


@pytest.mark.parametrize("where", ["before start", "after start"])
async def test_an_exception_before_the_body_gives_500(anyio_backend: str, where: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if where == "after start":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
        raise ValueError("application bug")

    with caplog.at_level(logging.ERROR, logger="nodehttp.asgi"):
        async with serving(app) as (port, _server):
            async with connect(port) as client:
                response = await client.request()
                assert await client.read_to_eof() == b""  # the connection closes after it
    assert response.status == 500 and response.body == b"Internal Server Error"
    assert response.header("x-a") is None and response.header("connection") == "close"
    errors = [r for r in caplog.records if r.name == "nodehttp.asgi" and r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None and "application bug" in str(errors[0].exc_info[1])


async def test_an_exception_mid_body_closes_the_connection(anyio_backend: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise ValueError("mid-body bug")

    with caplog.at_level(logging.ERROR, logger="nodehttp.asgi"):
        async with serving(app) as (port, _server):
            async with connect(port) as client:
                await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                data = await client.read_to_eof()
    # Whatever of the head and chunk arrived, the body was never terminated.
    assert not data.endswith(b"0\r\n\r\n")
    assert any("mid-body bug" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


async def test_returning_without_a_response_gives_500(anyio_backend: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    with caplog.at_level(logging.ERROR, logger="nodehttp.asgi"):
        async with serving(app) as (port, _server):
            async with connect(port) as client:
                response = await client.request()
    assert response.status == 500
    assert any("without starting" in r.getMessage() for r in caplog.records)


async def test_protocol_errors_raise_in_the_application(anyio_backend: str) -> None:
    errors: list[BaseException] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.body", "body": b"too early"})
        except RuntimeError as exc:
            errors.append(exc)
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})
        try:
            await send({"type": "http.response.body", "body": b"too late"})
        except RuntimeError as exc:
            errors.append(exc)

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            response = await client.request()
            assert response.body == b"ok"
            await until(lambda: len(errors) == 2, "both errors")
    assert "before http.response.start" in str(errors[0])
    assert "after the response was complete" in str(errors[1])


async def test_client_disconnect(anyio_backend: str) -> None:
    events: list[Any] = []
    done = anyio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        events.append(await receive())  # waits until the client goes
        try:
            await send({"type": "http.response.start", "status": 200})
        except OSError as exc:
            events.append(exc)
        done.set()

    async with serving(app) as (port, server):
        async with connect(port) as client:
            await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await until(lambda: server._connections, "connection")
            await anyio.sleep(0.05)
        with anyio.fail_after(TIMEOUT):
            await done.wait()
    assert events[0] == {"type": "http.disconnect"}
    assert isinstance(events[1], ClientDisconnectedError) and events[1].code == "ERR_STREAM_DESTROYED"


async def test_client_disconnect_while_the_body_streams_in(anyio_backend: str) -> None:
    messages: list[Message] = []
    done = anyio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] == "http.disconnect":
                break
        done.set()

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            await client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            await until(lambda: messages, "first chunk")
        with anyio.fail_after(TIMEOUT):
            await done.wait()
    assert messages[0] == {"type": "http.request", "body": b"abc", "more_body": True}
    assert messages[-1] == {"type": "http.disconnect"}


async def test_receive_after_the_response_is_disconnect(anyio_backend: str) -> None:
    messages: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})
        messages.append(await receive())
        messages.append(await receive())

    async with serving(app) as (port, _server):
        async with connect(port) as client:
            # The body was never read by the app: it is discarded, the connection goes on.
            assert (await client.request("POST", "/", b"unread")).body == b"ok"
            assert (await client.request("GET", "/")).body == b"ok"
            await until(lambda: len(messages) == 4, "messages")
    assert messages[1] == messages[3] == {"type": "http.disconnect"}


# Lifespan ---------------------------------------------------------------------------------

def lifespan_app(log: list[str], *, startup: str = "complete", shutdown: str = "complete") -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            assert scope["asgi"]["version"] == "3.0"
            message = await receive()
            log.append(message["type"])
            if startup == "raise":
                raise RuntimeError("startup crash")
            scope["state"]["db"] = "connected"
            await send({"type": f"lifespan.startup.{startup}", "message": "no database"})
            message = await receive()
            log.append(message["type"])
            if shutdown == "raise":
                raise RuntimeError("shutdown crash")
            await send({"type": f"lifespan.shutdown.{shutdown}", "message": "could not flush"})
            return
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": repr(scope.get("state")).encode()})
    return app


async def test_lifespan_startup_state_and_shutdown(anyio_backend: str) -> None:
    log: list[str] = []
    async with serving(lifespan_app(log), "on") as (port, _server):
        assert log == ["lifespan.startup"]
        async with connect(port) as client:
            response = await client.request()
    assert response.body == b"{'db': 'connected'}"
    assert log == ["lifespan.startup", "lifespan.shutdown"]


@pytest.mark.parametrize("mode", ["auto", "on"])
async def test_lifespan_startup_failed(anyio_backend: str, mode: str) -> None:
    log: list[str] = []
    async with runtime():
        with pytest.raises(LifespanFailureError, match="no database") as info:
            async with lifespan(lifespan_app(log, startup="failed"), mode):
                pytest.fail("startup failed: the block must not run")
    assert info.value.phase == "startup" and info.value.message == "no database"
    assert log == ["lifespan.startup"]


async def test_lifespan_exception_is_a_failure_when_on_and_unsupported_when_auto(
        anyio_backend: str, caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []
    async with runtime():
        with pytest.raises(LifespanFailureError, match="startup crash"):
            async with lifespan(lifespan_app(log, startup="raise"), "on"):
                pytest.fail("startup failed: the block must not run")
        with caplog.at_level(logging.INFO, logger="nodehttp.asgi"):
            async with lifespan(lifespan_app(log, startup="raise"), "auto") as state:
                assert state == {}
    assert log == ["lifespan.startup", "lifespan.startup"]  # no shutdown for an app without lifespan
    assert any("unsupported" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("shutdown", ["failed", "raise"])
async def test_lifespan_shutdown_failure(anyio_backend: str, shutdown: str) -> None:
    log: list[str] = []
    async with runtime():
        with pytest.raises(LifespanFailureError) as info:
            async with lifespan(lifespan_app(log, shutdown=shutdown), "on"):
                pass
    assert info.value.phase == "shutdown"
    assert log == ["lifespan.startup", "lifespan.shutdown"]


async def test_lifespan_off_sends_nothing(anyio_backend: str) -> None:
    log: list[str] = []
    async with serving(lifespan_app(log), "off") as (port, _server):
        async with connect(port) as client:
            assert (await client.request()).body == b"{}"
    assert log == []


async def test_serve_runs_lifespan_around_the_server_and_stops_on_its_event(anyio_backend: str) -> None:
    log: list[str] = []
    stop = anyio.Event()
    ports: list[int] = []

    def on_listening(server: Server) -> None:
        address = server.address()
        assert isinstance(address, dict)
        ports.append(address["port"])

    async def client() -> None:
        await until(lambda: ports, "listening")
        async with connect(ports[0]) as c:
            log.append((await c.request()).body.decode())
        stop.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(client)
        with anyio.fail_after(TIMEOUT):
            await serve(lifespan_app(log), "127.0.0.1", 0, lifespan_mode="on", handle_signals=False,
                        shutdown_event=stop, on_listening=on_listening)
    assert log == ["lifespan.startup", "{'db': 'connected'}", "lifespan.shutdown"]


async def test_serve_lets_a_busy_request_finish_at_shutdown(anyio_backend: str) -> None:
    stop = anyio.Event()
    started = anyio.Event()
    ports: list[int] = []
    replies: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started.set()
        await anyio.sleep(0.2)
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"finished"})

    def on_listening(server: Server) -> None:
        address = server.address()
        assert isinstance(address, dict)
        ports.append(address["port"])

    async def client() -> None:
        await until(lambda: ports, "listening")
        async with connect(ports[0]) as c:
            await c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await started.wait()
            stop.set()  # shutdown begins while the request is in the application
            replies.append((await c.response()).body)

    async with anyio.create_task_group() as tg:
        tg.start_soon(client)
        with anyio.fail_after(TIMEOUT):
            await serve(app, "127.0.0.1", 0, handle_signals=False, shutdown_event=stop,
                        on_listening=on_listening)
    assert replies == [b"finished"]


async def test_serve_raises_the_startup_failure(anyio_backend: str) -> None:
    with pytest.raises(LifespanFailureError, match="no database"):
        with anyio.fail_after(TIMEOUT):
            await serve(lifespan_app([], startup="failed"), "127.0.0.1", 0, handle_signals=False)


# Starlette ------------------------------------------------------------------------------

def starlette_app(log: list[str]) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Route

    @asynccontextmanager
    async def life(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        log.append("startup")
        yield {"greeting": "hello"}
        log.append("shutdown")

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{request.state.greeting} {request.path_params['name']}")

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse({"length": len(body), "query": request.query_params.get("q"),
                             "agent": request.headers.get("user-agent")})

    async def stream(request: Request) -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(3):
                yield b"part%d;" % i
        return StreamingResponse(parts(), media_type="text/plain")

    async def cookies(request: Request) -> Response:
        response = Response("cookies")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    async def boom(request: Request) -> Response:
        raise ValueError("starlette route bug")

    return Starlette(routes=[Route("/hello/{name}", hello), Route("/echo", echo, methods=["POST"]),
                             Route("/stream", stream), Route("/cookies", cookies), Route("/boom", boom)],
                     lifespan=life)


async def test_starlette_application(anyio_backend: str, caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []
    app = starlette_app(log)
    with caplog.at_level(logging.ERROR, logger="nodehttp.asgi"):
        async with serving(app, "on") as (port, _server):
            assert log == ["startup"]
            async with connect(port) as client:
                hello = await client.request("GET", "/hello/world")
                echo = await client.request("POST", "/echo?q=%C3%A9", b"x" * 70000, "User-Agent: t\r\n")
                stream = await client.request("GET", "/stream")
                cookies = await client.request("GET", "/cookies")
                missing = await client.request("GET", "/nowhere")
            async with connect(port) as client:
                boom = await client.request("GET", "/boom")
    assert log == ["startup", "shutdown"]
    assert hello.status == 200 and hello.body == b"hello world"
    assert hello.header("content-type") == "text/plain; charset=utf-8"
    assert echo.status == 200 and echo.body == b'{"length":70000,"query":"\xc3\xa9","agent":"t"}'
    assert stream.body == b"part0;part1;part2;" and stream.header("transfer-encoding") == "chunked"
    assert [v.split(";")[0] for n, v in cookies.headers if n == "set-cookie"] == ["a=1", "b=2"]
    assert missing.status == 404
    assert boom.status == 500
    assert any("starlette route bug" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


# The command ------------------------------------------------------------------------------

CLI_APP = '''
import gc, os, sys

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        message = await receive()
        if os.environ.get("FAIL_STARTUP"):
            await send({"type": "lifespan.startup.failed", "message": "refused to start"})
            return
        print("app: startup", file=sys.stderr, flush=True)
        await send({"type": "lifespan.startup.complete"})
        await receive()
        print("app: shutdown", file=sys.stderr, flush=True)
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/plain"), (b"x-frozen", str(gc.get_freeze_count()).encode())]})
    await send({"type": "http.response.body", "body": b"from the command"})
'''


class Process:
    """The command as a subprocess; its stderr is collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "nodehttp.asgi", *args], cwd=ROOT,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = re.search(pattern, line)
                if match:
                    return match
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r} in {self.lines!r}")

    def stop(self) -> None:
        """Always called (finally): the process is gone and its pipe closed afterwards."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(TIMEOUT)
        self.reader.join(TIMEOUT)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def http_get(port: int) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_command_serves_and_stops_gracefully(backend: str, tmp_path: Path) -> None:
    (tmp_path / "cli_app.py").write_text(textwrap.dedent(CLI_APP))
    process = Process(["cli_app:app", "--host", "127.0.0.1", "--port", "0", "--backend", backend,
                       "--lifespan", "on", "--app-dir", str(tmp_path)])
    try:
        port = int(process.wait_for(r"serving on http://127\.0\.0\.1:(\d+)").group(1))
        assert process.lines.index("app: startup") < len(process.lines)
        reply = http_get(port)
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"\r\n\r\nfrom the command")
        # The startup heap went to the permanent generation (run()'s gc_freeze).
        frozen = re.search(rb"\r\nx-frozen: (\d+)\r\n", reply)
        assert frozen is not None and int(frozen.group(1)) > 1000
        process.proc.send_signal(signal.SIGTERM)
        assert process.proc.wait(TIMEOUT) == 0
        process.reader.join(TIMEOUT)
        assert "app: shutdown" in process.lines
    finally:
        process.stop()


def test_command_without_gc_freeze(tmp_path: Path) -> None:
    (tmp_path / "cli_app.py").write_text(textwrap.dedent(CLI_APP))
    process = Process(["cli_app:app", "--port", "0", "--lifespan", "off", "--no-gc-freeze",
                       "--app-dir", str(tmp_path)])
    try:
        port = int(process.wait_for(r"serving on http://127\.0\.0\.1:(\d+)").group(1))
        assert b"\r\nx-frozen: 0\r\n" in http_get(port)
    finally:
        process.stop()


def test_command_exits_3_when_startup_fails(tmp_path: Path) -> None:
    (tmp_path / "cli_app.py").write_text(textwrap.dedent(CLI_APP))
    process = Process(["cli_app:app", "--port", "0", "--app-dir", str(tmp_path)], {"FAIL_STARTUP": "1"})
    try:
        assert process.proc.wait(TIMEOUT) == 3
        process.reader.join(TIMEOUT)
        assert any("refused to start" in line for line in process.lines)
    finally:
        process.stop()


def test_command_reports_an_app_it_cannot_import(tmp_path: Path) -> None:
    process = Process(["no_such_module_here:app", "--port", "0", "--app-dir", str(tmp_path)])
    try:
        assert process.proc.wait(TIMEOUT) == 1
        process.reader.join(TIMEOUT)
        assert any("cannot load the ASGI application" in line for line in process.lines)
    finally:
        process.stop()
