"""Cancelling a client exchange (anyio cancel scopes), on both backends.

The scope that encloses ``async with nodehttp.runtime()`` is cancelled at each point a
client exchange waits (connecting, request sent with no answer yet, part of the body
read, queued for a pooled socket) while the code inside is blocked in an await; after
that, no task of the exchange is left, no socket is open (the server sees the client
close), the agent's pool is empty, and nothing keeps a runtime alive. A task awaiting
``nodehttp.once(req, 'response')`` can be cancelled alone, leaving no listener behind.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest
import sniffio

import nodehttp
from nodehttp import Agent
from nodehttp._net import connect
from nodehttp._runtime import Runtime
from tests.test_client import LOOPBACK, TIMEOUT

pytestmark = pytest.mark.anyio


def open_sockets() -> int:
    """How many sockets this process has open (Linux's /proc)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass  # closed while listing (the listing's own fd)
    return count


def living_tasks() -> int:
    if sniffio.current_async_library() == "trio":
        import trio

        return int(trio.lowlevel.current_statistics().tasks_living)
    return len([t for t in asyncio.all_tasks() if not t.done()])


class HeldServer:
    """A plain TCP server that reads a request head, does ``then`` and holds the connection
    open until the client closes it; it records what it saw."""

    def __init__(self, then: Callable[[anyio.abc.SocketStream], Any] | None = None) -> None:
        self.then = then
        self.port = 0
        self.heads = 0
        self.got_head = anyio.Event()
        self.closed_by_client = 0
        self.connections = 0

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        self.connections += 1
        async with stream:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    data += await stream.receive()
                self.heads += 1
                self.got_head.set()
                if self.then is not None:
                    await self.then(stream)
                while True:
                    await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                self.closed_by_client += 1


@asynccontextmanager
async def held_server(then: Callable[[anyio.abc.SocketStream], Any] | None = None) -> AsyncIterator[HeldServer]:
    server = HeldServer(then)
    listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
    server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.handle)
        yield server
        # Every connection the client opened must end from the client's side.
        with anyio.move_on_after(2):
            while server.closed_by_client < server.connections:
                await anyio.sleep(0.01)
        assert server.closed_by_client == server.connections, "a client socket was left open"
        tg.cancel_scope.cancel()


def assert_pool_empty(agent: Agent) -> None:
    assert (agent.sockets, agent.free_sockets, agent.requests, agent.total_socket_count) == ({}, {}, {}, 0)


@asynccontextmanager
async def leak_check() -> AsyncIterator[None]:
    """Asserts that what runs inside leaves no task and no socket behind."""
    tasks, sockets = living_tasks(), open_sockets()
    yield
    # asyncio closes an aborted transport's socket on its next loop pass.
    with anyio.move_on_after(2):
        while open_sockets() != sockets or living_tasks() != tasks:
            await anyio.sleep(0.01)
    assert (living_tasks(), open_sockets()) == (tasks, sockets), "(tasks, sockets) left behind"


async def cancelled_runtime(exchange: Callable[[anyio.CancelScope], Any]) -> Runtime:
    """Runs ``await exchange(scope)`` in a runtime inside ``scope``; the exchange (or the
    server) cancels the scope while the exchange waits. Returns the ended runtime."""
    with anyio.CancelScope() as scope:
        async with nodehttp.runtime() as rt:
            await exchange(scope)
            raise AssertionError("the exchange was not cancelled")
    assert scope.cancelled_caught
    return rt


async def test_cancel_while_connecting(anyio_backend: str) -> None:
    agent = Agent(keep_alive=True)
    seen: list[Any] = []

    async def exchange(scope: anyio.CancelScope) -> None:
        def lookup(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
            # A resolver that never answers; the program is cancelled meanwhile.
            seen.append([sock.connecting for sock in agent.sockets["example.test:1:"]])
            scope.cancel()

        req = nodehttp.request({"host": "example.test", "port": 1, "lookup": lookup, "agent": agent})
        req.end()
        await nodehttp.once(req, "response")

    with anyio.fail_after(TIMEOUT):
        async with leak_check():
            rt = await cancelled_runtime(exchange)
    assert seen == [[True]]
    assert_pool_empty(agent)
    assert rt._refs <= 0


async def test_cancel_before_the_connect_task_ran(anyio_backend: str) -> None:
    agent = Agent(keep_alive=True)

    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server() as server:

            async def exchange(scope: anyio.CancelScope) -> None:
                req = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent})
                req.end()
                assert req.socket is None or req.socket.connecting
                scope.cancel()
                await nodehttp.once(req, "response")

            await cancelled_runtime(exchange)
    assert_pool_empty(agent)


