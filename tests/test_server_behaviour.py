"""http.Server behaviours beyond single replies: isolation, timeouts, bodies, errors."""

from __future__ import annotations

import anyio
import pytest

from nodehttp import IncomingMessage, Server, ServerResponse, create_server, current_runtime, run, runtime

pytestmark = pytest.mark.anyio

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def start(server: Server) -> int:
    ready = anyio.Event()
    server.listen(0, "127.0.0.1", ready.set)
    with anyio.fail_after(5):
        await ready.wait()
    address = server.address()
    assert address is not None
    return int(address["port"])


async def read_until(stream: anyio.abc.ByteStream, marker: bytes) -> bytes:
    data = b""
    with anyio.fail_after(5):
        while marker not in data:
            data += await stream.receive()
    return data


async def read_to_eof(stream: anyio.abc.ByteStream) -> bytes:
    data = b""
    with anyio.fail_after(5):
        while True:
            try:
                data += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return data


@pytest.mark.parametrize("bad", [
    b"BLAH / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"v" * 17000 + b"\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
async def test_a_bad_client_never_disturbs_another(anyio_backend: str, bad: bytes) -> None:
    def answer_after_body(req: IncomingMessage, res: ServerResponse) -> None:
        req.on("end", lambda: res.end("ok"))
        req.resume()

    async with runtime():
        server = create_server(answer_after_body)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as good, \
                await anyio.connect_tcp("127.0.0.1", port) as evil:
            await good.send(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nab")
            await evil.send(bad)
            reply = await read_to_eof(evil)
            assert reply.startswith(b"HTTP/1.1 4") and reply.endswith(b"Connection: close\r\n\r\n")
            await good.send(b"c")  # the good client finishes its body only now
            assert (await read_until(good, b"\r\n\r\nok")).startswith(b"HTTP/1.1 200 OK")
        server.close()


async def test_keep_alive_timeout_closes_idle_sockets(anyio_backend: str) -> None:
    async with runtime():
        server = create_server({"keep_alive_timeout": 50, "keep_alive_timeout_buffer": 0},
                               lambda req, res: res.end("ok"))
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(GET)
            reply = await read_to_eof(client)  # the server closes once idle
            assert b"Keep-Alive: timeout=0" in reply and reply.endswith(b"ok")
        server.close()


async def test_request_body_by_async_iteration(anyio_backend: str) -> None:
    received: list[bytes] = []

    async def handler(req: IncomingMessage, res: ServerResponse) -> None:
        async for chunk in req:
            received.append(chunk)
        res.end(str(sum(map(len, received))))

    async with runtime():
        server = create_server(handler)
        port = await start(server)
        body = b"x" * 100_000
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
            for i in range(0, len(body), 7000):
                await client.send(body[i:i + 7000])
            assert (await read_until(client, b"\r\n\r\n100000")).startswith(b"HTTP/1.1 200 OK")
        server.close()
    assert b"".join(received) == body


async def test_pipelined_requests_are_answered_in_order_even_when_the_first_is_slow(
        anyio_backend: str) -> None:
    async def handler(req: IncomingMessage, res: ServerResponse) -> None:
        if req.url == "/slow":
            await anyio.sleep(0.05)
        res.end(req.url)

    async with runtime():
        server = create_server(handler)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            data = await read_until(client, b"/fast")
            assert data.index(b"/slow") < data.index(b"/fast")
        server.close()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_raising_handler_is_reported_like_an_uncaught_exception(backend: str) -> None:
    async def main() -> None:
        def handler(req: IncomingMessage, res: ServerResponse) -> None:
            raise RuntimeError("handler bug")

        server = create_server(handler)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(GET)
            await read_to_eof(client)

    with pytest.raises(RuntimeError, match="handler bug"):
        run(main, backend=backend)


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost: x\r\n", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab"])
async def test_slow_clients_get_408_and_others_are_served(anyio_backend: str, sent: bytes) -> None:
    # Observed from node 24.21.0 with the same options and handler: all three get the 408.
    def answer_after_body(req: IncomingMessage, res: ServerResponse) -> None:
        req.on("end", lambda: res.end("ok"))
        req.resume()

    async with runtime():
        server = create_server({"headers_timeout": 100, "request_timeout": 200,
                                "connections_checking_interval": 20}, answer_after_body)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as slow:
            await slow.send(sent)
            async with await anyio.connect_tcp("127.0.0.1", port) as quick:
                await quick.send(GET)
                assert (await read_until(quick, b"\r\n\r\nok")).startswith(b"HTTP/1.1 200 OK")
            assert await read_to_eof(slow) == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
        server.close()


async def test_set_encoding_and_pipe(anyio_backend: str) -> None:
    texts: list[str] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        if req.url == "/text":
            req.set_encoding("utf8")
            req.on("data", texts.append)
            req.on("end", lambda: res.end("".join(texts)))
        else:
            req.pipe(res)  # echo the body back

    async with runtime():
        server = create_server(handler)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            body = "caf\u00e9 \u2603".encode()
            # The snowman's three bytes arrive in two writes: decoded whole all the same.
            await client.send(b"POST /text HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
                              + body[:-2])
            await anyio.sleep(0.01)
            await client.send(body[-2:])
            assert (await read_until(client, body)).startswith(b"HTTP/1.1 200 OK")
            await client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            assert (await read_until(client, b"0\r\n\r\n")).endswith(b"5\r\nhello\r\n0\r\n\r\n")
        server.close()
    assert all(isinstance(t, str) for t in texts) and "".join(texts) == "caf\u00e9 \u2603"


async def test_close_ends_idle_keep_alive_connections_at_once(anyio_backend: str) -> None:
    closed = anyio.Event()
    async with runtime():
        server = create_server(lambda req, res: res.end("ok"))
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(GET)
            await read_until(client, b"\r\n\r\nok")
            server.close(closed.set)  # the connection is idle: Node 24 closes it now
            with anyio.fail_after(2):  # well under the 5 s keep-alive timeout
                assert await read_to_eof(client) == b""
                await closed.wait()


@pytest.mark.parametrize("with_error", [False, True])
async def test_close_completes_after_a_connection_is_destroyed(anyio_backend: str, with_error: bool) -> None:
    """server.close()'s callback waits for every connection; one destroyed by the handler
    (with or without an error) must be forgotten, or 'close' never comes."""
    errors: list[BaseException] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        req.socket.on("error", errors.append)
        req.socket.destroy(RuntimeError("boom") if with_error else None)

    async with runtime():
        server = create_server(handler)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(GET)
            assert await read_to_eof(client) == b""
        closed = anyio.Event()
        server.close(lambda *_: closed.set())
        with anyio.fail_after(5):
            await closed.wait()
        assert server._connections == set()
    assert [str(e) for e in errors] == (["boom"] if with_error else [])


async def test_server_close_comes_before_the_idle_sockets_close(anyio_backend: str) -> None:
    """Node counts a connection out when it is destroyed: server.close() destroys an idle
    keep-alive connection and the server's 'close' (next tick) comes before the socket's own
    'close' (after its handle closed). Order observed from Node 24.21.0 (conformance
    scenario server_close_order)."""
    order: list[str] = []
    async with runtime():
        server = create_server(lambda req, res: res.end("ok"))
        server.on("connection", lambda sock: sock.on("close", lambda *_: order.append("socket-close")))
        server.on("close", lambda: order.append("server-close"))
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(GET)
            await read_until(client, b"\r\n\r\nok")
            # From a Node-style callback (a timer), whose ticks run before any I/O callback
            # as Node's do; ticks queued by an async task's step run on the loop's queue.
            current_runtime().set_timeout(server.close, 0)
            assert await read_to_eof(client) == b""
        with anyio.fail_after(5):
            while len(order) < 2:
                await anyio.sleep(0.001)
    assert order == ["server-close", "socket-close"]
