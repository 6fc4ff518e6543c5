"""The http client (request, get, ClientRequest, Agent) and net.connect, on both backends.

Request bytes are compared with what the reference Node sent for the same call, observed
from node 24.21.0 with a raw TCP server (``net.createServer`` that records every byte and
answers ``HTTP/1.1 200 OK``, ``Content-Length: 0``, ``Connection: close``); the port in
the Host header is the only part that varies and is substituted here.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest

import nodehttp
from nodehttp import Agent, ClientRequest, IncomingMessage, ServerResponse
from nodehttp._net import Socket, SocketError, connect

from ._loopback import close, listen

pytestmark = pytest.mark.anyio

LOOPBACK = "127.0.0.1"
TIMEOUT = 5


def echo(req: IncomingMessage, res: ServerResponse) -> None:
    """Answers with what it received: method, url, framing headers and body."""
    chunks: list[bytes] = []
    req.on("data", chunks.append)

    def done() -> None:
        body = b"".join(chunks)
        res.set_header("X-Method", req.method)
        res.set_header("X-Url", req.url)
        res.set_header("X-Content-Length", str(req.headers.get("content-length")))
        res.set_header("X-Transfer-Encoding", str(req.headers.get("transfer-encoding")))
        res.set_header("X-Remote-Port", str(req.socket.remote_port))
        res.set_header("Content-Type", "text/plain")
        res.end(b"echo:" + body)

    req.on("end", done)


class Result:
    """What one request produced."""

    def __init__(self) -> None:
        self.res: IncomingMessage | None = None
        self.body = b""
        self.error: BaseException | None = None
        self.events: list[str] = []
        self.done = anyio.Event()


def fetch(body: list[bytes] | None = None, **options: Any) -> tuple[ClientRequest, Result]:
    """Send a request; the Result fills in as events arrive (``done`` at 'close')."""
    result = Result()

    def on_response(res: IncomingMessage) -> None:
        result.res = res
        result.events.append("response")
        chunks: list[bytes] = []
        res.on("data", chunks.append)
        res.on("end", lambda: (result.events.append("end"), setattr(result, "body", b"".join(chunks))))

    req = nodehttp.request(options, on_response)
    req.on("error", lambda err: (result.events.append("error"), setattr(result, "error", err)))
    req.on("socket", lambda sock: result.events.append("socket"))
    req.on("finish", lambda: result.events.append("finish"))
    req.on("close", lambda: (result.events.append("close"), result.done.set()))
    for chunk in (body or [])[:-1]:
        req.write(chunk)
    req.end((body or [b""])[-1] or None)
    return req, result


@asynccontextmanager
async def raw_server(reply: Callable[[bytes], bytes | None],
                     complete: Callable[[bytes], bool]) -> AsyncIterator[tuple[int, list[bytes]]]:
    """A plain TCP server: collects what each connection sends until ``complete``, then
    sends ``reply(received)`` (None: just close) and closes."""
    received: list[bytes] = []
    listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            while not complete(data):
                try:
                    data += await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    break
            received.append(data)
            answer = reply(data)
            if answer is not None:
                await stream.send(answer)

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        yield port, received
        tg.cancel_scope.cancel()


OK_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


# Observed from node 24.21.0: the bytes each call sent, PORT standing for the port.
NODE_REQUESTS: list[tuple[str, dict[str, Any], list[bytes], bytes]] = [
    # http.get({host:'127.0.0.1', port, path:'/x?y=1', headers:{'X-Foo':'bar','accept':'*/*'}})
    ("get", {"host": LOOPBACK, "path": "/x?y=1", "headers": {"X-Foo": "bar", "accept": "*/*"}}, [],
     b"GET /x?y=1 HTTP/1.1\r\nX-Foo: bar\r\naccept: */*\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    # http.get({host:'127.0.0.1', port, path:'/', agent:false})
    ("get_no_agent", {"host": LOOPBACK, "path": "/", "agent": False}, [],
     b"GET / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n"),
    # http.request({host:'127.0.0.1', port, method:'POST', path:'/p',
    #               headers:{'Content-Type':'text/plain'}}).end('hello')
    ("post_content_length", {"host": LOOPBACK, "method": "POST", "path": "/p",
                             "headers": {"Content-Type": "text/plain"}}, [b"hello"],
     b"POST /p HTTP/1.1\r\nContent-Type: text/plain\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n"
     b"Content-Length: 5\r\n\r\nhello"),
    # r = http.request({host:'127.0.0.1', port, method:'POST', path:'/p'}); r.write('ab'); r.end('cde')
    ("post_chunked", {"host": LOOPBACK, "method": "POST", "path": "/p"}, [b"ab", b"cde"],
     b"POST /p HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"),
    # http.request({host:'127.0.0.1', port, method:'HEAD', path:'/h'}).end()
    ("head", {"host": LOOPBACK, "method": "HEAD", "path": "/h"}, [],
     b"HEAD /h HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    # http.request({host:'127.0.0.1', port, method:'DELETE', path:'/d'}).end()
    ("delete", {"host": LOOPBACK, "method": "DELETE", "path": "/d"}, [],
     b"DELETE /d HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    # http.request({host:'localhost', port, path:'/k', agent: new http.Agent({keepAlive:true})}).end()
    ("keep_alive_agent", {"host": "localhost", "path": "/k", "agent": "keep-alive"}, [],
     b"GET /k HTTP/1.1\r\nHost: localhost:PORT\r\nConnection: keep-alive\r\n\r\n"),
    # http.request({host:'localhost', port, path:'/k', agent: new http.Agent()}).end()
    ("plain_agent", {"host": "localhost", "path": "/k", "agent": "plain"}, [],
     b"GET /k HTTP/1.1\r\nHost: localhost:PORT\r\nConnection: close\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "options", "body", "expected"), NODE_REQUESTS, ids=[c[0] for c in NODE_REQUESTS])
async def test_request_bytes_match_node(anyio_backend: str, name: str, options: dict[str, Any],
                                        body: list[bytes], expected: bytes) -> None:
    options = dict(options)
    if options.get("agent") == "keep-alive":
        options["agent"] = Agent(keep_alive=True)
    elif options.get("agent") == "plain":
        options["agent"] = Agent()
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK_CLOSE, lambda data: len(data) >= len(expected)) as (port, got):
                options["port"] = port
                req, result = fetch(body, **options)
                await result.done.wait()
            assert result.error is None
            assert result.res is not None and result.res.status_code == 200
    assert got == [expected.replace(b"PORT", str(port).encode())]


async def test_get_against_server(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            done = anyio.Event()
            seen: dict[str, Any] = {}

            async def on_response(res: IncomingMessage) -> None:
                seen["res"] = res
                seen["body"] = b"".join([chunk async for chunk in res])
                done.set()

            req = nodehttp.get({"host": LOOPBACK, "port": port, "path": "/a?b=c"}, on_response)
            assert isinstance(req, ClientRequest)
            await done.wait()
            res = seen["res"]
            assert res.status_code == 200 and res.status_message == "OK"
            assert res.http_version == "1.1"
            assert res.headers["x-method"] == "GET" and res.headers["x-url"] == "/a?b=c"
            assert res.headers["content-type"] == "text/plain"
            assert res.headers["content-length"] == "5"
            assert "Content-Type" in res.raw_headers
            assert seen["body"] == b"echo:"
            assert res.complete
            nodehttp.global_agent.destroy()
            await close(server)


async def test_url_string_and_events(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            result = Result()
            req = nodehttp.request(f"http://{LOOPBACK}:{port}/u", {"agent": False},
                                   lambda res: (result.events.append("response"), res.resume(),
                                                res.on("end", lambda: result.events.append("end")),
                                                res.on("close", lambda: result.events.append("res-close"))))
            req.on("socket", lambda sock: result.events.append("socket"))
            req.on("finish", lambda: result.events.append("finish"))
            req.on("close", lambda: (result.events.append("close"), result.done.set()))
            req.end()
            await result.done.wait()
            # The order node 24.21.0 gives for the same call.
            assert result.events == ["socket", "finish", "response", "end", "res-close", "close"]
            await close(server)


@pytest.mark.parametrize("chunked", [False, True])
async def test_post_body(anyio_backend: str, chunked: bool) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            body = [b"hello ", b"world"] if chunked else [b"hello world"]
            req, result = fetch(body, host=LOOPBACK, port=port, method="post", path="/p", agent=False)
            await result.done.wait()
            assert result.error is None and result.res is not None
            headers = result.res.headers
            assert headers["x-method"] == "POST"
            if chunked:
                assert headers["x-transfer-encoding"] == "chunked"
                assert headers["x-content-length"] == "None"
            else:
                assert headers["x-content-length"] == "11"
                assert headers["x-transfer-encoding"] == "None"
            assert result.body == b"echo:hello world"
            await close(server)


async def test_head_has_no_body(anyio_backend: str) -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.set_header("Content-Length", "12")
        res.end()

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(handler)
            port = await listen(server)
            agent = Agent(keep_alive=True)
            _, result = fetch(host=LOOPBACK, port=port, method="HEAD", agent=agent)
            await result.done.wait()
            assert result.res is not None
            assert result.res.headers["content-length"] == "12"
            assert result.body == b""
            assert "end" in result.events
            # The body the server did not send was not waited for: the socket is reusable.
            _, second = fetch(host=LOOPBACK, port=port, method="HEAD", agent=agent)
            await second.done.wait()
            assert second.res is not None and second.res.status_code == 200
            agent.destroy()
            await close(server)


async def test_keep_alive_reuses_socket(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            agent = Agent(keep_alive=True)
            name = agent.get_name({"host": LOOPBACK, "port": port})
            assert name == f"{LOOPBACK}:{port}:"
            first_req, first = fetch(host=LOOPBACK, port=port, agent=agent)
            await first.done.wait()
            await anyio.sleep(0.01)  # 'free' follows 'close' on the next tick
            assert len(agent.free_sockets[name]) == 1 and name not in agent.sockets
            second_req, second = fetch(host=LOOPBACK, port=port, agent=agent)
            await second.done.wait()
            assert first_req.reused_socket is False and second_req.reused_socket is True
            assert first.res is not None and second.res is not None
            assert first.res.headers["x-remote-port"] == second.res.headers["x-remote-port"]
            agent.destroy()
            await close(server)


@asynccontextmanager
async def echo_and_keep_alive_agent() -> AsyncIterator[tuple[int, Agent]]:
    """Inside a runtime: an echo server's port and a keep-alive Agent, both closed after."""
    async with nodehttp.runtime():
        server = nodehttp.create_server(echo)
        port = await listen(server)
        agent = Agent(keep_alive=True)
        try:
            yield port, agent
        finally:
            agent.destroy()
            await close(server)