async def test_cancel_after_the_request_was_sent(anyio_backend: str) -> None:
    agent = Agent(keep_alive=True)
    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server() as server:

            async def exchange(scope: anyio.CancelScope) -> None:
                req = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent})
                req.end()
                # The server cancels once it has the request: the client waits for the head.
                cancel_when_sent = anyio.Event()
                server.got_head = cancel_when_sent
                nodehttp.current_runtime().spawn(_cancel_on, cancel_when_sent, scope)
                await nodehttp.once(req, "response")

            await cancelled_runtime(exchange)
            assert server.heads == 1
    assert_pool_empty(agent)


async def _cancel_on(event: anyio.Event, scope: anyio.CancelScope) -> None:
    await event.wait()
    scope.cancel()


async def test_cancel_mid_body(anyio_backend: str) -> None:
    agent = Agent(keep_alive=True)
    got_part = anyio.Event()
    chunks: list[bytes] = []

    async def partial(stream: anyio.abc.SocketStream) -> None:
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")

    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server(partial) as server:

            async def exchange(scope: anyio.CancelScope) -> None:
                req = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent})
                req.end()
                nodehttp.current_runtime().spawn(_cancel_on, got_part, scope)
                (res,) = await nodehttp.once(req, "response")
                async for chunk in res:
                    chunks.append(chunk)
                    got_part.set()  # cancelled while waiting for the rest

            await cancelled_runtime(exchange)
    assert chunks == [b"abc"]
    assert_pool_empty(agent)


async def test_cancel_while_queued_for_a_pooled_socket(anyio_backend: str) -> None:
    agent = Agent(keep_alive=True, max_sockets=1)
    queued: list[Any] = []
    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server() as server:

            async def exchange(scope: anyio.CancelScope) -> None:
                first = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent})
                first.end()
                second = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent, "path": "/2"})
                second.end()
                name = agent.get_name({"host": LOOPBACK, "port": server.port})
                queued.append(agent.requests[name] == [second])
                nodehttp.current_runtime().spawn(_cancel_on, server.got_head, scope)
                await nodehttp.once(second, "response")

            await cancelled_runtime(exchange)
            assert server.heads == 1
    assert queued == [True]
    assert_pool_empty(agent)


async def test_a_later_runtime_uses_the_agent_after_a_cancelled_one(anyio_backend: str) -> None:
    """The pool a cancelled program leaves serves the next one (max_sockets=1)."""
    agent = Agent(keep_alive=True, max_sockets=1)
    with anyio.fail_after(TIMEOUT):
        async with held_server() as server:

            async def exchange(scope: anyio.CancelScope) -> None:
                for path in ("/1", "/2"):
                    nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": agent, "path": path}).end()
                nodehttp.current_runtime().spawn(_cancel_on, server.got_head, scope)
                await anyio.sleep_forever()

            await cancelled_runtime(exchange)
        async with nodehttp.runtime():
            answered = nodehttp.create_server(lambda req, res: res.end("fine"))
            ready = anyio.Event()
            answered.listen(0, LOOPBACK, ready.set)
            await ready.wait()
            port = answered.address()["port"]  # type: ignore[index]
            req = nodehttp.get({"host": LOOPBACK, "port": port, "agent": agent})
            (res,) = await nodehttp.once(req, "response")
            body = b"".join([chunk async for chunk in res])
            agent.destroy()
            answered.close()
    assert body == b"fine"


async def test_cancelled_once_leaves_no_listener(anyio_backend: str) -> None:
    """Cancelling the task that awaits once(req, 'response') stops only that wait."""
    go = anyio.Event()

    async def answer_on_go(stream: anyio.abc.SocketStream) -> None:
        await go.wait()
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server(answer_on_go) as server:
            async with nodehttp.runtime() as rt:
                req = nodehttp.request({"host": LOOPBACK, "port": server.port, "agent": False})
                req.end()
                with anyio.CancelScope() as scope:
                    rt.spawn(_cancel_on, server.got_head, scope)
                    await nodehttp.once(req, "response")
                assert scope.cancelled_caught
                assert (req.listener_count("response"), req.listener_count("error")) == (0, 0)
                go.set()
                (res,) = await nodehttp.once(req, "response")
                body = b"".join([chunk async for chunk in res])
            # The runtime ended by itself: nothing was left to keep it alive.
            assert rt._refs <= 0
    assert res.status_code == 200 and body == b"ok"


