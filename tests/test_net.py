"""net.Socket and net.Server on both backends, over real sockets on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import nodehttp
import nodehttp.net
from nodehttp._net import HIGH_WATER_MARK, Server, Socket
from nodehttp._runtime import runtime

pytestmark = pytest.mark.anyio

LOOPBACK = "127.0.0.1"


async def listening(server: Server) -> int:
    """Wait for 'listening' and return the port."""
    ready = anyio.Event()
    server.once("listening", ready.set)
    with anyio.fail_after(5):
        await ready.wait()
    address = server.address()
    assert address is not None and address["address"] == LOOPBACK
    return int(address["port"])


async def read_all(stream: Any) -> bytes:
    chunks = []
    with anyio.fail_after(5):
        while True:
            try:
                chunks.append(await stream.receive())
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return b"".join(chunks)


async def test_echo_and_close(anyio_backend: str) -> None:
    events: list[Any] = []
    async with runtime():
        def on_connection(sock: Socket) -> None:
            assert sock.remote_address == LOOPBACK and sock.remote_port
            sock.on("data", lambda data: sock.write(data.upper()))
            sock.on("end", lambda: (events.append("end"), sock.end(b"bye")))
            sock.on("close", lambda had_error: events.append(("close", had_error)))

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            await client.send(b"hello")
            with anyio.fail_after(5):
                assert await client.receive() == b"HELLO"
            await client.send_eof()
            assert await read_all(client) == b"bye"
        closed = anyio.Event()
        server.close(closed.set)
        with anyio.fail_after(5):
            await closed.wait()
    assert events == ["end", ("close", False)]


async def test_server_close_waits_for_open_connections(anyio_backend: str) -> None:
    order: list[str] = []
    async with runtime():
        sockets: list[Socket] = []
        server = Server(sockets.append)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            with anyio.fail_after(5):
                while not sockets:
                    await anyio.sleep(0.001)
            server.close(lambda: order.append("server closed"))
            await anyio.sleep(0.05)
            order.append("client still served")
            sockets[0].write(b"still here")
            with anyio.fail_after(5):
                assert await client.receive() == b"still here"
            sockets[0].end()
            assert await read_all(client) == b""
    assert order == ["client still served", "server closed"]


async def test_write_reports_backpressure_and_drain(anyio_backend: str) -> None:
    drained = anyio.Event()
    results: list[bool] = []
    async with runtime():
        def on_connection(sock: Socket) -> None:
            # After 'drain', one last byte tells the reader that drain happened.
            sock.on("drain", lambda: (drained.set(), sock.write(b"!")))
            chunk = b"x" * (HIGH_WATER_MARK // 4)
            # A peer that does not read: writes eventually report False.
            for _ in range(2000):
                ok = sock.write(chunk)
                results.append(ok)
                if not ok:
                    break

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            with anyio.fail_after(5):
                while not results or results[-1]:
                    await anyio.sleep(0.001)
            assert results[-1] is False
            received = b""
            with anyio.fail_after(10):
                while not received.endswith(b"!"):
                    received += await client.receive()
            assert drained.is_set()
            assert received == b"x" * (len(received) - 1) + b"!"
        server.close()


async def test_pause_stops_data_until_resume(anyio_backend: str) -> None:
    got: list[bytes] = []
    async with runtime():
        holder: list[Socket] = []

        def on_connection(sock: Socket) -> None:
            holder.append(sock)
            sock.on("data", got.append)
            sock.pause()

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            await client.send(b"queued")
            await anyio.sleep(0.05)
            assert got == []
            holder[0].resume()
            with anyio.fail_after(5):
                while not got:
                    await anyio.sleep(0.001)
            assert b"".join(got) == b"queued"
            holder[0].end()
        server.close()


async def test_idle_timeout_emits_timeout(anyio_backend: str) -> None:
    timed_out = anyio.Event()
    async with runtime():
        def on_connection(sock: Socket) -> None:
            sock.set_timeout(30, lambda: (timed_out.set(), sock.destroy()))

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            with anyio.fail_after(5):
                await timed_out.wait()
            assert await read_all(client) == b""
        server.close()


async def test_listen_error_is_eaddrinuse(anyio_backend: str) -> None:
    errors: list[BaseException] = []
    async with runtime():
        first = Server()
        first.listen(0, LOOPBACK)
        port = await listening(first)
        second = Server()
        failed = anyio.Event()
        second.on("error", lambda err: (errors.append(err), failed.set()))
        second.listen(port, LOOPBACK)
        with anyio.fail_after(5):
            await failed.wait()
        first.close()
    assert getattr(errors[0], "code", None) == "EADDRINUSE"
    assert isinstance(errors[0], OSError)
    # Node 24.21.0's text and fields for the same failure.
    assert str(errors[0]) == f"listen EADDRINUSE: address already in use 127.0.0.1:{port}"
    assert (errors[0].syscall, errors[0].address, errors[0].port) == ("listen", LOOPBACK, port)  # type: ignore[attr-defined]


async def test_listen_without_a_host_binds_every_address_at_once(anyio_backend: str) -> None:
    """Node's listen(port): bound within the call (address() answers at once) to "::"
    with IPv4 accepted too; a port in use is an 'error' on the next tick, Node's text."""
    import socket as stdlib_socket

    errors: list[Any] = []
    async with runtime():
        server = Server(lambda sock: sock.end(b"hi"))
        server.listen(0)
        address = server.address()
        assert isinstance(address, dict)
        assert address["address"] in ("::", "0.0.0.0")
        port = address["port"]  # the kernel queues connections from here on
        for family, host in ((stdlib_socket.AF_INET, "127.0.0.1"), (stdlib_socket.AF_INET6, "::1")):
            try:
                stream = await anyio.connect_tcp(host, port)
            except OSError:
                assert family == stdlib_socket.AF_INET6  # IPv4 must always get in
                continue
            async with stream:
                assert await read_all(stream) == b"hi"
        second = Server()
        second.on("error", errors.append)
        second.listen(port)
        assert second.address() is None
        with anyio.fail_after(5):
            while not errors:
                await anyio.sleep(0.001)
        server.close()
    assert errors[0].code == "EADDRINUSE"
    assert str(errors[0]) == f"listen EADDRINUSE: address already in use {address['address']}:{port}"