async def test_exchange_is_freed_without_the_cycle_collector(anyio_backend: str) -> None:
    # res.req is weak (docs/differences.md): a request and its response form no cycle,
    # so dropping them frees them at once, with the cyclic collector off.
    seen: list[bool] = []
    closed = anyio.Event()

    def on_response(res: IncomingMessage) -> None:
        seen.append(res.req is not None and res.req.res is res)
        res.resume()

    with anyio.fail_after(TIMEOUT):
        async with echo_and_keep_alive_agent() as (port, agent):
            gc.disable()
            try:
                req = nodehttp.get({"host": LOOPBACK, "port": port, "agent": agent}, on_response)
                req.on("close", closed.set)
                await closed.wait()
                await anyio.sleep(0.01)  # the response's 'close' and the socket's 'free'
                res = req.res
                assert res is not None and res.complete and res.req is req
                refs = (weakref.ref(req), weakref.ref(res))
                del req, res
                alive = [ref() is not None for ref in refs]
            finally:
                gc.enable()
    assert seen == [True] and alive == [False, False]


async def test_response_req_reads_none_once_the_request_is_gone(anyio_backend: str) -> None:
    kept: list[IncomingMessage] = []
    with anyio.fail_after(TIMEOUT):
        async with echo_and_keep_alive_agent() as (port, agent):
            result = fetch(host=LOOPBACK, port=port, agent=agent)[1]
            await result.done.wait()
            await anyio.sleep(0.01)  # pooled: the socket lets go of the request
            assert result.res is not None
            kept.append(result.res)
    del result
    gc.collect()
    assert kept[0].req is None and kept[0].status_code == 200