@pytest.mark.parametrize("stage", ["connecting", "sent", "queued"])
async def test_cancelled_waits_then_destroy_let_the_runtime_end(anyio_backend: str, stage: str) -> None:
    """Cancel the wait inside the program and destroy the requests: the runtime then
    ends by itself (no ref is left), with the pool empty."""
    agent = Agent(keep_alive=True, max_sockets=1)
    errors: list[str] = []

    def never(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        """A resolver that never answers."""

    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server() as server:
            async with nodehttp.runtime() as rt:
                options: dict[str, Any] = {"host": LOOPBACK, "port": server.port, "agent": agent}
                if stage == "connecting":
                    options.update(host="example.test", lookup=never)
                requests = [nodehttp.request(options)]
                if stage == "queued":
                    requests.append(nodehttp.request(options))
                for req in requests:
                    req.on("error", lambda err: errors.append(err.code))
                    req.end()
                with anyio.CancelScope() as scope:
                    if stage == "connecting":
                        rt.set_timeout(scope.cancel, 1)
                    else:
                        rt.spawn(_cancel_on, server.got_head, scope)
                    await nodehttp.once(requests[-1], "response")
                assert scope.cancelled_caught
                for req in requests:
                    req.destroy()
            assert rt._refs <= 0
    assert_pool_empty(agent)
    # Node's answer to destroy() before a response: ECONNRESET (socket hang up) each.
    assert errors == ["ECONNRESET"] * len(requests)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_run_returns_after_a_cancelled_wait(backend: str) -> None:
    """nodehttp.run() returns once a cancelled request is destroyed."""
    agent = Agent(keep_alive=True)

    async def main() -> str:
        def lookup(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
            scope.cancel()

        req = nodehttp.request({"host": "example.test", "port": 1, "lookup": lookup, "agent": agent})
        req.on("error", lambda err: None)
        req.end()
        with anyio.CancelScope() as scope:
            await nodehttp.once(req, "response")
        req.destroy()
        return "returned"

    # (pytest's timeout is what guards a hang here: there is no loop to set one in)
    assert nodehttp.run(main, backend=backend) == "returned"
    assert_pool_empty(agent)


async def test_destroy_before_the_connect_task_ran(anyio_backend: str) -> None:
    """A socket destroyed before its connect task started (trio starts it later) never
    connects: before, the task connected anyway and the socket stayed open."""
    events: list[Any] = []
    with anyio.fail_after(TIMEOUT):
        async with leak_check(), held_server() as server:
            async with nodehttp.runtime():
                sock = connect(server.port, LOOPBACK, lambda: events.append("connect"))
                sock.on("close", lambda had_error: events.append(("close", had_error)))
                sock.destroy()
    assert events == [("close", False)] and server.connections == 0


async def test_a_cancelled_programs_queued_request_is_not_sent(anyio_backend: str) -> None:
    """Two programs share an agent (max_sockets=1); one is cancelled while its request
    waits in the queue. The socket the other frees goes to the other's next request: the
    cancelled program's request is never sent (it used to get the socket, and then hold it
    for good on trio, or go out on it on asyncio)."""
    agent = Agent(keep_alive=True, max_sockets=1)
    go = anyio.Event()
    paths: list[bytes] = []

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            try:
                while True:
                    while b"\r\n\r\n" not in data:
                        data += await stream.receive()
                    head, data = data.split(b"\r\n\r\n", 1)
                    paths.append(head.split(b" ")[1])
                    await go.wait()
                    await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass

    async def program(path: str, queued: anyio.Event | None, bodies: list[bytes]) -> None:
        async with nodehttp.runtime():
            req = nodehttp.get({"host": LOOPBACK, "port": port, "agent": agent, "path": path})
            if queued is not None:
                queued.set()
            (res,) = await nodehttp.once(req, "response")
            bodies.append(b"".join([chunk async for chunk in res]))

    with anyio.fail_after(TIMEOUT):
        listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        name = agent.get_name({"host": LOOPBACK, "port": port})
        async with listener, anyio.create_task_group() as servers:
            servers.start_soon(listener.serve, handle)
            bodies: list[bytes] = []
            async with anyio.create_task_group() as programs:
                first_queued = anyio.Event()
                programs.start_soon(program, "/b1", first_queued, bodies)
                await first_queued.wait()
                cancelled = anyio.CancelScope()
                a_queued, a_over = anyio.Event(), anyio.Event()
                programs.start_soon(_in_scope, cancelled, a_over, program, "/a1", a_queued)
                await a_queued.wait()
                programs.start_soon(program, "/b2", None, bodies)
                while len(agent.requests.get(name, ())) < 2:
                    await anyio.sleep(0.01)
                cancelled.cancel()
                await a_over.wait()  # the cancelled program is gone; its request stays queued
                go.set()
            agent.destroy()
            servers.cancel_scope.cancel()
    assert paths == [b"/b1", b"/b2"] and bodies == [b"ok", b"ok"]
    assert_pool_empty(agent)


async def _in_scope(scope: anyio.CancelScope, over: anyio.Event, func: Callable[..., Any], *args: Any) -> None:
    try:
        with scope:
            await func(*args, [])
    finally:
        over.set()
