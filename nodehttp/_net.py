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
import ipaddress
import math
import os
import socket as _socket
import ssl
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
from ._common import describe_received, invalid_arg_type, to_js_number, validate_one_of
from ._events import EventEmitter, InvalidArgTypeError
from ._runtime import Runtime, Timer, current_runtime

__all__ = ["Server", "Socket", "SocketError", "connect", "create_connection"]

# Sockets that take TCP options (set_no_delay, set_keep_alive); unix sockets ignore them.
_TCP_FAMILIES = (_socket.AF_INET, _socket.AF_INET6)

# Node 24's default writableHighWaterMark for net.Socket (64 KiB since Node 22).
HIGH_WATER_MARK = 65536


class SocketError(NodeError, OSError):
    """A socket error with Node's code (``ECONNRESET``, ``EPIPE``, ``EADDRINUSE``...)."""

    def __init__(self, message: str, code: str, errno_: int | None = None, syscall: str | None = None) -> None:
        NodeError.__init__(self, message, code)
        self.errno = errno_
        self.syscall = syscall


def _os_error(exc: BaseException, syscall: str) -> NodeError:
    if isinstance(exc, ssl.SSLError):
        from ._tls import ssl_error  # a TLS socket's failure: Node's ERR_SSL_* codes

        return ssl_error(exc)
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
        "connecting", "_pending", "_refd", "_connect_scope", "_keep_alive", "_corked",
        "_cork_buf", "_pooled",
    )

    # A TLS socket (nodehttp._tls.TLSSocket) runs over anyio streams on every backend; a
    # client one wraps its TCP stream in _secure_stream before 'connect'.
    _tls = False

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
        self._keep_alive: tuple[bool, int] | None = None  # what set_keep_alive last applied
        self._corked = 0
        self._cork_buf: list[bytes] | None = None  # writes held by cork()
        self._pooled = False  # idle in an agent's pool: a read destroys it (Node 24)

    # Transport side ------------------------------------------------------------------
    async def _secure_stream(self, stream: Any) -> Any:
        """The stream a connected client socket talks through (TLS wraps it here)."""
        return stream

    def _attach(self, transport: _Transport) -> None:
        self._transport = transport
        if self._refd:
            self._runtime.ref()
        self._runtime.sockets.add(self)
        peer = transport.peername()
        # A unix socket's names are paths (or ''): Node reports no addresses for them.
        if peer and not isinstance(peer, str):
            self.remote_address, self.remote_port = peer[0], peer[1]
            self.remote_family = "IPv6" if ":" in peer[0] else "IPv4"
        local = transport.sockname()
        self._local = None if isinstance(local, str) else local

    def _on_bytes(self, data: bytes) -> None:
        # Runtime.io_callback written out: this runs once per read, usually per request.
        self.bytes_read += len(data)
        runtime = self._runtime
        consumer = self.on_data
        runtime._io_depth += 1
        try:
            if consumer is not None:
                consumer(data)
            else:
                self.emit("data", data)
        except Exception as exc:  # noqa: BLE001 - a listener's bug, reported as Node would
            runtime.report_error(exc)
        finally:
            runtime._io_depth -= 1
        # The inactivity timer restarts for this read. After the consumer rather than
        # before (Node's order), which no one can tell apart within one callback: http
        # stops the keep-alive timer when a request starts, and then this costs nothing.
        timer = self._timer
        if timer is not None and timer.active:
            runtime._arm(timer)
        if runtime._ticks and not runtime._io_depth:
            runtime._run_ticks()

    def _on_eof(self) -> None:
        self.readable = False
        if self._pooled:
            # Node 24's agent guards idle sockets: EOF destroys one before any 'end'.
            self.destroy()
            return
        try:
            self.emit("end")
        except Exception as exc:  # noqa: BLE001
            self._runtime.report_error(exc)
        if self._ended:
            # Both sides have ended (we had half-closed): Node's autoDestroy closes.
            if self._transport is not None:
                self._transport.close()
        elif not self.allow_half_open:
            # Node's default: when the peer ends, end our side too (allowHalfOpen: false).
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
        server = self.server
        if server is not None:
            # Before the 'close' listeners, as the server's once('close') was in Node; a
            # direct call, not a listener: a server holds thousands of idle sockets.
            server._forget(self)
        try:
            if exc is not None and self.listener_count("error"):
                self.emit("error", _os_error(exc, "read"))
            self.emit("close", exc is not None)
        except Exception as error:  # noqa: BLE001
            self._runtime.report_error(error)

    # Node's API ----------------------------------------------------------------------
    @property
    def writable_length(self) -> int:
        held = sum(len(d) for d in self._cork_buf) if self._cork_buf else 0
        return held + (self._transport.buffered() if self._transport is not None else 0)

    @property
    def writable_need_drain(self) -> bool:
        return self._need_drain

    def write(self, data: bytes | str, encoding: str | Callable[..., Any] = "utf-8",
              callback: Callable[..., Any] | None = None) -> bool:
        """Queue ``data``; False when more than the high-water mark is buffered ('drain' follows).
        ``write(data, callback)`` works too, as in Node."""
        if callable(encoding):
            callback, encoding = encoding, "utf-8"
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
            if sum(len(d) for d in pending) < HIGH_WATER_MARK:
                return True
            self._need_drain = True  # 'drain' once connected and flushed
            return False
        if transport is None or self._ended:
            return False
        self.bytes_written += len(data)
        if self._corked:
            held = self._cork_buf
            if held is None:
                held = self._cork_buf = []
            held.append(data)
            if callback is not None:
                self._runtime.set_timeout(callback, 0)
            if sum(len(d) for d in held) + transport.buffered() >= HIGH_WATER_MARK:
                self._need_drain = True
                return False
            return True
        timer = self._timer
        if timer is not None and timer.active:
            self._runtime._arm(timer)
        full = transport.write(data)
        if callback is not None:
            self._runtime.set_timeout(callback, 0)
        if full:
            self._need_drain = True
            return False
        return True

    def cork(self) -> None:
        """Hold writes until the matching :meth:`uncork` (Node's ``writable.cork``); what
        was held then leaves in one write."""
        self._corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`; the last one sends what was held."""
        if self._corked:
            self._corked -= 1
            if not self._corked:
                self._flush_corked()

    def _flush_corked(self) -> None:
        held, self._cork_buf = self._cork_buf, None
        transport = self._transport
        if held and transport is not None:
            timer = self._timer
            if timer is not None and timer.active:
                self._runtime._arm(timer)
            if transport.write(b"".join(held)):
                self._need_drain = True

    def end(self, data: bytes | str | None = None) -> Socket:
        """Write ``data``, then send FIN once everything is flushed (Node's ``end``).

        While the peer has not ended its side the socket stays open for reading (a
        half-close); it closes once both sides have ended, as Node's autoDestroy does.
        """
        if data:
            self.write(data)
        if self._corked:
            self._corked = 0  # Node's end() uncorks whatever the count
            self._flush_corked()
        if not self._ended:
            if self.connecting:
                # Node ends a connecting socket once it connects, after what was written.
                self.once("connect", lambda *_: self.end())
                return self
            self._ended = True
            self.writable = False
            transport = self._transport
            if transport is not None:
                if self.readable:
                    transport.write_eof()
                else:
                    transport.close()
        return self

    def destroy_soon(self) -> Socket:
        """End, and close once what was written is flushed, without waiting for the peer
        to end its side (Node's ``destroySoon``, which http uses after a last response)."""
        if self._corked:
            self._corked = 0
            self._flush_corked()
        if self.connecting and not self._ended:
            self.once("connect", lambda *_: self.destroy_soon())
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
        self._cork_buf = None
        if self.connecting:
            self._abort_connect(error)
            return self
        if self._transport is not None:
            transport = self._transport
            transport.abort()
            if self.server is not None:
                # Node counts the connection out when it is destroyed, before its 'close'
                # (which waits for the handle to close): the server's 'close' may come first.
                self.server._forget(self)
            if error is not None:
                self._transport = None
                self._runtime.sockets.discard(self)
                self.destroyed = True
                if self._refd:
                    self._runtime.unref()
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                # As Node's: 'error' on the next tick, 'close' once the handle has closed
                # (a tick later), never from inside the caller (a parser callback, say).
                rt = self._runtime
                rt.ref()
                rt.next_tick(self.emit, "error", error)
                rt.next_tick(rt.next_tick, _emit_close_then_unref, self, True)
        return self


    def _abort_connect(self, error: BaseException | None) -> None:
        self.connecting = False
        self._pending = None
        self.destroyed = True
        if self._connect_scope is not None:
            self._connect_scope.cancel()
        rt = self._runtime
        if error is not None:
            rt.next_tick(self.emit, "error", error)
        # 'close' a tick later, as Node's comes once the handle is closed: a request given
        # this socket in the same breath (a create_connection that destroyed it) has its
        # own tick first and hears it. The program waits for it (as Node's does for a
        # pending handle close): the connect task may end, releasing its reference, first.
        rt.ref()
        rt.next_tick(rt.next_tick, _emit_close_then_unref, self, error is not None)

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
            if not self._transport.write(b"".join(pending)) and self._need_drain:
                # The kernel took it all: no transport drain will come to report it.
                self._runtime.next_tick(self._on_drain)
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
            self._runtime._arm(timer)
        return self

    def _on_timeout(self) -> None:
        self.emit("timeout")

    @property
    def timeout(self) -> float:
        return self._timeout_ms

    def set_no_delay(self, no_delay: bool = True) -> Socket:
        """TCP_NODELAY (Nagle off when True); a connecting socket applies it on connect."""
        if self._transport is not None:
            self._transport.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1 if no_delay else 0)
        elif self.connecting:
            self.once("connect", lambda *_: self.set_no_delay(no_delay))
        return self

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Socket:
        """TCP keep-alive probes, the first after ``initial_delay`` ms of idleness (whole
        seconds, as Node passes them on). Like Node, only a change reaches the kernel: an
        agent calls this every time it pools the socket."""
        wanted = (bool(enable), int(initial_delay // 1000) if enable else 0)
        if self._transport is None and self.connecting:
            self.once("connect", lambda *_: self.set_keep_alive(enable, initial_delay))
        elif self._transport is not None and wanted != self._keep_alive:
            self._keep_alive = wanted
            self._transport.setsockopt(_socket.SOL_SOCKET, _socket.SO_KEEPALIVE, 1 if enable else 0)
            if enable and wanted[1] > 0 and hasattr(_socket, "TCP_KEEPIDLE"):
                self._transport.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPIDLE, wanted[1])
        return self

    def address(self) -> dict[str, Any] | str:
        if self._local is None:
            return {}
        if isinstance(self._local, str):  # a unix socket
            return self._local
        host, port = self._local[0], self._local[1]
        return {"address": host, "family": "IPv6" if ":" in host else "IPv4", "port": port}

    @property
    def ready_state(self) -> str:
        """Node's ``readyState``: ``opening``, ``open``, ``readOnly``, ``writeOnly`` or ``closed``."""
        if self.connecting:
            return "opening"
        if self.readable:
            return "open" if self.writable else "readOnly"
        return "writeOnly" if self.writable else "closed"

    @property
    def pending(self) -> bool:
        """Node's ``pending``: not connected yet (no handle, or still connecting)."""
        return self._transport is None or self.connecting

    @property
    def local_address(self) -> str | None:
        return self._local[0] if self._local else None

    @property
    def local_port(self) -> int | None:
        return self._local[1] if self._local else None


class _Transport(Protocol):
    """What a Socket needs from a backend."""

    def write(self, data: bytes) -> bool:
        """Send or queue ``data``; True when HIGH_WATER_MARK bytes or more are queued."""
    def write_eof(self) -> None:
        """Send FIN once the queue is flushed, and go on reading."""
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

    __slots__ = ("_on_connection", "_transport", "socket", "_write_paused")

    def __init__(self, on_connection: Callable[[Socket], Any] | None, socket: Socket | None = None) -> None:
        self._on_connection = on_connection
        self._transport: asyncio.Transport | None = None
        # A client connection brings the Socket it was created for.
        self.socket: Socket | None = socket
        # asyncio's pause_writing/resume_writing: set while more than the mark is queued,
        # so that a write needs no buffer-size call until then.
        self._write_paused = False

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
        on_connection = self._on_connection
        self._on_connection = None  # not needed again; a connection may idle for long
        if on_connection is not None:
            on_connection(sock)

    def data_received(self, data: bytes) -> None:
        if self.socket is not None:
            self.socket._on_bytes(data)

    def eof_received(self) -> bool:
        if self.socket is not None:
            self.socket._on_eof()
        return True  # half-open: the socket's owner decides when to close

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self.socket is not None:
            self.socket._on_drain()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.socket is not None:
            self.socket._on_closed(exc)

    # _Transport
    def write(self, data: bytes) -> bool:
        transport = self._transport
        if transport is None:
            return False
        transport.write(data)
        # Paused means more than the mark was queued at some point; Node's answer is
        # about now, and the queue may have drained part of the way since.
        return self._write_paused and transport.get_write_buffer_size() >= HIGH_WATER_MARK

    def buffered(self) -> int:
        return self._transport.get_write_buffer_size() if self._transport is not None else 0

    def write_eof(self) -> None:
        transport = self._transport
        if transport is not None:
            if transport.can_write_eof():
                transport.write_eof()
            else:
                transport.close()

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
        if raw is not None and raw.family in _TCP_FAMILIES:  # a pipe has none of these (Node: no-op)
            raw.setsockopt(level, option, value)


class _StreamTransport:
    """anyio socket streams (trio): a reader task and a writer task per connection."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self._stream = stream
        self._out: deque[bytes] = deque()
        self._out_size = 0
        self._wake_writer = anyio.Event()
        self._resume = anyio.Event()
        self._resume.set()
        self._paused = False  # whether _resume is unset: a bool to test per read
        self._closing = False
        self._eager = False  # _receive_trio: try the socket before waiting for it
        self._eof = False  # write_eof(): FIN after the queue, reading goes on
        self._eof_sent = False
        self._sending = False
        self._scope = anyio.CancelScope()
        # Direct socket I/O only on plain TCP: a TLS stream's bytes must go through TLS.
        self._raw: _socket.socket | None = (stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
                                            if isinstance(stream, anyio.abc.SocketStream) else None)
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
                except BaseException as exc:  # noqa: BLE001 - sorted out just below
                    # A destroy (this scope cancelled) racing the peer's reset gives both
                    # the cancellation and the reset in one group: the reset is the news.
                    failure = _connection_failure(exc, self._scope.cancel_called)
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
        lowlevel = _trio_lowlevel() if self._raw is not None else None
        stream_receive = self._stream.receive
        receive_trio = self._receive_trio
        raw = self._raw
        while True:
            while self._paused:  # (paused again before this task woke: wait again)
                await self._resume.wait()
            if self._eager and lowlevel is not None:
                # Waiting for readability costs trio an epoll_ctl per wait. Under load the
                # peer's next message usually arrives while the other ready tasks run, so
                # after a read that found data the next one lets them run (a checkpoint)
                # and tries the socket; only when that finds nothing does it wait for
                # readability (_receive_trio), until a read succeeds at once again. A lone
                # client pays one failed recv() every other request; a busy server saves
                # most of its epoll_ctl calls.
                await lowlevel.checkpoint()
                try:
                    data = raw.recv(65536)  # type: ignore[union-attr]
                except (BlockingIOError, InterruptedError):
                    self._eager = False
                else:
                    if data:
                        sock._on_bytes(data)
                        continue
                    sock._on_eof()
                    await anyio.sleep_forever()  # the owner decides when to close
            try:
                data = await (stream_receive() if lowlevel is None else receive_trio(lowlevel))
            except anyio.EndOfStream:
                sock._on_eof()
                await anyio.sleep_forever()  # the owner decides when to close
            sock._on_bytes(data)

    async def _receive_trio(self, lowlevel: Any) -> bytes:
        """A read on trio that waits for readability first (see _reader's eager read)."""
        raw = self._raw
        assert raw is not None
        while True:
            await lowlevel.wait_readable(raw)
            try:
                data = raw.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            if not data:
                raise anyio.EndOfStream
            self._eager = True
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
                except _CONNECTION_ERRORS:
                    if self._scope.cancel_called:
                        # Aborted meanwhile (the reader saw the end and the owner destroyed
                        # the socket): a failure now would escape the cancelled scope.
                        return
                    raise
                finally:
                    self._sending = False
                self._out_size = 0
                if self.socket is not None:
                    self.socket._on_drain()
            if (self._closing or self._eof) and not self._eof_sent:
                self._eof_sent = True
                try:
                    await stream.send_eof()
                except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                    pass
            if self._closing:
                self._scope.cancel()
                return
            self._wake_writer = anyio.Event()
            await self._wake_writer.wait()

    def write(self, data: bytes) -> bool:
        # Like libuv's try_write: when nothing is queued or in flight, hand the bytes to the
        # kernel now; only what it refuses waits for the writer task. This keeps the order
        # "write, then destroy" delivering the write, as in Node.
        if self._closing:
            return False  # ended or aborted: nothing more goes out
        if not self._out and not self._sending and self._raw is not None:
            try:
                sent = self._raw.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                sent = 0  # the reader or writer task reports the failure
            if sent == len(data):
                return False
            data = data[sent:]
        self._out.append(data)
        self._out_size += len(data)
        self._wake_writer.set()
        return self._out_size >= HIGH_WATER_MARK

    def buffered(self) -> int:
        return self._out_size

    def write_eof(self) -> None:
        self._eof = True
        self._wake_writer.set()

    def close(self) -> None:
        self._closing = True
        self._wake_writer.set()

    def abort(self) -> None:
        self._closing = True
        self._scope.cancel()

    def pause_reading(self) -> None:
        if not self._paused:
            self._paused = True
            self._resume = anyio.Event()

    def resume_reading(self) -> None:
        self._paused = False
        self._resume.set()

    def peername(self) -> Any:
        return self._stream.extra(anyio.abc.SocketAttribute.remote_address, None)

    def sockname(self) -> Any:
        return self._stream.extra(anyio.abc.SocketAttribute.local_address, None)

    def setsockopt(self, level: int, option: int, value: int) -> None:
        raw = self._stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        if raw is not None and raw.family in _TCP_FAMILIES:  # a pipe has none of these (Node: no-op)
            raw.setsockopt(level, option, value)


async def _run_in(scope: anyio.CancelScope, func: Callable[[], Any],
                  done: anyio.Event | None = None) -> None:
    try:
        with scope:
            await func()
    finally:
        if done is not None:
            done.set()


def _trio_lowlevel() -> Any:
    """trio.lowlevel when running on trio, else None."""
    if sniffio.current_async_library() != "trio":
        return None
    import trio

    return trio.lowlevel


_CONNECTION_ERRORS = (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)


def _connection_failure(exc: BaseException, cancelled_too: bool = False) -> BaseException | None:
    """The peer's failure (a reset, a broken pipe) behind ``exc``, or None for a real bug
    (or a cancellation).

    anyio's task groups wrap what their tasks raise in an exception group. With
    ``cancelled_too`` (the caller's own scope was cancelled), cancellations grouped with
    such a failure are that scope's, and do not hide it."""
    if isinstance(exc, _CONNECTION_ERRORS):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        parts = list(exc.exceptions)
        if cancelled_too:
            cancelled = anyio.get_cancelled_exc_class()
            parts = [e for e in parts if not isinstance(e, cancelled)]
        failures = [_connection_failure(e, cancelled_too) for e in parts]
        if failures and all(f is not None for f in failures):
            return failures[0]
    return None


def _address_of(sockname: Any) -> dict[str, Any] | str:
    """Node's ``server.address()`` for a bound socket's name (a unix socket: its path)."""
    if isinstance(sockname, str):
        return sockname
    host, port = sockname[0], sockname[1]
    return {"address": host, "family": "IPv6" if ":" in host else "IPv4", "port": port}


def _bind_unspecified(port: int, backlog: int) -> _socket.socket:
    """A listening TCP socket on every address, as Node's listen(port) makes: "::" with
    IPV6_V6ONLY off (IPv4 clients come in as mapped addresses), else 0.0.0.0."""
    try:
        sock = _socket.socket(_socket.AF_INET6, _socket.SOCK_STREAM)
    except OSError:
        sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        address: tuple[Any, ...] = ("0.0.0.0", port)
    else:
        sock.setsockopt(_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 0)
        address = ("::", port)
    try:
        sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class Server(EventEmitter):
    """Node's ``net.Server``: ``listen``, ``close``, ``address``, 'listening'/'connection'/'close'."""

    # A TLS server (nodehttp.https.Server) accepts over anyio streams on every backend.
    _tls = False

    def __init__(self, connection_listener: Callable[..., Any] | None = None, *,
                 allow_half_open: bool = False) -> None:
        super().__init__()
        self._runtime = current_runtime()
        self.allow_half_open = allow_half_open
        self.listening = False
        self._address: dict[str, Any] | str | None = None
        self._closer: Callable[[], None] | None = None
        self._connections: set[Socket] = set()
        self._close_pending = False  # close() was called; 'close' once no connection is left
        # listen() was called and its socket is not bound yet: "lookup" when Node would be
        # resolving the host, "bound" when Node would have bound within listen() already.
        self._binding: str | None = None
        self._abandon_listen = False  # close() came first: close the socket once bound
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
        listener = args.pop() if args and callable(args[-1]) else None
        if self._closer is not None or self._binding == "bound":
            # Node: a server with a handle (bound, or listening) cannot listen again.
            raise ServerAlreadyListenError()
        port, host, backlog = (args + [0, None, None][len(args):])[:3]
        backlog = 511 if backlog is None else backlog
        if isinstance(port, dict):
            options = port
            if "fd" in options:
                target: tuple[Any, ...] = ("socket", _socket.socket(fileno=int(options["fd"])))
            elif options.get("path"):
                target = ("unix", str(options["path"]))
            else:
                target = ("tcp", options.get("host"), _valid_port(options.get("port"), "options.port"))
            backlog = int(options.get("backlog", 511))
        elif isinstance(port, _socket.socket):
            target = ("socket", port)
        elif isinstance(port, str) and not to_js_number(port) >= 0:
            target = ("unix", port)  # Node's isPipeName: a string that is no port number
        else:
            target = ("tcp", host, _valid_port(port, "options.port"))
        if listener is not None:
            self.once("listening", listener)
        if target[0] == "tcp" and not target[1]:
            # No host: Node binds within listen() itself, to "::" accepting IPv4 too (or
            # to 0.0.0.0 without IPv6), so address() answers at once; a failure is an
            # 'error' on the next tick.
            try:
                sock = _bind_unspecified(target[2], int(backlog))
            except OSError as exc:
                self._runtime.next_tick(self.emit, "error", _listen_error(exc, "::", target[2]))
                return self
            self._address = _address_of(sock.getsockname())
            target = ("socket", sock)
        self._binding = "lookup" if target[0] == "tcp" else "bound"
        self._runtime.spawn(self._listen, target, int(backlog))
        return self

    async def _listen(self, target: tuple[Any, ...], backlog: int) -> None:
        try:
            if self._runtime.backend == "asyncio" and not self._tls:
                await self._listen_asyncio(target, backlog)
            else:
                await self._listen_streams(target, backlog)
        except OSError as exc:
            self._binding = None
            if target[0] == "tcp":
                error = _listen_error(exc, target[1], target[2])
            elif target[0] == "unix":
                error = _listen_error(exc, target[1], None)
            else:
                error = _os_error(exc, "listen")
            self.emit("error", error)

    def _on_socket(self, sock: Socket) -> None:
        self._connections.add(sock)
        sock.server = self  # the socket calls _forget when it closes
        sock.allow_half_open = self.allow_half_open
        self.emit("connection", sock)

    def _forget(self, sock: Socket) -> None:
        self._connections.discard(sock)
        if not self._connections:
            self._emit_close_if_drained()

    def _emit_close_if_drained(self) -> None:
        # Node's _emitCloseIfDrained: 'close' on the next tick once the server is closed
        # and its last connection has been destroyed.
        if self._close_pending and not self._connections:
            self._close_pending = False
            self._runtime.ref()  # the program waits for this 'close' (a close callback)
            self._runtime.next_tick(self._emit_close)

    def _emit_close(self) -> None:
        try:
            self.emit("close")
        finally:
            self._runtime.unref()

    def _listening(self, sockname: Any) -> None:
        self._address = _address_of(sockname)
        self._binding = None
        if self._abandon_listen:
            # close() came before the socket was bound (and already had its 'close'):
            # Node never listens then, nor emits 'listening'.
            self._abandon_listen = False
            self._address = None
            closer, self._closer = self._closer, None
            if closer is not None:
                closer()
            return
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
            stopped = anyio.Event()
            tg.start_soon(_run_in, accepting, partial(listener.serve, self._serve_stream, tg),
                          stopped)
            await done.wait()
            # Stop accepting; connections already accepted go on in tg until they close.
            accepting.cancel()
            # The listening socket closes now, not when the last connection ends: until then
            # the kernel would complete connections that nobody accepts (Node refuses them).
            await stopped.wait()
            await listener.aclose()

    async def _serve_stream(self, stream: anyio.abc.SocketStream) -> None:
        transport = _StreamTransport(stream)
        await transport.serve(Socket(), self._on_socket)

    def address(self) -> dict[str, Any] | str | None:
        return self._address

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """Stop accepting; 'close' once every connection has ended. On a server that is
        not listening, 'close' still comes and ``callback`` gets ERR_SERVER_NOT_RUNNING, as
        in Node."""
        if self._closer is not None:
            if callback is not None:
                self.once("close", callback)
            closer, self._closer = self._closer, None
            closer()
            self.listening = False
            self._address = None  # Node's address() is null once the handle is closed
            self._close_pending = True
            self._emit_close_if_drained()
        elif self._binding == "bound":
            # Node has bound already and closes the handle now; here the bind in progress
            # is abandoned, with the same events.
            if callback is not None:
                self.once("close", callback)
            self._abandon_listen = True
            self._close_pending = True
            self._emit_close_if_drained()
        else:
            # Not listening, or (Node) still resolving the host: not running.
            if self._binding is not None:
                self._abandon_listen = True
            if callback is not None:
                error = NodeError("Server is not running.", "ERR_SERVER_NOT_RUNNING")
                self.once("close", lambda *_: callback(error))
            self._close_pending = True
            self._emit_close_if_drained()
        return self

    def get_connections(self, callback: Callable[[Any, int], Any]) -> None:
        callback(None, len(self._connections))


# libuv's texts for the failures a listen() meets (uv_strerror), where C's differ.
_UV_DESCRIPTIONS = {
    "EADDRINUSE": "address already in use",
    "EADDRNOTAVAIL": "address not available",
    "EACCES": "permission denied",
    "EINVAL": "invalid argument",
}


def _listen_error(exc: OSError, address: str, port: int | None) -> NodeError:
    """Node's listen failure: ``listen EADDRINUSE: address already in use :::8080`` (a
    unix socket's names its path), with ``address`` and ``port``."""
    if exc.errno is None:
        return _os_error(exc, "listen")
    name = errno.errorcode.get(exc.errno, "EIO")
    text = _UV_DESCRIPTIONS.get(name) or os.strerror(exc.errno).lower()
    where = address if port is None else f"{address}:{port}"
    err = SocketError(f"listen {name}: {text} {where}", name, -exc.errno, "listen")
    err.address = address  # type: ignore[attr-defined]
    if port is not None:
        err.port = port  # type: ignore[attr-defined]
    return err


def _connect_error(exc: BaseException, address: str, port: int | None) -> SocketError:
    """Node's connect failure: ``connect ECONNREFUSED 127.0.0.1:8080`` (a unix socket's
    has no port: ``connect ENOENT /tmp/app.sock``)."""
    code_errno = exc.errno if isinstance(exc, OSError) else None
    if code_errno is None:
        # anyio and asyncio wrap the attempts; the first one with an errno tells.
        for inner in (exc.__cause__, exc.__context__, *getattr(exc, "exceptions", ())):
            if isinstance(inner, OSError) and inner.errno is not None:
                code_errno = inner.errno
                break
    name = errno.errorcode.get(code_errno, "ECONNREFUSED") if code_errno is not None else "ECONNREFUSED"
    where = address if port is None else f"{address}:{port}"
    err = SocketError(f"connect {name} {where}", name, -(code_errno or errno.ECONNREFUSED), "connect")
    err.address = address  # type: ignore[attr-defined]
    if port is not None:
        err.port = port  # type: ignore[attr-defined]
    return err


def connect(port: Any, host: str | None = "localhost", callback: Callable[..., Any] | None = None, *,
            socket: Socket | None = None) -> Socket:
    """Node's ``net.connect(port, host, callback)``: a Socket at once, 'connect' later.

    Writes made before 'connect' are buffered and sent on connect; a failure is an
    'error' (``ECONNREFUSED``...) then 'close'. ``port`` may be Node's options dict:
    ``port`` and ``host``, or ``path`` for a unix socket; ``local_address`` (an IP to
    bind to before connecting), ``family`` (4 or 6: resolve ``host`` to that family
    only) and ``lookup`` (Node's ``lookup(hostname, options, callback)`` in place of
    the system resolver). ``socket`` is a new Socket to connect instead of a plain one
    (https's TLSSocket).
    """
    target: _Target | None = None
    if isinstance(port, dict):
        options = port
        port, host = options.get("port"), options.get("host") or "localhost"
        target = _Target.of(options)
    # Checked before anything starts: Node throws these from net.connect itself.
    port_number = 0 if target is not None and target.path is not None else _valid_port(port)
    sock = socket if socket is not None else Socket()
    sock.connecting = True
    if callback is not None:
        sock.once("connect", callback)
    rt = sock._runtime
    # A connecting socket keeps the program alive, as Node's pending connect does.
    rt.ref()
    rt.task_group.start_soon(_connect_task, sock, host or "localhost", port_number, target)
    return sock


create_connection = connect


class SocketBadPortError(NodeError, ValueError):
    """``ERR_SOCKET_BAD_PORT`` (a RangeError in Node): a port that is not 0 to 65535."""

    code = "ERR_SOCKET_BAD_PORT"

    def __init__(self, port: object, name: str = "Port") -> None:
        super().__init__(f"{name} should be >= 0 and < 65536. {describe_received(port)}.")


class ServerAlreadyListenError(NodeError, RuntimeError):
    """``ERR_SERVER_ALREADY_LISTEN``: ``listen()`` on a server that listens already."""

    code = "ERR_SERVER_ALREADY_LISTEN"

    def __init__(self) -> None:
        super().__init__("Listen method has been called more than once without closing.")


def _valid_port(port: object, name: str = "Port") -> int:
    """Node's validatePort: a number, or a string that reads as one (``"0x50"`` is 80),
    naming a whole port; not given (None) is 0."""
    if port is None:
        return 0
    if isinstance(port, bool) or not isinstance(port, (int, float, str)):
        raise invalid_arg_type("options.port", "one of type number or string", port)
    number = to_js_number(port)
    if (isinstance(port, str) and not port.strip()) or not (
            math.isfinite(number) and number == int(number) and 0 <= number <= 0xFFFF):
        raise SocketBadPortError(port, name)
    return int(number)


class InvalidIpAddressError(NodeError, TypeError):
    """``ERR_INVALID_IP_ADDRESS``: a ``local_address`` (or a lookup's answer) that is no IP."""

    code = "ERR_INVALID_IP_ADDRESS"

    def __init__(self, value: object) -> None:
        super().__init__(f"Invalid IP address: {value}")


class InvalidAddressFamilyError(NodeError, ValueError):
    """``ERR_INVALID_ADDRESS_FAMILY`` (a RangeError in Node): a lookup's family not 4 or 6."""

    code = "ERR_INVALID_ADDRESS_FAMILY"

    def __init__(self, family: object, host: str, port: int) -> None:
        super().__init__(f"Invalid address family: {family} {host}:{port}")
        self.host = host
        self.port = port


def _ip_version(value: object) -> int:
    """Node's ``net.isIP``: 4, 6, or 0 for anything else."""
    if not isinstance(value, str):
        return 0
    try:
        return ipaddress.ip_address(value).version
    except ValueError:
        return 0


class _Target:
    """What a connect() options dict asks for beyond a host and a port."""

    __slots__ = ("path", "local_address", "family", "lookup")

    def __init__(self, path: str | None, local_address: str | None, family: int,
                 lookup: Callable[..., Any] | None) -> None:
        self.path = path
        self.local_address = local_address
        self.family = family
        self.lookup = lookup

    @classmethod
    def of(cls, options: dict[str, Any]) -> _Target | None:
        path = options.get("path") or None
        local_address = options.get("local_address") or None
        # Node's socketToDnsFamily: 'IPv4'/'IPv6' are 4/6.
        given = options.get("family")
        family = {4: 4, 6: 6, "IPv4": 4, "IPv6": 6}.get(given, 0) if given.__class__ is not bool else 0
        lookup = options.get("lookup")
        if given is not None and not family and lookup is None and not _ip_version(options.get("host")):
            # What the system lookup (dns.lookup) accepts; an IP host is not looked up.
            validate_one_of(given, "options.family", (0, 4, 6))
        if path is None and local_address is None and not family and lookup is None:
            return None
        if local_address is not None and not _ip_version(local_address):
            raise InvalidIpAddressError(local_address)
        if lookup is not None and not callable(lookup):
            raise InvalidArgTypeError(
                f'The "options.lookup" property must be of type function. {describe_received(lookup)}')
        return cls(None if path is None else str(path), local_address, family, lookup)


class _Failed(Exception):
    """Carries the error a connection attempt ends with, whatever address comes next."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


async def _connect_task(sock: Socket, host: str, port: int, target: _Target | None = None) -> None:
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

    def factory() -> _AsyncioTransport:
        return _AsyncioTransport(on_connected, sock)

    fast = rt.backend == "asyncio" and not sock._tls
    try:
        with scope:
            if not sock.connecting:
                return  # destroyed before this task ran (its scope was not there to cancel)
            stream: Any
            if target is not None and target.path is not None:
                path = target.path
                try:
                    if fast:
                        await asyncio.get_running_loop().create_unix_connection(factory, path)
                        return
                    stream = await anyio.connect_unix(path)
                except OSError as exc:
                    _fail(sock, _connect_error(exc, path, None))
                    return
                await _serve_client(sock, stream, on_connected)
                return
            try:
                addresses = await _resolve(sock, host, port, target)
            except _Failed as failed:
                _fail(sock, failed.error)
                return
            local = target.local_address if target is not None else None
            last: SocketError | None = None
            # Each resolved address in turn, as Node's autoSelectFamily does for localhost.
            for family, address in addresses:
                try:
                    if local is not None:
                        raw = await _bound_connect(family, address, port, local)
                        if fast:
                            await asyncio.get_running_loop().create_connection(factory, sock=raw)
                            return
                        stream = await anyio.abc.SocketStream.from_socket(raw)
                    elif fast:
                        await asyncio.get_running_loop().create_connection(
                            factory, host=address, port=port, family=family)
                        return
                    else:
                        stream = await anyio.connect_tcp(address, port)
                except _Failed as failed:
                    _fail(sock, failed.error)
                    return
                except OSError as exc:
                    last = _connect_error(exc, address, port)
                    continue
                await _serve_client(sock, stream, on_connected)
                return
            if sock.connecting:
                _fail(sock, last or SocketError(f"connect ECONNREFUSED {host}:{port}", "ECONNREFUSED"))
    finally:
        if sock._connect_scope is scope:
            sock._connect_scope = None
        release()
        if sock.connecting:
            # Cancelled mid-connect (the program is ending): no tick will run any more,
            # so the socket closes here, and whoever counts it (an agent) lets it go.
            sock.connecting = False
            sock._pending = None
            sock.destroyed = True
            sock.writable = sock.readable = False
            try:
                sock.emit("close", False)
            except Exception as exc:  # noqa: BLE001 - a listener's bug, reported as Node would
                rt.report_error(exc)


async def _serve_client(sock: Socket, stream: Any, on_connected: Callable[[Socket], Any]) -> None:
    if sock._tls:
        try:
            stream = await sock._secure_stream(stream)
        except NodeError as exc:  # the handshake failed; the TCP stream is closed
            _fail(sock, exc)
            return
    sock._connect_scope = None
    await _StreamTransport(stream).serve(sock, on_connected)


async def _resolve(sock: Socket, host: str, port: int, target: _Target | None) -> list[tuple[int, str]]:
    """The addresses to try, as (socket family, IP); raises _Failed with Node's error."""
    version = _ip_version(host)
    if version:
        # An IP needs no lookup, whatever ``family`` says (Node's isIP shortcut).
        return [(_socket.AF_INET6 if version == 6 else _socket.AF_INET, host)]
    family = target.family if target is not None else 0
    if target is not None and target.lookup is not None:
        return await _user_lookup(target, host, port)
    try:
        infos = await anyio.getaddrinfo(host, port, family=_FAMILIES[family], type=_socket.SOCK_STREAM)
    except OSError as exc:
        err = SocketError(f"getaddrinfo ENOTFOUND {host}", "ENOTFOUND", None, "getaddrinfo")
        err.__cause__ = exc
        raise _Failed(err) from None
    return [(info[0], str(info[4][0])) for info in infos]


_FAMILIES = {0: _socket.AF_UNSPEC, 4: _socket.AF_INET, 6: _socket.AF_INET6}


async def _user_lookup(target: _Target, host: str, port: int) -> list[tuple[int, str]]:
    """Node's lookup option: ``lookup(hostname, options, callback)``; ``options`` has
    ``family`` (when given) and ``hints``, and ``all: True`` when Node would try every
    address (no family, no local address): the callback then gets a list of
    ``{"address", "family"}`` dicts, else ``(error, address, family)``."""
    assert target.lookup is not None
    family = target.family
    many = not family and target.local_address is None
    options: dict[str, Any] = {"family": family} if family else {}
    options["hints"] = 0 if family else _socket.AI_ADDRCONFIG
    if many:
        options["all"] = True
    done = anyio.Event()
    outcome: list[tuple[Any, Any, Any]] = []

    def callback(error: Any = None, address: Any = None, address_family: Any = None) -> None:
        if not outcome:
            outcome.append((error, address, address_family))
            done.set()

    try:
        target.lookup(host, options, callback)
    except Exception as exc:  # noqa: BLE001 - the user's lookup failed: the request's error
        raise _Failed(exc) from None
    await done.wait()
    error, address, address_family = outcome[0]
    if error is not None:
        raise _Failed(error if isinstance(error, BaseException) else NodeError(str(error)))
    if not many:
        answers = [(address, address_family)]
    elif isinstance(address, (list, tuple, str)):
        # Node reads entry.address of each element: a string's characters have none.
        answers = [(a.get("address"), a.get("family")) if isinstance(a, dict) else (None, None) for a in address]
    else:
        answers = []
    valid: list[tuple[int, str]] = [(_socket.AF_INET6 if fam == 6 else _socket.AF_INET, ip) for ip, fam in answers
             if _ip_version(ip) and fam in (4, 6)]
    if valid:
        return valid
    ip, fam = answers[0] if answers else (None, None)
    if not _ip_version(ip):
        raise _Failed(InvalidIpAddressError("undefined" if ip is None else ip))
    raise _Failed(InvalidAddressFamilyError(fam, host, port))


async def _bound_connect(family: int, address: str, port: int, local_address: str) -> _socket.socket:
    """A TCP socket bound to ``local_address``, then connected (``_Failed`` when the bind fails)."""
    raw = _socket.socket(family, _socket.SOCK_STREAM)
    try:
        raw.setblocking(False)
        try:
            if (_ip_version(local_address) == 6) != (family == _socket.AF_INET6):
                # libuv's answer for an address of the other family.
                raise OSError(errno.EINVAL, "Invalid argument")
            raw.bind((local_address, 0))
        except OSError as exc:
            code = exc.errno if exc.errno and exc.errno > 0 else errno.EINVAL
            name = errno.errorcode.get(code, "EINVAL")
            err = SocketError(f"bind {name} {local_address}", name, -code, "bind")
            err.address = local_address  # type: ignore[attr-defined]
            raise _Failed(err) from None
        try:
            raw.connect((address, port))
        except BlockingIOError:
            await anyio.wait_writable(raw)
            code = raw.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code)) from None
        return raw
    except BaseException:
        raw.close()
        raise


def _fail(sock: Socket, error: BaseException) -> None:
    sock.connecting = False
    sock._pending = None
    sock.destroyed = True
    sock.writable = sock.readable = False

    def emit() -> None:
        try:
            sock.emit("error", error)
        finally:
            _emit_close_then_unref(sock, True)

    # A tick, as Node's connectErrorNT: a connect can fail before its first await (a
    # missing unix socket), and the request's 'socket' tick, queued earlier, goes first.
    # The program waits for it, as in _abort_connect.
    sock._runtime.ref()
    sock._runtime.next_tick(emit)


def _emit_close_then_unref(sock: Socket, had_error: bool) -> None:
    try:
        sock.emit("close", had_error)
    finally:
        sock._runtime.unref()
