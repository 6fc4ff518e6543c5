"""Upgrade and CONNECT through the client, on both backends.

The request bytes and the event order are the reference Node's: node 24.21.0's
``http.request`` with the same options, against a raw ``net.createServer`` that records
the request head, answers with the fixed bytes below (``HEAD`` being the first bytes of
the new protocol) and then echoes ``echo:<data>`` for whatever comes next. The listener
for 'upgrade'/'connect' writes ``ping`` on the socket it is given and ends it on the
echo. Then the same exchanges against nodehttp's own server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest

import nodehttp
from nodehttp import Agent, ClientRequest, IncomingMessage
from nodehttp._net import Socket
from tests.test_client import LOOPBACK, TIMEOUT, close, listen, raw_server

pytestmark = pytest.mark.anyio

SWITCHING = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nHEAD"
ESTABLISHED = b"HTTP/1.1 200 Connection Established\r\nProxy-Agent: x\r\n\r\nHEAD"


class Recorder:
    """What the raw server saw: each request head, then what came after it."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self.after: list[bytes] = []
        self.ended = 0


@asynccontextmanager
async def switching_server(reply: bytes) -> AsyncIterator[tuple[int, Recorder]]:
    """Answers every request head with ``reply``, then echoes until the client ends."""
    seen = Recorder()
    listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    data += await stream.receive()
                seen.heads.append(data)
                await stream.send(reply)
                while True:
                    chunk = await stream.receive()
                    seen.after.append(chunk)
                    await stream.send(b"echo:" + chunk)
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                seen.ended += 1

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        yield port, seen
        while seen.ended < len(seen.heads):
            await anyio.sleep(0.01)
        tg.cancel_scope.cancel()


class Exchange:
    """One upgrade or CONNECT request: the events in Node's terms, and what came through."""

    def __init__(self, req: ClientRequest, event: str, listen_for_it: bool) -> None:
        self.req = req
        self.events: list[str] = []
        self.res: IncomingMessage | None = None
        self.head: bytes | None = None
        self.socket: Socket | None = None
        self.done = anyio.Event()
        for name in ("socket", "finish", "response", "close", "abort", "information"):
            req.on(name, lambda *_, name=name: self.events.append(name))
        req.on("error", lambda err: self.events.append(f"error {err.code}"))
        if listen_for_it:
            req.on(event, self.on_switch)
        else:
            req.on("socket", lambda sock: sock.on("close", lambda *_: (self.events.append("sock-close"),
                                                                      self.done.set())))

    def on_switch(self, res: IncomingMessage, sock: Socket, head: bytes) -> None:
        self.res, self.socket, self.head = res, sock, head
        self.events.append("switch")

        def on_data(data: bytes) -> None:
            self.events.append(f"sock-data {data.decode()}")
            sock.end()

        sock.on("data", on_data)
        sock.on("close", lambda *_: (self.events.append("sock-close"), self.done.set()))
        sock.write(b"ping")


def exchange(options: dict[str, Any], event: str, listen_for_it: bool = True) -> Exchange:
    req = nodehttp.request(options)
    ex = Exchange(req, event, listen_for_it)
    req.end()
    return ex


# (id, options, the bytes node 24.21.0 sent, PORT standing for the port)
UPGRADES: list[tuple[str, dict[str, Any], bytes]] = [
    ("global_agent", {"path": "/ws", "headers": {"Connection": "Upgrade", "Upgrade": "websocket"}},
     b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nHost: 127.0.0.1:PORT\r\n\r\n"),
    ("keep_alive_agent", {"path": "/ws2", "agent": "keep-alive",
                          "headers": {"Upgrade": "websocket", "Connection": "Upgrade"}},
     b"GET /ws2 HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1:PORT\r\n\r\n"),
    ("no_connection_header", {"path": "/ws4", "agent": False, "headers": {"Upgrade": "websocket"}},
     b"GET /ws4 HTTP/1.1\r\nUpgrade: websocket\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n"),
]

CONNECTS: list[tuple[str, dict[str, Any], bytes]] = [
    ("global_agent", {"method": "CONNECT", "path": "example.com:443"},
     b"CONNECT example.com:443 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    ("no_agent", {"method": "CONNECT", "path": "example.com:443", "agent": False,
                  "headers": {"Proxy-Authorization": "Basic eA=="}},
     b"CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic eA==\r\nHost: 127.0.0.1:PORT\r\n"
     b"Connection: close\r\n\r\n"),
]


@pytest.mark.parametrize(("kind", "name", "options", "expected"),
                         [("upgrade", *case) for case in UPGRADES] + [("connect", *case) for case in CONNECTS],
                         ids=[f"upgrade-{c[0]}" for c in UPGRADES] + [f"connect-{c[0]}" for c in CONNECTS])
async def test_switch_matches_node(anyio_backend: str, kind: str, name: str, options: dict[str, Any],
                                   expected: bytes) -> None:
    reply = SWITCHING if kind == "upgrade" else ESTABLISHED
    options = dict(options)
    agent = Agent(keep_alive=True) if options.get("agent") == "keep-alive" else None
    if agent is not None:
        options["agent"] = agent
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with switching_server(reply) as (port, seen):
                ex = exchange({"host": LOOPBACK, "port": port, **options}, kind)
                await ex.done.wait()
    assert seen.heads == [expected.replace(b"PORT", str(port).encode())]
    # node 24.21.0: no 'response'; the request closes right after handing the socket over,
    # and the socket then carries the new protocol both ways.
    assert ex.events == ["socket", "finish", "switch", "close", "sock-data echo:ping", "sock-close"]
    assert seen.after == [b"ping"]
    res = ex.res
    assert res is not None and ex.head == b"HEAD"
    if kind == "upgrade":
        assert (res.status_code, res.status_message) == (101, "Switching Protocols")
        assert res.headers == {"upgrade": "websocket", "connection": "Upgrade"}
    else:
        assert (res.status_code, res.status_message) == (200, "Connection Established")
        assert res.headers == {"proxy-agent": "x"}
    # node 24.21.0: complete, upgrade, the socket no longer the request's
    assert res.complete and res.upgrade
    assert ex.socket is not None and ex.socket._http_message is None
    if agent is not None:
        # node 24.21.0: the agent let go of the socket ('agentRemove')
        assert (agent.sockets, agent.free_sockets, agent.total_socket_count) == ({}, {}, 0)


