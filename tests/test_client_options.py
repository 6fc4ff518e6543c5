"""The options of http.request, on both backends, against real sockets on 127.0.0.1.

Every expected value (request bytes, event order, error code and message) was observed
from node 24.21.0 with small scripts: a raw ``net.createServer`` that records what each
connection sends and answers ``HTTP/1.1 200 OK`` with ``Content-Length: 2``,
``Connection: close`` and ``ok`` (or the fixed bytes a test names), and ``http.request``
called with the camelCase form of the options given here. PORT stands for the port.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest

import nodehttp
from nodehttp import Agent, ClientRequest, IncomingMessage, NodeError, ServerResponse
from nodehttp._net import Socket, SocketError, connect
from tests.test_client import LOOPBACK, TIMEOUT, close, listen, raw_server

pytestmark = pytest.mark.anyio

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class Outcome:
    """What one request produced, with Node's event names in order."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.error: BaseException | None = None
        self.res: IncomingMessage | None = None
        self.body = b""
        self.socket: Socket | None = None
        self.done = anyio.Event()


def send(options: Any, body: bytes | None = None, *, done_on_error: bool = False,
         **kwargs: Any) -> tuple[ClientRequest, Outcome]:
    """``request(options, **kwargs)``, then ``end(body)``; ``done`` is set at 'close' (or at
    'error' with ``done_on_error``: a request that never had a socket has no 'close')."""
    out = Outcome()

    def on_response(res: IncomingMessage) -> None:
        out.res = res
        out.events.append("response")
        chunks: list[bytes] = []
        res.on("data", chunks.append)
        res.on("end", lambda: (out.events.append("end"), setattr(out, "body", b"".join(chunks))))

    def on_error(err: BaseException) -> None:
        out.events.append("error")
        out.error = err
        if done_on_error:
            out.done.set()

    req = nodehttp.request(options, on_response, **kwargs)
    req.on("socket", lambda sock: (out.events.append("socket"), setattr(out, "socket", sock)))
    req.on("error", on_error)
    req.on("close", lambda: (out.events.append("close"), out.done.set()))
    req.end(body)
    return req, out


def with_port(value: Any, port: int) -> Any:
    """``value`` with every "PORT" (in a string, a dict value, a list item) made ``port``."""
    if value == "PORT":
        return port
    if isinstance(value, str):
        return value.replace("PORT", str(port))
    if isinstance(value, dict):
        return {k: with_port(v, port) for k, v in value.items()}
    if isinstance(value, list):
        return [with_port(v, port) for v in value]
    return value


