"""Node's ``net.Socket`` and ``net.Server`` over the runtime's backend.

A Socket has Node's synchronous surface (``write`` returns at once, events report what
happened) over one of two transports:

* on asyncio, an ``asyncio.Protocol`` obtained through ``loop.create_server``: bytes
  arrive in ``data_received`` and go straight to the socket's consumer, with no task
  switch per read (see shared notes: anyio's stream calls cost ~26 us per request);
* elsewhere (trio), anyio's socket streams: one task per connection reads, and a
  writer task drains what ``write`` queued.

Both feed the same Socket object, so everything above this module is backend-free.
"""

from __future__ import annotations

import asyncio
import errno
import socket as _socket
import sys
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, cast

import anyio
import anyio.abc
import sniffio

from ._errors import NodeError

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup
from ._events import EventEmitter
from ._runtime import Runtime, Timer, current_runtime

__all__ = ["Server", "Socket", "SocketError", "connect", "create_connection"]

# Node's default writableHighWaterMark for net.Socket.
HIGH_WATER_MARK = 16384


class SocketError(NodeError, OSError):
    """A socket error with Node's code (``ECONNRESET``, ``EPIPE``, ``EADDRINUSE``...)."""

    def __init__(self, message: str, code: str, errno_: int | None = None, syscall: str | None = None) -> None:
        NodeError.__init__(self, message, code)
        self.errno = errno_
        self.syscall = syscall


def _os_error(exc: BaseException, syscall: str) -> SocketError:
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, "EIO")
        return SocketError(f"{syscall} {name}", name, -exc.errno, syscall)
    if isinstance(exc, (anyio.BrokenResourceError, ConnectionResetError)):
        return SocketError(f"{syscall} ECONNRESET", "ECONNRESET", -errno.ECONNRESET, syscall)
    return SocketError(f"{syscall} {exc}", "EIO", -errno.EIO, syscall)