@pytest.mark.parametrize("kind", ["upgrade", "connect"])
async def test_switch_without_a_listener_destroys_the_socket(anyio_backend: str, kind: str) -> None:
    if kind == "upgrade":
        reply, expected = SWITCHING, (b"GET /ws3 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                      b"Host: 127.0.0.1:PORT\r\n\r\n")
        options: dict[str, Any] = {"path": "/ws3", "headers": {"Connection": "Upgrade", "Upgrade": "websocket"}}
    else:
        reply, expected = ESTABLISHED, (b"CONNECT example.com:443 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n"
                                        b"Connection: keep-alive\r\n\r\n")
        options = {"method": "CONNECT", "path": "example.com:443"}
    agent = Agent(keep_alive=True)
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with switching_server(reply) as (port, seen):
                ex = exchange({"host": LOOPBACK, "port": port, "agent": agent, **options}, kind, listen_for_it=False)
                await ex.done.wait()
    assert seen.heads == [expected.replace(b"PORT", str(port).encode())]
    # node 24.21.0: the socket is destroyed; the request just closes, with no error.
    assert ex.events == ["socket", "finish", "close", "sock-close"]
    assert seen.after == [] and seen.ended == 1
    assert (agent.sockets, agent.free_sockets, agent.total_socket_count) == ({}, {}, 0)


async def test_upgrade_against_nodehttp_server(anyio_backend: str) -> None:
    server_saw: list[Any] = []

    def on_upgrade(req: IncomingMessage, sock: Socket, head: bytes) -> None:
        server_saw.append((req.method, req.url, req.headers.get("upgrade"), head))
        sock.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello")
        sock.on("data", lambda data: sock.write(b"echo:" + data))
        sock.on("end", lambda: sock.end())

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server()
            server.on("upgrade", on_upgrade)
            port = await listen(server)
            agent = Agent(keep_alive=True)
            req = nodehttp.request({"host": LOOPBACK, "port": port, "path": "/chat", "agent": agent,
                                    "headers": {"Connection": "Upgrade", "Upgrade": "echo"}})
            req.end()
            res, sock, head = await nodehttp.once(req, "upgrade")
            assert (agent.sockets, agent.total_socket_count) == ({}, 0)
            received = [head]
            done = anyio.Event()

            def on_data(data: bytes) -> None:
                received.append(data)
                so_far = b"".join(received)
                if so_far.endswith(b"echo:one"):
                    sock.write(b"two")  # after the first echo, so that the two never merge
                elif so_far.endswith(b"echo:two"):
                    sock.end()

            sock.on("data", on_data)
            sock.on("close", lambda *_: done.set())
            sock.write(b"one")
            await done.wait()
            await close(server)
    assert server_saw == [("GET", "/chat", "echo", b"")]
    assert res.status_code == 101 and res.headers["upgrade"] == "echo"
    assert b"".join(received) == b"helloecho:oneecho:two"


async def test_connect_against_nodehttp_server_with_head_bytes(anyio_backend: str) -> None:
    server_saw: list[Any] = []

    def on_connect(req: IncomingMessage, sock: Socket, head: bytes) -> None:
        server_saw.append((req.method, req.url, head))
        # The tunnel's first bytes ride in the same packet as the response head.
        sock.write(b"HTTP/1.1 200 Connection Established\r\n\r\ntunnel:" + head)
        sock.on("data", lambda data: sock.write(b"tunnel:" + data))
        sock.on("end", lambda: sock.end())

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server()
            server.on("connect", on_connect)
            port = await listen(server)
            req = nodehttp.request({"host": LOOPBACK, "port": port, "method": "CONNECT",
                                    "path": "example.com:443", "agent": False})
            # Bytes written with the request head reach the server's 'connect' as head.
            req.end(b"early")
            res, sock, head = await nodehttp.once(req, "connect")
            received = [head]
            done = anyio.Event()
            sock.on("data", lambda data: (received.append(data), sock.end()))
            sock.on("close", lambda *_: done.set())
            sock.write(b"later")
            await done.wait()
            await close(server)
    assert server_saw == [("CONNECT", "example.com:443", b"early")]
    assert res.status_code == 200 and head == b"tunnel:early"
    assert b"".join(received) == b"tunnel:earlytunnel:later"


async def test_connect_body_bytes_match_node(anyio_backend: str) -> None:
    # node 24.21.0: request({method: 'CONNECT', path: 'example.com:443', agent: false}).end('early')
    # sends the bytes after the head, with no Content-Length.
    expected = b"CONNECT example.com:443 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\nearly"
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: b"HTTP/1.1 200 Connection Established\r\n\r\n",
                                  lambda data: len(data) >= len(expected)) as (port, got):
                req = nodehttp.request({"host": LOOPBACK, "port": port, "method": "CONNECT",
                                        "path": "example.com:443", "agent": False})
                done = anyio.Event()
                heads: list[bytes] = []
                req.on("connect", lambda res, sock, head: (heads.append(head), sock.end()))
                req.on("close", done.set)
                req.end(b"early")
                await done.wait()
    assert got == [expected.replace(b"PORT", str(port).encode())] and heads == [b""]