async def test_server_closing_idle_socket_drops_it(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            server.keep_alive_timeout = 50
            server.keep_alive_timeout_buffer = 0
            port = await listen(server)
            agent = Agent(keep_alive=True)
            name = agent.get_name({"host": LOOPBACK, "port": port})
            _, first = fetch(host=LOOPBACK, port=port, agent=agent)
            await first.done.wait()
            while agent.free_sockets.get(name):
                await anyio.sleep(0.02)
            req, second = fetch(host=LOOPBACK, port=port, agent=agent)
            await second.done.wait()
            assert req.reused_socket is False and second.res is not None
            agent.destroy()
            await close(server)


async def test_max_sockets_queues(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            agent = Agent(keep_alive=True, max_sockets=1)
            name = agent.get_name({"host": LOOPBACK, "port": port})
            first_req, first = fetch(host=LOOPBACK, port=port, agent=agent)
            second_req, second = fetch(host=LOOPBACK, port=port, agent=agent)
            assert agent.requests[name] == [second_req]
            assert len(agent.sockets[name]) == 1
            await first.done.wait()
            await second.done.wait()
            assert name not in agent.requests
            assert first.res is not None and second.res is not None
            assert first.res.headers["x-remote-port"] == second.res.headers["x-remote-port"]
            assert second.body == b"echo:"
            agent.destroy()
            await close(server)


async def test_max_sockets_without_keep_alive(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            port = await listen(server)
            agent = Agent(max_sockets=1)
            results = [fetch(host=LOOPBACK, port=port, agent=agent)[1] for _ in range(3)]
            for result in results:
                await result.done.wait()
                assert result.error is None and result.body == b"echo:"
            await close(server)


async def test_connection_refused(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            await listener.aclose()
            _, result = fetch(host=LOOPBACK, port=port)
            await result.done.wait()
    assert isinstance(result.error, SocketError)
    assert result.error.code == "ECONNREFUSED"
    assert str(result.error) == f"connect ECONNREFUSED {LOOPBACK}:{port}"
    # As node 24.21.0: no 'finish', since nothing was written.
    assert result.events == ["socket", "error", "close"]


async def test_socket_hang_up(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: None, lambda data: b"\r\n\r\n" in data) as (port, _):
                _, result = fetch(host=LOOPBACK, port=port)
                await result.done.wait()
    assert isinstance(result.error, SocketError)
    assert result.error.code == "ECONNRESET" and str(result.error) == "socket hang up"
    # As node 24.21.0.
    assert result.events == ["socket", "finish", "error", "close"]


async def test_malformed_response(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: b"HTTP/1.1 2x0 OK\r\n\r\n", lambda data: b"\r\n\r\n" in data) as (port, _):
                _, result = fetch(host=LOOPBACK, port=port)
                await result.done.wait()
    assert isinstance(result.error, nodehttp.ParseError)
    assert result.error.code == "HPE_INVALID_STATUS"
    assert result.res is None


async def test_informational_then_response(anyio_backend: str) -> None:
    reply = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
             b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: reply, lambda data: b"\r\n\r\n" in data) as (port, _):
                req, result = fetch(host=LOOPBACK, port=port)
                info: list[Any] = []
                req.on("continue", lambda: info.append("continue"))
                req.on("information", lambda i: info.append((i["status_code"], i["headers"])))
                await result.done.wait()
    assert info == ["continue", (100, {}), (103, {"link": "</a>"})]
    assert result.res is not None and result.res.status_code == 201 and result.body == b"ok"


async def test_destroy_before_response(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: None, lambda data: b"\r\n\r\n" in data) as (port, _):
                req = nodehttp.request({"host": LOOPBACK, "port": port})
                events: list[Any] = []
                closed = anyio.Event()
                req.on("error", lambda err: events.append(err.code))
                req.on("close", lambda: (events.append("close"), closed.set()))
                req.end()
                req.destroy()
                await closed.wait()
    assert events == ["ECONNRESET", "close"]


async def test_net_connect_buffers_until_connected(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: b"pong", lambda data: data.endswith(b"!")) as (port, got):
                events: list[Any] = []
                closed = anyio.Event()
                sock = connect(port, LOOPBACK, lambda: events.append("connect"))
                assert isinstance(sock, Socket) and sock.connecting
                sock.write(b"ping")
                sock.write(b"!")
                sock.on("data", events.append)
                sock.on("close", lambda had_error: (events.append(("close", had_error)), closed.set()))
                await closed.wait()
    assert got == [b"ping!"]
    assert events == ["connect", b"pong", ("close", False)]


async def test_timeout_option(anyio_backend: str) -> None:
    def silent(req: IncomingMessage, res: ServerResponse) -> None:
        """Never answers."""

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(silent)
            port = await listen(server)
            req, result = fetch(host=LOOPBACK, port=port, timeout=50, agent=False)
            req.on("timeout", lambda: (result.events.append("timeout"), req.destroy()))
            await result.done.wait()
            await close(server)
    assert result.events == ["socket", "finish", "timeout", "error", "close"]
    assert isinstance(result.error, SocketError) and str(result.error) == "socket hang up"


async def test_set_timeout(anyio_backend: str) -> None:
    def silent(req: IncomingMessage, res: ServerResponse) -> None:
        """Never answers."""

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(silent)
            port = await listen(server)
            req, result = fetch(host=LOOPBACK, port=port, agent=False)
            timed_out = anyio.Event()
            req.set_timeout(50, timed_out.set)
            await timed_out.wait()
            req.destroy()
            await result.done.wait()
            await close(server)


async def test_queued_request_event_order(anyio_backend: str) -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        req.resume()
        req.on("end", lambda: res.end("hi"))

    events: list[str] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(handler)
            port = await listen(server)
            agent = Agent(keep_alive=True, max_sockets=1)
            done = anyio.Event()

            def send(tag: str) -> None:
                def on_response(res: IncomingMessage) -> None:
                    events.append(f"{tag}:response")
                    res.resume()
                    res.on("end", lambda: events.append(f"{tag}:end"))
                    res.on("close", lambda: events.append(f"{tag}:res-close"))

                req = nodehttp.request({"host": LOOPBACK, "port": port, "agent": agent}, on_response)
                for name in ("socket", "finish", "close"):
                    req.on(name, lambda *_, name=name: events.append(f"{tag}:{name}"))
                req.on("close", lambda: (events.append(f"{tag}:reused={req.reused_socket}"),
                                         tag == "b" and done.set()))
                req.end()

            send("a")
            send("b")
            await done.wait()
            agent.destroy()
            await close(server)
    # Observed from node 24.21.0 (a queued request is handed the socket through 'free',
    # not reuseSocket, so its reusedSocket stays false).
    assert " ".join(events).startswith(
        "a:socket a:finish a:response a:end a:close a:reused=False b:socket a:res-close "
        "b:finish b:response b:end b:close b:reused=False")


async def test_response_cut_short(anyio_backend: str) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    events: list[str] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: reply, lambda data: b"\r\n\r\n" in data) as (port, _):
                done = anyio.Event()

                def on_response(res: IncomingMessage) -> None:
                    events.append("response")
                    res.on("data", lambda d: events.append(f"data:{d.decode()}"))
                    for name in ("aborted", "end"):
                        res.on(name, lambda name=name: events.append(f"res:{name}"))
                    res.on("error", lambda e: events.append(f"res:error:{e}:{e.code}"))
                    res.on("close", lambda: (events.append("res:close"), done.set()))

                req = nodehttp.get({"host": LOOPBACK, "port": port}, on_response)
                req.on("close", lambda: events.append("req:close"))
                await done.wait()
    # Observed from node 24.21.0.
    assert events == ["response", "data:abc", "res:aborted", "req:close", "res:error:aborted:ECONNRESET",
                      "res:close"]


async def test_deprecated_create_client_still_requests(anyio_backend: str) -> None:
    async with nodehttp.runtime():
        server = nodehttp.create_server(lambda req, res: res.end(req.method + " " + req.url))
        ready = anyio.Event()
        server.listen(0, "127.0.0.1", ready.set)
        with anyio.fail_after(5):
            await ready.wait()
        with pytest.deprecated_call():
            client = nodehttp.create_client(server.address()["port"], "127.0.0.1")  # type: ignore[index]
        got = anyio.Event()
        body: list[bytes] = []

        def on_response(res: Any) -> None:
            res.on("data", body.append)
            res.on("end", got.set)

        req = client.request("PUT", "/old")
        req.on("response", on_response)
        req.end()
        with anyio.fail_after(5):
            await got.wait()
        server.close()
    assert b"".join(body) == b"PUT /old"


@pytest.mark.parametrize("no_delay", [False, True])
async def test_set_no_delay_before_the_socket_applies_on_connect(anyio_backend: str, no_delay: bool) -> None:
    """Node defers setNoDelay/setSocketKeepAlive until the request's socket connects; the
    options reach the kernel even when called right after request()."""
    import socket as _socket

    seen: dict[str, int] = {}
    async with nodehttp.runtime():
        server = nodehttp.create_server(lambda req, res: res.end("ok"))
        ready = anyio.Event()
        server.listen(0, "127.0.0.1", ready.set)
        with anyio.fail_after(5):
            await ready.wait()
        port = server.address()["port"]
        done = anyio.Event()

        def on_response(res: Any) -> None:
            fd_sock = _socket.socket(fileno=_dup_fd(res.socket))
            try:
                seen["nodelay"] = fd_sock.getsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY)
                seen["keepalive"] = fd_sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_KEEPALIVE)
            finally:
                fd_sock.close()
            res.resume()
            res.on("end", done.set)

        req = nodehttp.get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)
        req.set_no_delay(no_delay)
        req.set_socket_keep_alive(True, 1000)
        with anyio.fail_after(5):
            await done.wait()
        server.close()
    assert seen == {"nodelay": int(no_delay), "keepalive": 1}