async def test_listen_on_a_unix_socket_and_on_a_given_socket(anyio_backend: str, tmp_path: Any) -> None:
    import socket as stdlib_socket

    path = str(tmp_path / "server.sock")
    async with runtime():
        def greet(sock: Socket) -> None:
            sock.end(b"hi")

        unix = Server(greet)
        ready = anyio.Event()
        unix.listen(path, ready.set)
        with anyio.fail_after(5):
            await ready.wait()
        assert unix.address() == path
        async with await anyio.connect_unix(path) as client:
            assert await read_all(client) == b"hi"
        unix.close()

        raw = stdlib_socket.socket()
        raw.bind((LOOPBACK, 0))
        raw.listen()
        raw.setblocking(False)
        given = Server(greet)
        given.listen(raw)
        port = await listening(given)
        assert port == raw.getsockname()[1]
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            assert await read_all(client) == b"hi"
        given.close()


async def test_a_peer_reset_is_a_close_not_a_crash(anyio_backend: str) -> None:
    import socket as stdlib_socket
    import struct

    closed = anyio.Event()
    async with runtime():
        def on_connection(sock: Socket) -> None:
            sock.on("close", lambda had_error: closed.set())
            sock.on("error", lambda err: None)

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        raw = stdlib_socket.create_connection((LOOPBACK, port))
        raw.sendall(b"x")
        # SO_LINGER 0: close() sends RST, as wrk does when it stops.
        raw.setsockopt(stdlib_socket.SOL_SOCKET, stdlib_socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
        with anyio.fail_after(5):
            await closed.wait()
        # The server is still up.
        async with await anyio.connect_tcp(LOOPBACK, port):
            pass
        server.close()


@pytest.mark.parametrize("release", ["uncork", "end"])
async def test_cork_holds_writes_until_uncork_or_end(anyio_backend: str, release: str) -> None:
    """Corked writes stay in the socket (counted in writable_length, nothing sent) until
    the last uncork(), or end(), which uncorks whatever the count (Node's Writable)."""
    held: list[int] = []
    async with runtime():
        def on_connection(sock: Socket) -> None:
            sock.cork()
            sock.cork()
            sock.write(b"ab")
            sock.write(b"cd")
            sock.uncork()  # one of two: still held
            held.append(sock.writable_length)
            if release == "uncork":
                sock.on("data", lambda data: (sock.uncork(), sock.end()))
            else:
                sock.on("data", lambda data: sock.end())

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            with anyio.fail_after(5):
                while not held:
                    await anyio.sleep(0.001)
            await client.send(b"go")
            assert await read_all(client) == b"abcd"
        assert held == [4]
        server.close()


async def test_end_half_closes_and_reads_on_until_the_peer_ends(anyio_backend: str) -> None:
    """Node's end(): FIN after the data, but the socket reads on; it closes once the peer
    has ended too. destroy_soon() (what http uses after a last response) does not wait."""
    events: list[Any] = []
    async with runtime():
        def on_connection(sock: Socket) -> None:
            sock.on("data", lambda data: events.append(("data", data)))
            sock.on("end", lambda: events.append("end"))
            sock.on("close", lambda *_: events.append("close"))
            sock.end(b"bye")

        server = Server(on_connection)
        server.listen(0, LOOPBACK)
        port = await listening(server)
        async with await anyio.connect_tcp(LOOPBACK, port) as client:
            received = b""
            with anyio.fail_after(5):
                while True:
                    try:
                        received += await client.receive()
                    except anyio.EndOfStream:
                        break  # the server's FIN
            assert received == b"bye"
            await client.send(b"after your FIN")
            with anyio.fail_after(5):
                while not events:
                    await anyio.sleep(0.001)
            await client.send_eof()
            with anyio.fail_after(5):
                while "close" not in events:
                    await anyio.sleep(0.001)
        server.close()
    data = b"".join(e[1] for e in events if isinstance(e, tuple))
    assert data == b"after your FIN"
    assert [e for e in events if not isinstance(e, tuple)] == ["end", "close"]
    assert isinstance(events[0], tuple)  # the data came before 'end'


async def test_the_public_net_module_serves_and_connects(anyio_backend: str) -> None:
    """nodehttp.net: Node's net.createServer and net.connect for raw peers."""
    from nodehttp import net

    received: list[bytes] = []
    async with runtime():
        server = net.create_server(lambda sock: sock.on("data", lambda data: sock.end(data.upper())))
        server.listen(0, LOOPBACK)
        port = await listening(server)
        client = net.connect(port, LOOPBACK)
        assert isinstance(client, net.Socket)
        client.on("data", received.append)
        closed = anyio.Event()
        client.on("close", lambda *_: closed.set())
        client.write(b"hello")
        with anyio.fail_after(5):
            await closed.wait()
        server.close()
    assert b"".join(received) == b"HELLO"


@pytest.mark.parametrize(("listen_args", "expected"), [
    # Observed from Node 24.21.0: with a host, listen() resolves it first and a close()
    # in the same tick finds the server not running; without one, listen() has bound
    # already and the close is an ordinary one. Neither emits 'listening'.
    ((0, LOOPBACK), ["close", ("callback", ["ERR_SERVER_NOT_RUNNING"])]),
    ((0,), ["close", ("callback", [])]),
    (None, ["close", ("callback", ["ERR_SERVER_NOT_RUNNING"])]),
])
async def test_close_before_the_server_is_bound(anyio_backend: str, listen_args: Any, expected: list[Any]) -> None:
    events: list[Any] = []
    async with runtime():
        server = Server()
        server.on("listening", lambda: events.append("listening"))
        server.on("close", lambda: events.append("close"))
        if listen_args is not None:
            server.listen(*listen_args)
        server.close(lambda *errors: events.append(("callback", [getattr(e, "code", e) for e in errors])))
    assert events == expected
    assert not server.listening and server.address() is None


async def test_write_takes_its_callback_second(anyio_backend: str) -> None:
    # Node's socket.write(data[, encoding][, callback]): the callback may come second.
    got: list[bytes] = []
    called: list[str] = []
    with anyio.fail_after(5):
        async with nodehttp.runtime():
            done = anyio.Event()

            def on_connection(sock: Any) -> None:
                def on_data(data: bytes) -> None:
                    got.append(data)
                    sock.end()

                sock.on("data", on_data)

            server = nodehttp.net.create_server(on_connection)
            ready = anyio.Event()
            server.listen(0, "127.0.0.1", ready.set)
            await ready.wait()
            address = server.address()
            assert isinstance(address, dict)
            client = nodehttp.net.connect(address["port"], "127.0.0.1")
            client.write(b"hello", lambda *_: called.append("written"))
            client.on("close", lambda *_: done.set())
            client.on("end", lambda *_: client.end())
            await done.wait()
            server.close()
    assert got == [b"hello"] and called == ["written"]


@pytest.mark.parametrize(("args", "message"), [
    # node 24.21.0's server.listen(...) threw these, synchronously.
    ((-1,), "options.port should be >= 0 and < 65536. Received type number (-1)."),
    ((70000,), "options.port should be >= 0 and < 65536. Received type number (70000)."),
    ((1.5,), "options.port should be >= 0 and < 65536. Received type number (1.5)."),
    (({"port": -1},), "options.port should be >= 0 and < 65536. Received type number (-1)."),
])
async def test_listen_checks_the_port(anyio_backend: str, args: tuple[Any, ...], message: str) -> None:
    async with runtime():
        server = Server()
        with pytest.raises(ValueError) as caught:
            server.listen(*args)
        assert getattr(caught.value, "code", None) == "ERR_SOCKET_BAD_PORT" and str(caught.value) == message
        # Nothing was bound: Node's address() is null and listening false.
        assert server.address() is None and not server.listening


async def test_listen_twice_and_close_twice(anyio_backend: str) -> None:
    # The order and the errors node 24.21.0 printed for the same calls.
    log: list[Any] = []
    async with runtime():
        server = Server()
        server.on("close", lambda: log.append("close"))
        server.listen(0, LOOPBACK)
        await listening(server)
        with pytest.raises(RuntimeError) as caught:
            server.listen(0, LOOPBACK)
        assert getattr(caught.value, "code", None) == "ERR_SERVER_ALREADY_LISTEN"
        assert str(caught.value) == "Listen method has been called more than once without closing."
        closed = anyio.Event()

        def second(error: Any = None) -> None:
            log.append(("second", getattr(error, "code", None), str(error)))
            closed.set()

        def first(error: Any = None) -> None:
            log.append(("first", error, server.listening, server.address()))
            server.close(second)

        server.close(first)
        with anyio.fail_after(5):
            await closed.wait()
    assert log == ["close", ("first", None, False, None), "close",
                   ("second", "ERR_SERVER_NOT_RUNNING", "Server is not running.")]