class Socket(EventEmitter):
    """Node's ``net.Socket`` (the parts http uses), on either transport."""

    # Slots: a server holds one per open connection, idle ones included.
    __slots__ = (
        "_runtime", "_transport", "on_data", "allow_half_open", "destroyed", "writable",
        "readable", "_ended", "_timeout_ms", "_timer", "_paused", "_need_drain",
        "bytes_written", "bytes_read", "server", "parser", "_http_message", "http_connection",
        "remote_address", "remote_port", "remote_family", "_local", "__weakref__",
        "connecting", "_pending", "_refd", "_connect_scope",
    )

    def __init__(self) -> None:
        super().__init__()
        self._runtime: Runtime = current_runtime()
        self._transport: _Transport | None = None
        # The fast consumer of incoming bytes (http's parser); 'data' events otherwise.
        self.on_data: Callable[[bytes], Any] | None = None
        self.allow_half_open = False
        self.destroyed = False
        self.writable = True
        self.readable = True
        self._ended = False
        self._timeout_ms = 0.0
        self._timer: Timer | None = None
        self._paused = False
        self._need_drain = False
        self.bytes_written = 0
        self.bytes_read = 0
        self.server: Any = None
        self.parser: Any = None
        self._http_message: Any = None
        self.http_connection: Any = None
        self.remote_address: str | None = None
        self.remote_port: int | None = None
        self.remote_family: str | None = None
        self._local: Any = None
        # A client socket between connect() and 'connect': writes wait in _pending.
        self.connecting = False
        self._pending: list[bytes] | None = None  # made on first use: servers never need it
        self._refd = True
        self._connect_scope: anyio.CancelScope | None = None

    # Transport side ------------------------------------------------------------------
    def _attach(self, transport: _Transport) -> None:
        self._transport = transport
        if self._refd:
            self._runtime.ref()
        self._runtime.sockets.add(self)
        peer = transport.peername()
        if peer:
            self.remote_address, self.remote_port = peer[0], peer[1]
            self.remote_family = "IPv6" if ":" in peer[0] else "IPv4"
        self._local = transport.sockname()

    def _on_bytes(self, data: bytes) -> None:
        self.bytes_read += len(data)
        timer = self._timer
        if timer is not None and timer.active:
            timer.refresh()
        consumer = self.on_data
        if consumer is not None:
            self._runtime.io_callback(consumer, data)
        else:
            self._runtime.io_callback(self.emit, "data", data)

    def _on_eof(self) -> None:
        self.readable = False
        try:
            self.emit("end")
        except Exception as exc:  # noqa: BLE001
            self._runtime.report_error(exc)
        # Node's default: when the peer ends, end our side too (allowHalfOpen: false).
        if not self.allow_half_open:
            self.end()

    def _on_drain(self) -> None:
        if self._need_drain:
            self._need_drain = False
            try:
                self.emit("drain")
            except Exception as exc:  # noqa: BLE001
                self._runtime.report_error(exc)

    def _on_closed(self, exc: BaseException | None) -> None:
        if self._transport is None:
            return
        self._transport = None
        self._runtime.sockets.discard(self)
        self.destroyed = True
        self.writable = self.readable = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._refd:
            self._runtime.unref()
        try:
            if exc is not None and self.listener_count("error"):
                self.emit("error", _os_error(exc, "read"))
            self.emit("close", exc is not None)
        except Exception as error:  # noqa: BLE001
            self._runtime.report_error(error)

    # Node's API ----------------------------------------------------------------------
    @property
    def writable_length(self) -> int:
        return self._transport.buffered() if self._transport is not None else 0

    @property
    def writable_need_drain(self) -> bool:
        return self._need_drain

    def write(self, data: bytes | str, encoding: str = "utf-8", callback: Callable[..., Any] | None = None) -> bool:
        """Queue ``data``; False when more than the high-water mark is buffered ('drain' follows)."""
        if isinstance(data, str):
            data = data.encode("latin-1" if encoding in ("latin1", "latin-1", "binary") else encoding)
        transport = self._transport
        if transport is None and self.connecting and not self._ended:
            pending = self._pending
            if pending is None:
                pending = self._pending = []
            pending.append(data)
            self.bytes_written += len(data)
            if callback is not None:
                self.once("connect", lambda *_: callback())
            return sum(len(d) for d in pending) < HIGH_WATER_MARK
        if transport is None or self._ended:
            return False
        self.bytes_written += len(data)
        timer = self._timer
        if timer is not None and timer.active:
            timer.refresh()
        transport.write(data)
        if callback is not None:
            self._runtime.set_timeout(callback, 0)
        if transport.buffered() >= HIGH_WATER_MARK:
            self._need_drain = True
            return False
        return True

    def end(self, data: bytes | str | None = None) -> Socket:
        """Write ``data``, then close once everything is flushed (Node's destroySoon)."""
        if data:
            self.write(data)
        if not self._ended:
            if self.connecting:
                # Node ends a connecting socket once it connects, after what was written.
                self.once("connect", lambda *_: self.end())
                return self
            self._ended = True
            self.writable = False
            if self._transport is not None:
                self._transport.close()
        return self

    def destroy(self, error: BaseException | None = None) -> Socket:
        """Close now, dropping what is buffered; emit 'error' (if given) then 'close'."""
        # Nothing written after destroy() may reach the peer, even before 'close'.
        self._ended = True
        self.writable = False
        if self.connecting:
            self._abort_connect(error)
            return self
        if self._transport is not None:
            transport = self._transport
            transport.abort()
            if error is not None:
                self._transport = None
                self._runtime.sockets.discard(self)
                self.destroyed = True
                if self._refd:
                    self._runtime.unref()
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                self.emit("error", error)
                self.emit("close", True)
        return self

    destroy_soon = end

    def _abort_connect(self, error: BaseException | None) -> None:
        self.connecting = False
        self._pending = None
        self.destroyed = True
        if self._connect_scope is not None:
            self._connect_scope.cancel()
        if error is not None:
            self._runtime.next_tick(self.emit, "error", error)
        self._runtime.next_tick(self.emit, "close", error is not None)

    def ref(self) -> Socket:
        """Keep the program alive while this socket is open (the default)."""
        if not self._refd:
            self._refd = True
            if self._transport is not None:
                self._runtime.ref()
        return self

    def unref(self) -> Socket:
        """Let the program end while this socket is open (an agent's idle socket)."""
        if self._refd:
            self._refd = False
            if self._transport is not None:
                self._runtime.unref()
        return self

    def _connected(self) -> None:
        self.connecting = False
        pending, self._pending = self._pending, None
        if pending and self._transport is not None:
            self._transport.write(b"".join(pending))
        self.emit("connect")
        self.emit("ready")

    def pause(self) -> Socket:
        if not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        return self

    def resume(self) -> Socket:
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return self

    def set_timeout(self, msecs: float, callback: Callable[..., Any] | None = None) -> Socket:
        """Emit 'timeout' after ``msecs`` of inactivity (0 disables), as Node's socket does."""
        if callback is not None:
            self.once("timeout", callback)
        self._timeout_ms = msecs
        timer = self._timer
        if msecs <= 0 or self.destroyed:
            if timer is not None:
                timer.cancel()
        elif timer is None:
            self._timer = self._runtime.set_timeout(self._on_timeout, msecs).unref()
        else:
            # One timer per socket, re-armed: the server sets a keep-alive timeout after
            # every response and clears it at every request.
            timer.delay = max(msecs, 1.0) / 1000.0
            timer.refresh()
        return self

    def _on_timeout(self) -> None:
        self.emit("timeout")

    @property
    def timeout(self) -> float:
        return self._timeout_ms

    def set_no_delay(self, no_delay: bool = True) -> Socket:
        if self._transport is not None:
            self._transport.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1 if no_delay else 0)
        return self

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Socket:
        if self._transport is not None:
            self._transport.setsockopt(_socket.SOL_SOCKET, _socket.SO_KEEPALIVE, 1 if enable else 0)
        return self

    def address(self) -> dict[str, Any] | str:
        if self._local is None:
            return {}
        if isinstance(self._local, str):  # a unix socket
            return self._local
        host, port = self._local[0], self._local[1]
        return {"address": host, "family": "IPv6" if ":" in host else "IPv4", "port": port}

    @property
    def local_address(self) -> str | None:
        return self._local[0] if self._local else None

    @property
    def local_port(self) -> int | None:
        return self._local[1] if self._local else None