def _dup_fd(sock: Socket) -> int:
    """A duplicate of the socket's file descriptor, whichever transport carries it."""
    import os

    transport: Any = sock._transport
    raw = getattr(transport, "_raw", None)
    if raw is None:
        raw = transport._transport.get_extra_info("socket")
    return os.dup(raw.fileno())


async def test_an_idle_pooled_socket_that_reads_eof_is_destroyed_without_end(anyio_backend: str) -> None:
    """Node 24's agent guards its idle sockets: EOF on one destroys it at once ('close'
    without error, no 'end') and it leaves the pool (as the conformance scenario
    free_socket_eof shows against the reference Node)."""
    events: list[Any] = []
    server_sockets: list[Socket] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(echo)
            server.on("connection", server_sockets.append)
            port = await listen(server)
            agent = Agent(keep_alive=True)
            name = agent.get_name({"host": LOOPBACK, "port": port})
            req, first = fetch(host=LOOPBACK, port=port, agent=agent)
            req.on("socket", lambda sock: (sock.on("end", lambda: events.append("end")),
                                           sock.on("close", lambda had_error: events.append(("close", had_error)))))
            await first.done.wait()
            while not agent.free_sockets.get(name):
                await anyio.sleep(0.001)
            server_sockets[0].end()
            while not events:
                await anyio.sleep(0.001)
            assert events == [("close", False)]
            assert not agent.free_sockets.get(name)
            agent.destroy()
            await close(server)