@pytest.fixture
def sock_path() -> Iterator[str]:
    """A unix socket path short enough for sun_path, in a directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nh-", dir="/tmp") as directory:
        yield os.path.join(directory, "s.sock")


@asynccontextmanager
async def raw_unix_server(path: str, reply: bytes) -> AsyncIterator[list[bytes]]:
    """A plain unix-socket server: records each request head, answers ``reply``, closes."""
    received: list[bytes] = []
    listener = await anyio.create_unix_listener(path)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            while b"\r\n\r\n" not in data:
                try:
                    data += await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    break
            received.append(data)
            await stream.send(reply)

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        yield received
        tg.cancel_scope.cancel()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def can_bind(address: str) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


# --- request bytes ---------------------------------------------------------------------

# (id, options or URL, body, the bytes node 24.21.0 sent). Options get host 127.0.0.1 and
# the server's port unless they say otherwise; an "agent" of "default_port" is
# new http.Agent({defaultPort: PORT}).
NODE_REQUESTS: list[tuple[str, Any, bytes | None, bytes]] = [
    # {auth: 'user:pa ss'}
    ("auth", {"path": "/auth1", "auth": "user:pa ss"}, None,
     b"GET /auth1 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\n"
     b"Connection: keep-alive\r\n\r\n"),
    # the userinfo of a URL is percent-decoded (Node's urlToHttpOptions)
    ("auth_url_percent_decoded", "http://us%20er:p%40ss@127.0.0.1:PORT/auth2", None,
     b"GET /auth2 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic dXMgZXI6cEBzcw==\r\n"
     b"Connection: keep-alive\r\n\r\n"),
    ("auth_url_password_only", "http://:pw@127.0.0.1:PORT/auth3", None,
     b"GET /auth3 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic OnB3\r\nConnection: keep-alive\r\n\r\n"),
    ("auth_url_user_only", "http://user@127.0.0.1:PORT/auth4", None,
     b"GET /auth4 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic dXNlcjo=\r\nConnection: keep-alive\r\n\r\n"),
    # an Authorization header of the user's wins over auth
    ("auth_header_wins", {"path": "/auth5", "auth": "a:b", "headers": {"authorization": "Bearer x"}}, None,
     b"GET /auth5 HTTP/1.1\r\nauthorization: Bearer x\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    # Buffer.from(auth) is UTF-8
    ("auth_utf8", {"path": "/auth6", "auth": "\u00fc:\u00e9"}, None,
     b"GET /auth6 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Basic w7w6w6k=\r\nConnection: keep-alive\r\n\r\n"),
    # headers as a flat raw array: as given, no Host added
    ("raw_array", {"path": "/arr1", "headers": ["X-A", "1", "x-a", "2", "Host", "h.example"]}, None,
     b"GET /arr1 HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nHost: h.example\r\nConnection: keep-alive\r\n\r\n"),
    ("raw_array_no_host", {"path": "/arr2", "headers": ["X-A", "1"]}, None,
     b"GET /arr2 HTTP/1.1\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n"),
    ("raw_array_post", {"path": "/arr3", "method": "POST", "headers": ["X-A", "1"]}, b"hi",
     b"POST /arr3 HTTP/1.1\r\nX-A: 1\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\nhi\r\n0\r\n\r\n"),
    ("raw_pairs", {"path": "/arr4", "headers": [["X-P", "1"], ["X-Q", "2"]]}, None,
     b"GET /arr4 HTTP/1.1\r\nX-P: 1\r\nX-Q: 2\r\nConnection: keep-alive\r\n\r\n"),
    ("raw_array_ignores_auth", {"path": "/arr5", "auth": "a:b", "headers": ["X-A", "1"]}, None,
     b"GET /arr5 HTTP/1.1\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n"),
    # setHost
    ("set_host_false", {"path": "/nohost", "set_host": False}, None,
     b"GET /nohost HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"),
    ("set_host_false_headers", {"path": "/nohost2", "set_host": False, "headers": {"X-A": "1"}}, None,
     b"GET /nohost2 HTTP/1.1\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n"),
    ("set_host_falsy", {"path": "/sethost0", "set_host": 0}, None,
     b"GET /sethost0 HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"),
    # defaultPort: the Host header leaves out a port equal to it
    ("default_port_equal", {"path": "/dp", "default_port": "PORT"}, None,
     b"GET /dp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"),
    ("default_port_is_the_port", {"path": "/dp2", "default_port": "PORT", "port": None}, None,
     b"GET /dp2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"),
    ("default_port_other", {"path": "/dp3", "default_port": 80}, None,
     b"GET /dp3 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"),
    ("agent_default_port", {"path": "/dp4", "agent": "default_port"}, None,
     b"GET /dp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "options", "body", "expected"), NODE_REQUESTS, ids=[c[0] for c in NODE_REQUESTS])
async def test_request_bytes_match_node(anyio_backend: str, name: str, options: Any, body: bytes | None,
                                        expected: bytes) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: len(data) >= len(expected)) as (port, got):
                if isinstance(options, dict):
                    options = {"host": LOOPBACK, "port": port, **with_port(options, port)}
                    if options["port"] is None:
                        del options["port"]
                    if options.get("agent") == "default_port":
                        options["agent"] = Agent(default_port=port)
                else:
                    options = with_port(options, port)
                _, out = send(options, body)
                await out.done.wait()
    assert out.error is None and out.body == b"ok"
    assert got == [expected.replace(b"PORT", str(port).encode())]


async def test_odd_raw_array_throws(anyio_backend: str) -> None:
    # Thrown by http.request before anything else, as node 24.21.0 does.
    async with nodehttp.runtime():
        with pytest.raises(NodeError) as caught:
            nodehttp.request({"host": LOOPBACK, "port": 1, "headers": ["X-A", "1", "X-B"]})
    assert caught.value.code == "ERR_INVALID_ARG_VALUE" and isinstance(caught.value, TypeError)
    assert str(caught.value) == "The argument 'headers' is invalid. Received [ 'X-A', '1', 'X-B' ]"


# --- socket_path -----------------------------------------------------------------------

# (id, options, bytes node 24.21.0 sent over the unix socket)
NODE_UNIX_REQUESTS: list[tuple[str, dict[str, Any], bytes]] = [
    ("default_host", {"path": "/s"}, b"GET /s HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"),
    ("host_and_port_name_the_host_header",
     {"path": "/s", "host": "example.test", "port": 8080, "headers": {"X-A": "b"}},
     b"GET /s HTTP/1.1\r\nX-A: b\r\nHost: example.test:8080\r\nConnection: keep-alive\r\n\r\n"),
    ("no_agent", {"path": "/t", "agent": False}, b"GET /t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "options", "expected"), NODE_UNIX_REQUESTS, ids=[c[0] for c in NODE_UNIX_REQUESTS])
async def test_socket_path_request_bytes(anyio_backend: str, sock_path: str, name: str, options: dict[str, Any],
                                         expected: bytes) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_unix_server(sock_path, OK) as got:
                _, out = send({**options, "socket_path": sock_path})
                await out.done.wait()
    assert out.error is None and out.events == ["socket", "response", "end", "close"]
    assert got == [expected]


async def test_socket_path_against_server_keeps_alive(anyio_backend: str, sock_path: str) -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end(f"{req.method} {req.url} {req.headers.get('host')}")

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(handler)
            ready = anyio.Event()
            server.listen(sock_path, ready.set)
            await ready.wait()
            agent = Agent(keep_alive=True)
            name = agent.get_name({"host": "localhost", "port": 80, "socket_path": sock_path})
            # node 24.21.0: agent.getName({socketPath, host: 'localhost', port: 80})
            assert name == f"localhost:80::{sock_path}"
            first_req, first = send({"socket_path": sock_path, "path": "/a", "agent": agent})
            connected: list[Any] = []
            first_req.on("socket", lambda sock: sock.on("connect", lambda: connected.append(
                (sock.remote_address, sock.remote_port, sock.local_address, sock.address()))))
            await first.done.wait()
            await anyio.sleep(0.01)  # 'free' comes a tick after 'close'
            assert [len(s) for s in agent.free_sockets.values()] == [1] and name in agent.free_sockets
            second_req, second = send({"socket_path": sock_path, "path": "/b", "agent": agent})
            await second.done.wait()
            agent.destroy()
            await close(server)
    assert first.body == b"GET /a localhost" and second.body == b"GET /b localhost"
    assert first_req.reused_socket is False and second_req.reused_socket is True
    # node 24.21.0: a unix socket has no addresses (undefined) and address() is {}.
    assert connected == [(None, None, None, {})]


async def test_socket_path_missing(anyio_backend: str, sock_path: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            _, out = send({"socket_path": sock_path, "path": "/s", "host": "example.test", "port": 8080})
            await out.done.wait()
    # node 24.21.0: connect ENOENT <path>, errno -2, syscall connect, address the path.
    assert out.events == ["socket", "error", "close"]
    err = out.error
    assert isinstance(err, SocketError) and isinstance(err, OSError)
    assert (err.code, str(err), err.errno, err.syscall) == ("ENOENT", f"connect ENOENT {sock_path}", -2, "connect")
    assert err.address == sock_path  # type: ignore[attr-defined]
    assert not hasattr(err, "port")


# --- local_address ---------------------------------------------------------------------

def remote_echo(req: IncomingMessage, res: ServerResponse) -> None:
    res.end(str(req.socket.remote_address))


async def test_local_address(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(remote_echo)
            port = await listen(server)
            agent = Agent(keep_alive=True)
            req, out = send({"host": LOOPBACK, "port": port, "local_address": LOOPBACK, "agent": agent})
            local: list[Any] = []
            req.on("socket", lambda sock: sock.on("connect", lambda: local.append(
                (sock.local_address, sock.address().get("family")))))
            await out.done.wait()
            await anyio.sleep(0.01)
            # node 24.21.0: agent.getName({host, port, localAddress}) is host:port:localAddress
            assert list(agent.free_sockets) == [f"{LOOPBACK}:{port}:{LOOPBACK}"]
            others: list[bytes] = []
            if can_bind("127.0.0.2"):
                # Another loopback address shows that the bind happened.
                _, other = send({"host": LOOPBACK, "port": port, "local_address": "127.0.0.2", "agent": agent})
                await other.done.wait()
                others.append(other.body)
            agent.destroy()
            await close(server)
    assert local == [(LOOPBACK, "IPv4")] and out.body == LOOPBACK.encode()
    assert others in ([], [b"127.0.0.2"])


async def test_local_address_not_an_ip_throws(anyio_backend: str) -> None:
    # node 24.21.0 throws from http.request.
    async with nodehttp.runtime():
        with pytest.raises(NodeError) as caught:
            nodehttp.request({"host": LOOPBACK, "port": 1, "local_address": "nope", "agent": False})
    assert caught.value.code == "ERR_INVALID_IP_ADDRESS" and isinstance(caught.value, TypeError)
    assert str(caught.value) == "Invalid IP address: nope"


async def test_local_address_of_the_other_family(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, got):
                _, out = send({"host": LOOPBACK, "port": port, "local_address": "::1", "agent": False})
                await out.done.wait()
    # node 24.21.0: bind EINVAL ::1, errno -22, syscall bind, address ::1
    assert out.events == ["socket", "error", "close"] and got == []
    err = out.error
    assert isinstance(err, SocketError)
    assert (err.code, str(err), err.errno, err.syscall) == ("EINVAL", "bind EINVAL ::1", -22, "bind")
    assert err.address == "::1"  # type: ignore[attr-defined]


# --- family ----------------------------------------------------------------------------

def remote_of(req: ClientRequest, into: list[Any]) -> None:
    req.on("socket", lambda sock: sock.on("connect", lambda: into.append((sock.remote_address, sock.remote_family))))


async def test_family_4(anyio_backend: str) -> None:
    expected = [b"GET /f4 HTTP/1.1\r\nHost: localhost:PORT\r\nConnection: keep-alive\r\n\r\n",
                b"GET /ip6 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n"]
    remotes: list[Any] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, got):
                req, out = send({"host": "localhost", "port": port, "family": 4, "path": "/f4"})
                remote_of(req, remotes)
                await out.done.wait()
                # An IP needs no lookup: family is not looked at (node 24.21.0 connects).
                req, out = send({"host": LOOPBACK, "port": port, "family": 6, "path": "/ip6"})
                remote_of(req, remotes)
                await out.done.wait()
    assert remotes == [(LOOPBACK, "IPv4"), (LOOPBACK, "IPv4")]
    assert got == [e.replace(b"PORT", str(port).encode()) for e in expected]
    # node 24.21.0: agent.getName({host: 'localhost', port: 1, family: 4 or 6})
    assert Agent().get_name({"host": "localhost", "port": 1, "family": 4}) == "localhost:1::4"
    assert Agent().get_name({"host": "localhost", "port": 1, "family": 6}) == "localhost:1::6"


async def test_family_6_on_ipv6_loopback(anyio_backend: str) -> None:
    if not ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    remotes: list[Any] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            listener = await anyio.create_tcp_listener(local_host="::1", local_port=0)
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            got: list[bytes] = []

            async def handle(stream: anyio.abc.SocketStream) -> None:
                async with stream:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += await stream.receive()
                    got.append(data)
                    await stream.send(OK)

            async with listener, anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, handle)
                req, out = send({"host": "::1", "port": port, "family": 6, "path": "/v6"})
                remote_of(req, remotes)
                await out.done.wait()
                tg.cancel_scope.cancel()
    assert out.body == b"ok" and remotes == [("::1", "IPv6")]
    # node 24.21.0 brackets an IPv6 host in the Host header.
    assert got == [b"GET /v6 HTTP/1.1\r\nHost: [::1]:%d\r\nConnection: keep-alive\r\n\r\n" % port]


async def test_family_6_for_a_name_without_an_ipv6_address(anyio_backend: str) -> None:
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET6, socket.SOCK_STREAM)
    except socket.gaierror:
        pass
    else:
        pytest.skip("localhost has an IPv6 address here")
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            _, out = send({"host": "localhost", "port": 1, "family": 6, "agent": False})
            await out.done.wait()
    # node 24.21.0 on this machine: getaddrinfo ENOTFOUND localhost
    assert out.events == ["socket", "error", "close"]
    assert isinstance(out.error, SocketError)
    assert (out.error.code, str(out.error), out.error.syscall) == (
        "ENOTFOUND", "getaddrinfo ENOTFOUND localhost", "getaddrinfo")


# --- lookup ----------------------------------------------------------------------------

async def test_lookup(anyio_backend: str) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def lookup_all(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        calls.append((host, dict(options)))
        callback(None, [{"address": LOOPBACK, "family": 4}])

    def lookup_one(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        calls.append((host, dict(options)))
        # Later, as a real resolver answers.
        nodehttp.current_runtime().set_timeout(callback, 1, None, LOOPBACK, 4)

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, got):
                for options in ({"path": "/lk", "lookup": lookup_all},
                                {"path": "/lk4", "family": 4, "lookup": lookup_one},
                                {"path": "/lkla", "local_address": LOOPBACK, "lookup": lookup_one},
                                {"path": "/lkip", "lookup": lookup_one, "host": LOOPBACK}):
                    _, out = send({"host": "example.test", "port": port, **options})
                    await out.done.wait()
                    assert out.error is None and out.body == b"ok"
    # What node 24.21.0 passed to lookup: every address wanted (all) unless a family or a
    # local address is given; hints ADDRCONFIG (32 on Linux) unless the family is; no
    # lookup at all for an IP.
    assert calls == [("example.test", {"hints": socket.AI_ADDRCONFIG, "all": True}),
                     ("example.test", {"family": 4, "hints": 0}),
                     ("example.test", {"hints": socket.AI_ADDRCONFIG})]
    host = b"example.test:%d" % port
    assert got == [b"GET /lk HTTP/1.1\r\nHost: " + host + b"\r\nConnection: keep-alive\r\n\r\n",
                   b"GET /lk4 HTTP/1.1\r\nHost: " + host + b"\r\nConnection: keep-alive\r\n\r\n",
                   b"GET /lkla HTTP/1.1\r\nHost: " + host + b"\r\nConnection: keep-alive\r\n\r\n",
                   b"GET /lkip HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n\r\n" % port]


async def test_lookup_errors(anyio_backend: str) -> None:
    failure = SocketError("nope", "ENOTFOUND")

    def failing(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        callback(failure)

    def not_an_ip(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        callback(None, [{"address": "example.test", "family": 4}])

    def bad_family(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        callback(None, LOOPBACK, 5)

    def one_address_for_all(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        callback(None, LOOPBACK, 4)  # options asked for a list (all: True)

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            _, first = send({"host": "example.test", "port": 1, "lookup": failing, "agent": False})
            _, second = send({"host": "example.test", "port": 1, "lookup": not_an_ip, "agent": False})
            _, third = send({"host": "example.test", "port": 1, "lookup": bad_family, "family": 4, "agent": False})
            _, fourth = send({"host": "example.test", "port": 1, "lookup": one_address_for_all, "agent": False})
            for out in (first, second, third, fourth):
                await out.done.wait()
    # node 24.21.0: the lookup's error itself, then 'close'; an answer that is no IP, or
    # of a family other than 4 and 6, is an error of its own.
    assert first.events == ["socket", "error", "close"] and first.error is failure
    assert second.events == ["socket", "error", "close"] == third.events
    assert isinstance(second.error, NodeError) and second.error.code == "ERR_INVALID_IP_ADDRESS"
    assert str(second.error) == "Invalid IP address: example.test"
    assert isinstance(third.error, ValueError) and isinstance(third.error, NodeError)
    assert third.error.code == "ERR_INVALID_ADDRESS_FAMILY" and third.error.port == 1  # type: ignore[attr-defined]
    assert str(third.error) == "Invalid address family: 5 example.test:1"
    # node 24.21.0 reads entry.address of each element of a string: 'Invalid IP address: undefined'.
    assert fourth.events == ["socket", "error", "close"]
    assert isinstance(fourth.error, TypeError) and isinstance(fourth.error, NodeError)
    assert (fourth.error.code, str(fourth.error)) == ("ERR_INVALID_IP_ADDRESS", "Invalid IP address: undefined")


# --- create_connection -----------------------------------------------------------------

async def test_create_connection_option(anyio_backend: str) -> None:
    seen: list[dict[str, Any]] = []

    def returning(options: dict[str, Any], callback: Callable[..., Any]) -> Socket:
        seen.append(dict(options))
        return connect(options["port"], options["host"])

    def calling_back(options: dict[str, Any], callback: Callable[..., Any]) -> None:
        sock = connect(options["port"], options["host"])
        nodehttp.current_runtime().set_timeout(callback, 5, None, sock)

    def not_called(options: dict[str, Any], callback: Callable[..., Any]) -> Socket:
        raise AssertionError("an agent's create_connection is used, not the option")

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, got):

                def to_server(options: dict[str, Any], callback: Callable[..., Any]) -> Socket:
                    return connect(port, LOOPBACK)

                cases: list[dict[str, Any]] = [
                    {"path": "/cc", "create_connection": returning},
                    {"path": "/cb", "create_connection": calling_back},
                    {"path": "/ccaf", "create_connection": not_called, "agent": False},
                    {"path": "/cca", "create_connection": not_called, "agent": Agent()},
                    {"path": "/ccnp", "create_connection": to_server, "port": None},
                    {"path": "/ccarr", "create_connection": to_server, "headers": ["X-A", "1"]},
                ]
                for options in cases:
                    options = {"host": LOOPBACK, "port": port, **options}
                    if options["port"] is None:
                        del options["port"]
                    _, out = send(options)
                    await out.done.wait()
                    assert out.events == ["socket", "response", "end", "close"] and out.body == b"ok"
    # node 24.21.0: no agent, so Connection: close; without an agent's default port the
    # Host header names the port, 80 when none is given; raw headers get no Host.
    expected = [
        b"GET /cc HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n",
        b"GET /cb HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n",
        b"GET /ccaf HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n",
        b"GET /cca HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n",
        b"GET /ccnp HTTP/1.1\r\nHost: 127.0.0.1:80\r\nConnection: close\r\n\r\n",
        b"GET /ccarr HTTP/1.1\r\nX-A: 1\r\nConnection: close\r\n\r\n",
    ]
    assert got == [e.replace(b"PORT", str(port).encode()) for e in expected]
    # node 24.21.0 passed the request's options with host and port set and path undefined.
    assert [(o["host"], o["port"], o["path"]) for o in seen] == [(LOOPBACK, port, None)]


async def test_create_connection_option_failures(anyio_backend: str) -> None:
    failure = SocketError("cc failed", "EFOO")

    def calling_back_an_error(options: dict[str, Any], callback: Callable[..., Any]) -> None:
        nodehttp.current_runtime().set_timeout(callback, 5, failure)

    def throwing(options: dict[str, Any], callback: Callable[..., Any]) -> None:
        raise ValueError("boom")

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            _, first = send({"host": LOOPBACK, "port": 1, "create_connection": calling_back_an_error},
                            done_on_error=True)
            _, second = send({"host": LOOPBACK, "port": 1, "create_connection": throwing}, done_on_error=True)
            await first.done.wait()
            await second.done.wait()
            await anyio.sleep(0.05)
    # node 24.21.0: only 'error' (the request never had a socket, so no 'close').
    assert first.events == ["error"] and first.error is failure
    assert second.events == ["error"] and isinstance(second.error, ValueError) and str(second.error) == "boom"


async def test_create_connection_giving_a_destroyed_socket(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, _):

                def destroyed_at_once(options: dict[str, Any], callback: Callable[..., Any]) -> Socket:
                    sock = connect(port, LOOPBACK)
                    sock.destroy()
                    return sock

                def destroyed_on_connect(options: dict[str, Any], callback: Callable[..., Any]) -> None:
                    sock = connect(port, LOOPBACK)
                    sock.on("connect", lambda: (sock.destroy(), callback(None, sock)))

                outs = []
                for create in (destroyed_at_once, destroyed_on_connect):
                    _, out = send({"host": LOOPBACK, "port": port, "create_connection": create})
                    await out.done.wait()
                    outs.append(out)
    # node 24.21.0 for both (a socket destroyed while connecting closes once its handle
    # has: after the request's own tick, which is how the request hears of it)
    for out in outs:
        assert out.events == ["socket", "error", "close"]
        assert isinstance(out.error, SocketError)
        assert (out.error.code, str(out.error)) == ("ECONNRESET", "socket hang up")


class CallbackAgent(Agent):
    """An agent whose connections come later, through the callback."""

    def __init__(self, fail: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.fail = fail
        self.seen: list[dict[str, Any]] = []

    def create_connection(self, options: dict[str, Any],
                          callback: Callable[[BaseException | None, Socket | None], Any] | None = None,
                          ) -> Socket | None:
        self.seen.append(dict(options))
        assert callback is not None
        rt = nodehttp.current_runtime()
        if self.fail:
            rt.set_timeout(callback, 5, SocketError("agent cc failed", "EBAR"), None)
        else:
            rt.set_timeout(callback, 5, None, connect(options["port"], options["host"]))
        return None


async def test_agent_create_connection(anyio_backend: str) -> None:
    class Returning(Agent):
        def create_connection(self, options: dict[str, Any],
                              callback: Callable[[BaseException | None, Socket | None], Any] | None = None,
                              ) -> Socket | None:
            return connect(options["port"], options["host"])

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: OK, lambda data: b"\r\n\r\n" in data) as (port, got):
                later = CallbackAgent(keep_alive=True)
                req, out = send({"host": LOOPBACK, "port": port, "path": "/acc", "agent": later})
                pooled: list[Any] = []
                req.on("socket", lambda sock: pooled.append(
                    (later.total_socket_count, {k: list(v) for k, v in later.sockets.items()})))
                await out.done.wait()
                assert out.events == ["socket", "response", "end", "close"]
                assert pooled == [(1, {f"{LOOPBACK}:{port}:": [req.socket]})]
                _, out = send({"host": LOOPBACK, "port": port, "path": "/accret", "agent": Returning()})
                await out.done.wait()
                assert out.events == ["socket", "response", "end", "close"]
                failing = CallbackAgent(fail=True)
                _, out = send({"host": LOOPBACK, "port": port, "path": "/accerr", "agent": failing})
                await out.done.wait()
    # node 24.21.0 for the same three agents
    assert got == [b"GET /acc HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n\r\n" % port,
                   b"GET /accret HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port]
    assert out.events == ["error", "close"]
    assert isinstance(out.error, SocketError) and out.error.code == "EBAR"
    assert failing.total_socket_count == 0
    # The agent's options: path is the unix socket's (none here), not the request's.
    assert later.seen[0]["path"] is None and later.seen[0]["host"] == LOOPBACK


# --- the response parser's options -----------------------------------------------------

BAD_VALUE = b"HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@pytest.mark.parametrize("insecure", [None, False])
async def test_strict_parser_by_default(anyio_backend: str, insecure: bool | None) -> None:
    options: dict[str, Any] = {} if insecure is None else {"insecure_http_parser": insecure}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: BAD_VALUE, lambda data: b"\r\n\r\n" in data) as (port, _):
                _, out = send({"host": LOOPBACK, "port": port, **options})
                await out.done.wait()
    # node 24.21.0
    assert out.events == ["socket", "error", "close"]
    assert isinstance(out.error, nodehttp.ParseError)
    assert (out.error.code, str(out.error)) == ("HPE_INVALID_HEADER_TOKEN", "Parse Error: Invalid header value char")


async def test_insecure_http_parser(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: BAD_VALUE, lambda data: b"\r\n\r\n" in data) as (port, _):
                _, out = send({"host": LOOPBACK, "port": port, "insecure_http_parser": True})
                await out.done.wait()
    # node 24.21.0
    assert out.events == ["socket", "response", "end", "close"] and out.body == b"ok"
    assert out.res is not None and out.res.headers["x-bad"] == "a\x01b"


LONG_HEADER = b"HTTP/1.1 200 OK\r\nX-Long: " + b"x" * 200 + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


async def test_max_header_size(anyio_backend: str) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: LONG_HEADER, lambda data: b"\r\n\r\n" in data) as (port, _):
                _, small = send({"host": LOOPBACK, "port": port, "max_header_size": 100})
                await small.done.wait()
                _, large = send({"host": LOOPBACK, "port": port, "max_header_size": 1000})
                await large.done.wait()
    # node 24.21.0
    assert small.events == ["socket", "error", "close"]
    assert isinstance(small.error, nodehttp.ParseError)
    assert (small.error.code, str(small.error)) == ("HPE_HEADER_OVERFLOW", "Parse Error: Header overflow")
    assert large.events == ["socket", "response", "end", "close"]
    assert large.res is not None and large.res.headers["x-long"] == "x" * 200


DUPLICATES = (b"HTTP/1.1 200 OK\r\nContent-Type: a\r\nContent-Type: b\r\nX-D: 1\r\nX-D: 2\r\n"
              b"Set-Cookie: c=1\r\nSet-Cookie: d=2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


@pytest.mark.parametrize(("join", "content_type"), [(None, "a"), (False, "a"), (True, "a, b")])
async def test_join_duplicate_headers(anyio_backend: str, join: bool | None, content_type: str) -> None:
    options: dict[str, Any] = {} if join is None else {"join_duplicate_headers": join}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with raw_server(lambda data: DUPLICATES, lambda data: b"\r\n\r\n" in data) as (port, _):
                _, out = send({"host": LOOPBACK, "port": port, **options})
                await out.done.wait()
    # node 24.21.0 (joinDuplicateHeaders left out, false, true)
    assert out.res is not None
    assert out.res.headers == {"content-type": content_type, "x-d": "1, 2", "set-cookie": ["c=1", "d=2"],
                               "content-length": "2", "connection": "close"}


@pytest.mark.parametrize(("options", "error", "code", "message"), [
    ({"insecure_http_parser": 1}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.insecure_http_parser" property must be of type boolean. Received type number (1)'),
    ({"join_duplicate_headers": "yes"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"options.join_duplicate_headers\" property must be of type boolean. Received type string ('yes')"),
    ({"max_header_size": -1}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "max_header_size" is out of range. It must be >= 0 && <= 9007199254740991. Received -1'),
    ({"max_header_size": 1.5}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "max_header_size" is out of range. It must be an integer. Received 1.5'),
    ({"max_header_size": "100"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"max_header_size\" argument must be of type number. Received type string ('100')"),
])
async def test_parser_options_are_checked(anyio_backend: str, options: dict[str, Any], error: type[Exception],
                                          code: str, message: str) -> None:
    # Node's checks (validateBoolean, validateInteger) with its codes; names in snake_case.
    async with nodehttp.runtime():
        with pytest.raises(error) as caught:
            nodehttp.request({"host": LOOPBACK, "port": 1, **options})
    assert isinstance(caught.value, NodeError) and caught.value.code == code
    assert str(caught.value) == message


# Each row: node 24.21.0's http.request (or new http.Agent) with the camelCase option threw
# this, synchronously, with this code and message (names in snake_case, None for undefined).
_BAD_PORT = "Port should be >= 0 and < 65536. Received "
_NOT_A_HOST = "property must be of type string or one of undefined or null. Received "
_BAD_FAMILY = "The property 'options.family' must be one of: 0, 4, 6. Received "
_NOT_A_TIMEOUT = 'The value of "timeout" is out of range. It must be a non-negative finite number. Received '


@pytest.mark.parametrize(("options", "error", "code", "message"), [
    ({"port": -1}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type number (-1)."),
    ({"port": 1.5}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type number (1.5)."),
    ({"port": 65536}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type number (65536)."),
    ({"port": float("inf")}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type number (Infinity)."),
    ({"port": "x"}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type string ('x')."),
    ({"port": " "}, ValueError, "ERR_SOCKET_BAD_PORT", _BAD_PORT + "type string (' ')."),
    ({"port": True}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.port" property must be one of type number or string. Received type boolean (true)'),
    ({"host": 5}, TypeError, "ERR_INVALID_ARG_TYPE", f'The "options.host" {_NOT_A_HOST}type number (5)'),
    ({"hostname": True}, TypeError, "ERR_INVALID_ARG_TYPE", f'The "options.hostname" {_NOT_A_HOST}type boolean (true)'),
    ({"host": {}}, TypeError, "ERR_INVALID_ARG_TYPE", f'The "options.host" {_NOT_A_HOST}an instance of Object'),
    ({"hostname": ["a"]}, TypeError, "ERR_INVALID_ARG_TYPE", f'The "options.hostname" {_NOT_A_HOST}an instance of Array'),
    ({"timeout": -1}, ValueError, "ERR_OUT_OF_RANGE", _NOT_A_TIMEOUT + "-1"),
    ({"timeout": float("inf")}, ValueError, "ERR_OUT_OF_RANGE", _NOT_A_TIMEOUT + "Infinity"),
    ({"timeout": float("nan")}, ValueError, "ERR_OUT_OF_RANGE", _NOT_A_TIMEOUT + "NaN"),
    ({"timeout": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"timeout\" argument must be of type number. Received type string ('x')"),
    ({"timeout": True}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "timeout" argument must be of type number. Received type boolean (true)'),
    ({"family": 5}, TypeError, "ERR_INVALID_ARG_VALUE", _BAD_FAMILY + "5"),
    ({"family": "4"}, TypeError, "ERR_INVALID_ARG_VALUE", _BAD_FAMILY + "'4'"),
    ({"family": "x"}, TypeError, "ERR_INVALID_ARG_VALUE", _BAD_FAMILY + "'x'"),
    ({"method": 5}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.method" property must be of type string. Received type number (5)'),
    ({"method": {}}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.method" property must be of type string. Received an instance of Object'),
    ({"auth": 5}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an "
     "Array-like Object. Received type number (5)"),
    ({"agent": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"options.agent\" property must be one of Agent-like Object, undefined, or false. "
     "Received type string ('x')"),
    ({"protocol": "https:"}, TypeError, "ERR_INVALID_PROTOCOL", 'Protocol "https:" not supported. Expected "http:"'),
])
async def test_request_options_are_checked(anyio_backend: str, options: dict[str, Any], error: type[Exception],
                                           code: str, message: str) -> None:
    # The family rows need a name to look up (Node checks the family for the system
    # resolver only), so no host is given: localhost.
    base = {"port": 1, "agent": False} if "family" in options else {"host": LOOPBACK, "port": 1, "agent": False}
    async with nodehttp.runtime():
        with pytest.raises(error) as caught:
            nodehttp.request({**base, **options})
    assert isinstance(caught.value, NodeError) and caught.value.code == code
    assert str(caught.value) == message


@pytest.mark.parametrize(("port", "host"), [
    # node 24.21.0's Host header for these ports (all accepted): +port against 80.
    ("0x50", LOOPBACK), ("80", LOOPBACK), (80.0, LOOPBACK), (float("nan"), LOOPBACK), ("", LOOPBACK),
    (65535, f"{LOOPBACK}:65535"),
])
async def test_ports_node_accepts(anyio_backend: str, port: Any, host: str) -> None:
    async with nodehttp.runtime():
        req = nodehttp.request({"host": LOOPBACK, "port": port, "agent": False})
        req.on("error", lambda *_: None)
        assert req.get_header("host") == host
        req.destroy()


@pytest.mark.parametrize(("options", "error", "code", "message"), [
    ({"scheduling": "x"}, TypeError, "ERR_INVALID_ARG_VALUE",
     "The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received 'x'"),
    ({"scheduling": 5}, TypeError, "ERR_INVALID_ARG_VALUE",
     "The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received 5"),
    ({"scheduling": "FIFO"}, TypeError, "ERR_INVALID_ARG_VALUE",
     "The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received 'FIFO'"),
    ({"max_total_sockets": 0}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "max_total_sockets" is out of range. It must be >= 1. Received 0'),
    ({"max_total_sockets": -1}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "max_total_sockets" is out of range. It must be >= 1. Received -1'),
    ({"max_total_sockets": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"max_total_sockets\" argument must be of type number. Received type string ('x')"),
    ({"max_total_sockets": True}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "max_total_sockets" argument must be of type number. Received type boolean (true)'),
])
def test_agent_options_are_checked(options: dict[str, Any], error: type[Exception], code: str,
                                   message: str) -> None:
    with pytest.raises(error) as caught:
        Agent(**options)
    assert isinstance(caught.value, NodeError) and caught.value.code == code
    assert str(caught.value) == message


def test_agent_max_total_sockets_taken_as_given() -> None:
    # Node validates only the type and the lower bound (1.5 stays 1.5).
    assert Agent(max_total_sockets=1.5).max_total_sockets == 1.5
    assert Agent(max_total_sockets=None).max_total_sockets == float("inf")


async def test_a_url_string_is_read_as_node_reads_it(anyio_backend: str) -> None:
    # node 24.21.0: http.request('not a url') throws ERR_INVALID_URL; the path of
    # 'http://127.0.0.1:1/a b/../é?q r' is '/%C3%A9?q%20r' (tests/test_url.py has more).
    async with nodehttp.runtime():
        with pytest.raises(TypeError) as caught:
            nodehttp.request("not a url")
        assert getattr(caught.value, "code", None) == "ERR_INVALID_URL"
        req = nodehttp.request("http://127.0.0.1:1/a b/../é?q r", agent=False)
        req.on("error", lambda *_: None)
        assert (req.path, req.host, req.port) == ("/%C3%A9?q%20r", LOOPBACK, 1)
        req.destroy()


_MSECS_RANGE = 'The value of "msecs" is out of range. It must be a non-negative finite number. Received '


@pytest.mark.parametrize(("msecs", "error", "code", "message"), [
    # node 24.21.0's request.setTimeout(msecs) on a request just made.
    ("x", TypeError, "ERR_INVALID_ARG_TYPE", "The \"msecs\" argument must be of type number. Received type string ('x')"),
    (True, TypeError, "ERR_INVALID_ARG_TYPE", 'The "msecs" argument must be of type number. Received type boolean (true)'),
    (None, TypeError, "ERR_INVALID_ARG_TYPE", 'The "msecs" argument must be of type number. Received undefined'),
    (-1, ValueError, "ERR_OUT_OF_RANGE", _MSECS_RANGE + "-1"),
    (float("inf"), ValueError, "ERR_OUT_OF_RANGE", _MSECS_RANGE + "Infinity"),
    (float("nan"), ValueError, "ERR_OUT_OF_RANGE", _MSECS_RANGE + "NaN"),
])
async def test_set_timeout_checks_msecs(anyio_backend: str, msecs: Any, error: type[Exception], code: str,
                                        message: str) -> None:
    async with nodehttp.runtime():
        req = nodehttp.request({"host": LOOPBACK, "port": 1, "agent": False})
        req.on("error", lambda *_: None)
        with pytest.raises(error) as caught:
            req.set_timeout(msecs)
        req.destroy()
    assert getattr(caught.value, "code", None) == code and str(caught.value) == message


async def test_path_setter_checks_as_node(anyio_backend: str) -> None:
    # node 24.21.0: ClientRequest.path is an accessor; req.path = '/a b\r\nX: y' throws
    # ERR_UNESCAPED_CHARACTERS (so no request line can be split), a good path is taken.
    async with nodehttp.runtime():
        req = nodehttp.request({"host": LOOPBACK, "port": 1, "agent": False})
        req.on("error", lambda *_: None)
        with pytest.raises(TypeError) as caught:
            req.path = "/a b\r\nX: y"
        assert getattr(caught.value, "code", None) == "ERR_UNESCAPED_CHARACTERS"
        assert req.path == "/"
        req.path = "/moved?x=1"
        req.end()
        assert req._header is not None and req._header.startswith("GET /moved?x=1 HTTP/1.1\r\n")
        req.destroy()