class _Transport(Protocol):
    """What a Socket needs from a backend."""

    def write(self, data: bytes) -> None: ...
    def buffered(self) -> int: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...
    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...
    def peername(self) -> Any: ...
    def sockname(self) -> Any: ...
    def setsockopt(self, level: int, option: int, value: int) -> None: ...


class _AsyncioTransport(asyncio.Protocol):
    """The asyncio hot path: protocol callbacks straight into the Socket."""

    __slots__ = ("_on_connection", "_transport", "socket")

    def __init__(self, on_connection: Callable[[Socket], Any], socket: Socket | None = None) -> None:
        self._on_connection = on_connection
        self._transport: asyncio.Transport | None = None
        # A client connection brings the Socket it was created for.
        self.socket: Socket | None = socket

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport; they have its methods.
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        # asyncio pauses above `high`; Node's write() returns false at >= the mark. With
        # high = mark - 1 the two agree, so resume_writing always follows a False.
        transport.set_write_buffer_limits(high=HIGH_WATER_MARK - 1)
        sock = self.socket or Socket()
        self.socket = sock
        sock._attach(self)
        self._on_connection(sock)

    def data_received(self, data: bytes) -> None:
        if self.socket is not None:
            self.socket._on_bytes(data)

    def eof_received(self) -> bool:
        if self.socket is not None:
            self.socket._on_eof()
        return True  # half-open: the socket's owner decides when to close

    def resume_writing(self) -> None:
        if self.socket is not None:
            self.socket._on_drain()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.socket is not None:
            self.socket._on_closed(exc)

    # _Transport
    def write(self, data: bytes) -> None:
        if self._transport is not None:
            self._transport.write(data)

    def buffered(self) -> int:
        return self._transport.get_write_buffer_size() if self._transport is not None else 0

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def pause_reading(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()

    def peername(self) -> Any:
        return self._transport.get_extra_info("peername") if self._transport else None

    def sockname(self) -> Any:
        return self._transport.get_extra_info("sockname") if self._transport else None

    def setsockopt(self, level: int, option: int, value: int) -> None:
        raw = self._transport.get_extra_info("socket") if self._transport else None
        if raw is not None:
            raw.setsockopt(level, option, value)


class _StreamTransport:
    """anyio socket streams (trio): a reader task and a writer task per connection."""

    def __init__(self, stream: anyio.abc.SocketStream) -> None:
        self._stream = stream
        self._out: deque[bytes] = deque()
        self._out_size = 0
        self._wake_writer = anyio.Event()
        self._resume = anyio.Event()
        self._resume.set()
        self._closing = False
        self._sending = False
        self._scope = anyio.CancelScope()
        self._raw: _socket.socket | None = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        self.socket: Socket | None = None

    async def serve(self, sock: Socket, on_connection: Callable[[Socket], Any]) -> None:
        self.socket = sock
        sock._attach(self)
        error: BaseException | None = None
        try:
            with self._scope:
                try:
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(self._writer)
                        on_connection(sock)
                        await self._reader()
                        tg.cancel_scope.cancel()
                except Exception as exc:  # noqa: BLE001 - sorted out just below
                    failure = _connection_failure(exc)
                    if failure is None:
                        raise
                    error = failure if not self._closing else None
        finally:
            # Also when the runtime itself is cancelled: the socket never outlives it.
            with anyio.CancelScope(shield=True):
                await self._stream.aclose()
            sock._on_closed(error)

    async def _reader(self) -> None:
        sock = self.socket
        assert sock is not None
        receive = self._receive_trio if self._raw is not None and _trio_lowlevel() else self._stream.receive
        while True:
            if not self._resume.is_set():
                await self._resume.wait()
            try:
                data = await receive()
            except anyio.EndOfStream:
                sock._on_eof()
                await anyio.sleep_forever()  # the owner decides when to close
            sock._on_bytes(data)

    async def _receive_trio(self) -> bytes:
        """trio's recv tries first and, between requests, nearly always finds nothing:
        wait for readability first, then read, with one schedule point per read."""
        lowlevel = _trio_lowlevel()
        raw = self._raw
        assert raw is not None and lowlevel is not None
        while True:
            await lowlevel.wait_readable(raw)
            try:
                data = raw.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            if not data:
                raise anyio.EndOfStream
            return data

    async def _writer(self) -> None:
        stream = self._stream
        while True:
            while self._out:
                data = b"".join(self._out)
                self._out.clear()
                self._sending = True
                try:
                    await stream.send(data)
                finally:
                    self._sending = False
                self._out_size = 0
                if self.socket is not None:
                    self.socket._on_drain()
            if self._closing:
                try:
                    await stream.send_eof()
                except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                    pass
                self._scope.cancel()
                return
            self._wake_writer = anyio.Event()
            await self._wake_writer.wait()

    def write(self, data: bytes) -> None:
        # Like libuv's try_write: when nothing is queued or in flight, hand the bytes to the
        # kernel now; only what it refuses waits for the writer task. This keeps the order
        # "write, then destroy" delivering the write, as in Node.
        if self._closing:
            return  # ended or aborted: nothing more goes out
        if not self._out and not self._sending and self._raw is not None:
            try:
                sent = self._raw.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                sent = 0  # the reader or writer task reports the failure
            if sent == len(data):
                return
            data = data[sent:]
        self._out.append(data)
        self._out_size += len(data)
        self._wake_writer.set()

    def buffered(self) -> int:
        return self._out_size

    def close(self) -> None:
        self._closing = True
        self._wake_writer.set()

    def abort(self) -> None:
        self._closing = True
        self._scope.cancel()

    def pause_reading(self) -> None:
        if self._resume.is_set():
            self._resume = anyio.Event()

    def resume_reading(self) -> None:
        self._resume.set()

    def peername(self) -> Any:
        return self._stream.extra(anyio.abc.SocketAttribute.remote_address, None)

    def sockname(self) -> Any:
        return self._stream.extra(anyio.abc.SocketAttribute.local_address, None)

    def setsockopt(self, level: int, option: int, value: int) -> None:
        raw = self._stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        if raw is not None:
            raw.setsockopt(level, option, value)


async def _run_in(scope: anyio.CancelScope, func: Callable[[], Any]) -> None:
    with scope:
        await func()


def _trio_lowlevel() -> Any:
    """trio.lowlevel when running on trio, else None."""
    if sniffio.current_async_library() != "trio":
        return None
    import trio

    return trio.lowlevel


_CONNECTION_ERRORS = (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)


def _connection_failure(exc: BaseException) -> BaseException | None:
    """The peer's failure (a reset, a broken pipe) behind ``exc``, or None for a real bug.

    anyio's task groups wrap what their tasks raise in an exception group."""
    if isinstance(exc, _CONNECTION_ERRORS):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        failures = [_connection_failure(e) for e in exc.exceptions]
        if failures and all(f is not None for f in failures):
            return failures[0]
    return None


class Server(EventEmitter):
    """Node's ``net.Server``: ``listen``, ``close``, ``address``, 'listening'/'connection'/'close'."""

    def __init__(self, connection_listener: Callable[..., Any] | None = None, *,
                 allow_half_open: bool = False) -> None:
        super().__init__()
        self._runtime = current_runtime()
        self.allow_half_open = allow_half_open
        self.listening = False
        self._address: dict[str, Any] | str | None = None
        self._closer: Callable[[], None] | None = None
        self._connections: set[Socket] = set()
        self._drained = anyio.Event()
        self.max_connections: int | None = None
        if connection_listener is not None:
            self.on("connection", connection_listener)

    def listen(self, port: Any = 0, host: Any = None, backlog: Any = None,
               callback: Callable[..., Any] | None = None) -> Server:
        """Start listening; returns at once, 'listening' follows (Node's ``server.listen``).

        ``listen(port, host, backlog, callback)`` for TCP, ``listen(path)`` for a unix
        socket, ``listen(handle)`` for a listening ``socket.socket`` or ``{"fd": n}``, or
        ``listen({"port":..., "host":..., "path":..., "backlog":...})``; trailing
        arguments may be left out and the callback given earlier, as in Node.
        """
        args = [a for a in (port, host, backlog, callback) if a is not None]
        if args and callable(args[-1]):
            self.once("listening", args.pop())
        port, host, backlog = (args + [0, None, None][len(args):])[:3]
        backlog = 511 if backlog is None else backlog
        if isinstance(port, dict):
            options = port
            if "fd" in options:
                target: tuple[Any, ...] = ("socket", _socket.socket(fileno=int(options["fd"])))
            elif options.get("path"):
                target = ("unix", str(options["path"]))
            else:
                target = ("tcp", options.get("host"), int(options.get("port") or 0))
            backlog = int(options.get("backlog", 511))
        elif isinstance(port, _socket.socket):
            target = ("socket", port)
        elif isinstance(port, str) and not port.isdigit():
            target = ("unix", port)
        else:
            target = ("tcp", host, int(port))
        self._runtime.spawn(self._listen, target, int(backlog))
        return self

    async def _listen(self, target: tuple[Any, ...], backlog: int) -> None:
        try:
            if self._runtime.backend == "asyncio":
                await self._listen_asyncio(target, backlog)
            else:
                await self._listen_streams(target, backlog)
        except OSError as exc:
            self.emit("error", _os_error(exc, "listen"))

    def _on_socket(self, sock: Socket) -> None:
        self._connections.add(sock)
        sock.once("close", lambda *_: self._forget(sock))
        sock.server = self
        sock.allow_half_open = self.allow_half_open
        self.emit("connection", sock)

    def _forget(self, sock: Socket) -> None:
        self._connections.discard(sock)
        if not self._connections:
            self._drained.set()

    def _listening(self, sockname: Any) -> None:
        if isinstance(sockname, str):  # a unix socket: Node's address() is the path
            self._address = sockname
        else:
            host, port = sockname[0], sockname[1]
            self._address = {"address": host, "family": "IPv6" if ":" in host else "IPv4", "port": port}
        self.listening = True
        self.emit("listening")

    async def _listen_asyncio(self, target: tuple[Any, ...], backlog: int) -> None:
        loop = asyncio.get_running_loop()

        def factory() -> _AsyncioTransport:
            return _AsyncioTransport(self._on_socket)

        if target[0] == "unix":
            server = await loop.create_unix_server(factory, path=target[1], backlog=backlog)
        elif target[0] == "socket":
            server = await loop.create_server(factory, sock=target[1], backlog=backlog)
        else:
            server = await loop.create_server(factory, host=target[1] or "::", port=target[2],
                                              backlog=backlog, reuse_address=True)
        done = anyio.Event()

        def closer() -> None:
            server.close()
            done.set()

        self._closer = closer
        self._listening(server.sockets[0].getsockname())
        try:
            await done.wait()
        finally:
            server.close()

    async def _listen_streams(self, target: tuple[Any, ...], backlog: int) -> None:
        listener: Any
        if target[0] == "unix":
            listener = await anyio.create_unix_listener(target[1], backlog=backlog)
        elif target[0] == "socket":
            listener = await anyio.abc.SocketListener.from_socket(target[1])
        else:
            listener = await anyio.create_tcp_listener(local_host=target[1] or "::", local_port=target[2],
                                                       backlog=backlog)
        done = anyio.Event()
        self._closer = done.set
        sockname = listener.extra(anyio.abc.SocketAttribute.local_address)
        self._listening(sockname)
        async with listener, anyio.create_task_group() as tg:
            accepting = anyio.CancelScope()
            tg.start_soon(_run_in, accepting, partial(listener.serve, self._serve_stream, tg))
            await done.wait()
            # Stop accepting; connections already accepted go on in tg until they close.
            accepting.cancel()

    async def _wait_connections(self) -> None:
        while self._connections:
            self._drained = anyio.Event()
            await self._drained.wait()

    async def _serve_stream(self, stream: anyio.abc.SocketStream) -> None:
        transport = _StreamTransport(stream)
        await transport.serve(Socket(), self._on_socket)

    def address(self) -> dict[str, Any] | str | None:
        return self._address

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """Stop accepting; 'close' once every connection has ended."""
        if callback is not None:
            self.once("close", callback)
        if self._closer is not None:
            closer, self._closer = self._closer, None
            closer()
            self.listening = False
            self._runtime.spawn(self._emit_close_when_drained)
        return self

    async def _emit_close_when_drained(self) -> None:
        await self._wait_connections()
        self.emit("close")

    def get_connections(self, callback: Callable[[Any, int], Any]) -> None:
        callback(None, len(self._connections))


def _connect_error(exc: BaseException, address: str, port: int) -> SocketError:
    """Node's connect failure: ``connect ECONNREFUSED 127.0.0.1:8080``."""
    code_errno = exc.errno if isinstance(exc, OSError) else None
    if code_errno is None:
        # anyio and asyncio wrap the attempts; the first one with an errno tells.
        for inner in (exc.__cause__, exc.__context__, *getattr(exc, "exceptions", ())):
            if isinstance(inner, OSError) and inner.errno is not None:
                code_errno = inner.errno
                break
    name = errno.errorcode.get(code_errno, "ECONNREFUSED") if code_errno is not None else "ECONNREFUSED"
    err = SocketError(f"connect {name} {address}:{port}", name, -(code_errno or errno.ECONNREFUSED), "connect")
    err.address = address  # type: ignore[attr-defined]
    err.port = port  # type: ignore[attr-defined]
    return err


def connect(port: Any, host: str | None = "localhost", callback: Callable[..., Any] | None = None) -> Socket:
    """Node's ``net.connect(port, host, callback)``: a Socket at once, 'connect' later.

    Writes made before 'connect' are buffered and sent on connect; a failure is an
    'error' (``ECONNREFUSED``...) then 'close'. ``port`` may be Node's options dict.
    """
    if isinstance(port, dict):
        options = port
        port, host = options.get("port"), options.get("host") or "localhost"
    sock = Socket()
    sock.connecting = True
    if callback is not None:
        sock.once("connect", callback)
    rt = sock._runtime
    # A connecting socket keeps the program alive, as Node's pending connect does.
    rt.ref()
    rt.task_group.start_soon(_connect_task, sock, host or "localhost", int(port))
    return sock


create_connection = connect


async def _connect_task(sock: Socket, host: str, port: int) -> None:
    rt = sock._runtime
    scope = anyio.CancelScope()
    sock._connect_scope = scope
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            rt.unref()

    def on_connected(s: Socket) -> None:
        release()  # the attached transport holds the reference from here on
        rt.io_callback(s._connected)

    try:
        with scope:
            try:
                infos = await anyio.getaddrinfo(host, port, type=_socket.SOCK_STREAM)
            except OSError as exc:
                err = SocketError(f"getaddrinfo ENOTFOUND {host}", "ENOTFOUND", None, "getaddrinfo")
                err.__cause__ = exc
                _fail(sock, err)
                return
            last: SocketError | None = None
            # Each resolved address in turn, as Node's autoSelectFamily does for localhost.
            for family, _type, _proto, _name, sockaddr in infos:
                address = str(sockaddr[0])
                try:
                    if rt.backend == "asyncio":
                        loop = asyncio.get_running_loop()
                        await loop.create_connection(
                            lambda: _AsyncioTransport(on_connected, sock), host=address, port=port, family=family)
                        return
                    stream = await anyio.connect_tcp(address, port)
                except OSError as exc:
                    last = _connect_error(exc, address, port)
                    continue
                sock._connect_scope = None
                await _StreamTransport(stream).serve(sock, on_connected)
                return
            if sock.connecting:
                _fail(sock, last or SocketError(f"connect ECONNREFUSED {host}:{port}", "ECONNREFUSED"))
    finally:
        if sock._connect_scope is scope:
            sock._connect_scope = None
        release()


def _fail(sock: Socket, error: SocketError) -> None:
    sock.connecting = False
    sock._pending = None
    sock.destroyed = True
    sock.writable = sock.readable = False

    def emit() -> None:
        sock.emit("error", error)
        sock.emit("close", True)

    sock._runtime.io_callback(emit)
