"""OutgoingMessage (Node's ``lib/_http_outgoing.js``): the header store, the framing
decisions of ``_storeHeader`` and the body writer shared by ServerResponse and
ClientRequest.

The framing decisions (Date, Connection, Keep-Alive, Content-Length or chunked) are made
in one place, :meth:`OutgoingMessage._store_header`, in Node's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any, cast

from ._common import (
    check_invalid_header_char,
    invalid_arg_type,
    js_string,
    validate_header_name,
    validate_string,
)
from ._errors import NodeError
from ._events import EventEmitter
from ._headers import HeaderState, OutgoingHeaders, render_headers
from ._http_errors import HeadersSentError, InvalidCharError, TrailerInvalidError
from ._runtime import Runtime, current_runtime

__all__ = ["OutgoingMessage"]


# What _storeHeader learns from no header lines at all: every flag False. Shared, never
# written to: its ``header`` and ``content_length`` are not read. The flags are set on the
# instance, where they read faster than the class defaults: most responses come this way.
_NO_HEADER_LINES = HeaderState()
for _flag in HeaderState._FLAGS:
    setattr(_NO_HEADER_LINES, _flag, False)

# "Keep-Alive: timeout=5" and the like, by (timeout in ms, max requests per socket).
_KEEP_ALIVE_LINES: dict[tuple[int, int], str] = {}


class WriteAfterEndError(Exception):
    """Node's ERR_STREAM_WRITE_AFTER_END."""

    code = "ERR_STREAM_WRITE_AFTER_END"

    def __init__(self) -> None:
        super().__init__("write after end")


_date_cache: tuple[int, str] = (0, "")
# Node 24's OutgoingMessage kHighWaterMark (getDefaultHighWaterMark()), for bytes buffered
# before the message has a socket.
_OUTPUT_HIGH_WATER_MARK = 65536


def utc_date() -> str:
    """The Date header's value, as Node's utcDate: recomputed at most once a second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def latin1(text: str) -> bytes:
    """Node writes header text as 'latin1': each code point keeps its low byte."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return bytes(ord(c) & 0xFF for c in text)


def _to_bytes(chunk: bytes | bytearray | memoryview | str, encoding: str | None) -> bytes:
    if isinstance(chunk, str):
        if encoding in (None, "utf8", "utf-8"):
            return chunk.encode("utf-8")
        if encoding in ("latin1", "binary"):
            return latin1(chunk)
        return chunk.encode(encoding)
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise _bad_chunk(chunk)


class StreamAlreadyFinishedError(NodeError, RuntimeError):
    """``ERR_STREAM_ALREADY_FINISHED``: ``end(callback)`` on a message that has finished."""

    code = "ERR_STREAM_ALREADY_FINISHED"

    def __init__(self, method: str) -> None:
        super().__init__(f"Cannot call {method} after a stream was finished")


class ContentLengthMismatchError(NodeError, ValueError):
    """``ERR_HTTP_CONTENT_LENGTH_MISMATCH``: with ``strict_content_length``, a body longer
    (or, at end(), other) than the Content-Length header says."""

    code = "ERR_HTTP_CONTENT_LENGTH_MISMATCH"

    def __init__(self, actual: object, expected: object) -> None:
        super().__init__(f"Response body's content-length of {js_string(actual)} byte(s) does not match the "
                         f"content-length of {js_string(expected)} byte(s) set in header")


class StreamDestroyedError(NodeError, RuntimeError):
    """``ERR_STREAM_DESTROYED``: a write to a message that was destroyed."""

    code = "ERR_STREAM_DESTROYED"

    def __init__(self, method: str) -> None:
        super().__init__(f"Cannot call {method} after a stream was destroyed")


class StreamNullValuesError(NodeError, TypeError):
    """``ERR_STREAM_NULL_VALUES``: ``write(None)``, Node's ``write(null)``."""

    code = "ERR_STREAM_NULL_VALUES"

    def __init__(self) -> None:
        super().__init__("May not write null values to stream")


def _bad_chunk(chunk: object) -> NodeError:
    if chunk is None:
        return StreamNullValuesError()
    return invalid_arg_type("chunk", "of type string or an instance of Buffer or Uint8Array", chunk)


def _call_each(callbacks: list[Callable[..., Any]]) -> None:
    for callback in callbacks:
        callback()


def _emit_error(msg: OutgoingMessage, error: BaseException, callback: Callable[..., Any] | None) -> None:
    # Node's emitErrorNt: the write's callback first, then 'error' unless destroyed since.
    if callback is not None:
        callback(error)
    if not msg.destroyed:
        msg.emit("error", error)


class OutgoingMessage(EventEmitter):
    """What ServerResponse and ClientRequest share: headers, framing, the body writer."""

    # Defaults live on the class: one message is made per request.
    #: Node's ``writable``: set by its constructor and left alone by http (still true
    #: after end() and destroy()).
    writable = True
    #: Node's ``strictContentLength``: when True, a body that does not add up to the
    #: Content-Length header raises ERR_HTTP_CONTENT_LENGTH_MISMATCH.
    strict_content_length = False
    _bytes_written = 0
    _out: OutgoingHeaders | None = None
    _header: str | None = None
    _header_sent = False
    chunked_encoding = False
    should_keep_alive = True
    max_requests_on_connection_reached = False
    _default_keep_alive = True
    use_chunked_encoding_by_default = True
    send_date = False
    _removed_connection = False
    _removed_cont_len = False
    _removed_te = False
    _content_length: int | None = None
    _has_body = True
    _trailer = ""
    finished = False
    writable_finished = False
    _last = False
    socket: Any = None
    _keep_alive_timeout = 0
    _max_requests_per_socket = 0
    destroyed = False
    _on_pending_data: Callable[[int], Any] | None = None
    _corked = 0  # cork() calls made while no socket was assigned
    _end_callbacks: list[Callable[..., Any]] | None = None  # end()'s callbacks, called before 'finish'
    _write_callbacks: list[Callable[..., Any]] | None = None  # write()s' callbacks, waiting for the write

    def __init__(self, runtime: Runtime | None = None) -> None:
        super().__init__()
        self._runtime = runtime or current_runtime()
        self._output: list[bytes] = []

    # The header store (Node's kOutHeaders) --------------------------------------------
    @property
    def headers_sent(self) -> bool:
        return self._header is not None

    def set_header(self, name: str, value: Any) -> OutgoingMessage:
        if self._header is not None:
            raise HeadersSentError("set")
        if self._out is None:
            self._out = OutgoingHeaders()
        self._out.set_header(name, value)
        return self

    def append_header(self, name: str, value: Any) -> OutgoingMessage:
        if self._header is not None:
            raise HeadersSentError("append")
        if self._out is None:
            self._out = OutgoingHeaders()
        self._out.append_header(name, value)
        return self

    def set_headers(self, headers: Any) -> OutgoingMessage:
        """Node's ``setHeaders(headers)``: ``set_header`` for each pair of a mapping (Node's
        ``Map`` or ``Headers``; here anything with ``keys``, ``get`` and ``items``). The
        values of a ``set-cookie`` key are gathered and set once, at the end."""
        if self._header is not None:
            raise HeadersSentError("set")
        if (isinstance(headers, (list, tuple)) or not callable(getattr(headers, "keys", None))
                or not callable(getattr(headers, "get", None))):
            raise invalid_arg_type("headers", "an instance of Headers or Map", headers)
        cookies: list[Any] = []
        for key, value in headers.items():
            if key == "set-cookie":
                cookies.extend(value if isinstance(value, (list, tuple)) else [value])
            else:
                self.set_header(key, value)
        if cookies:
            self.set_header("set-cookie", cookies)
        return self

    def get_header(self, name: str) -> Any:
        return None if self._out is None else self._out.get_header(name)

    def get_headers(self) -> dict[str, Any]:
        return {} if self._out is None else self._out.get_headers()

    def get_header_names(self) -> list[str]:
        return [] if self._out is None else self._out.get_header_names()

    def get_raw_header_names(self) -> list[str]:
        return [] if self._out is None else self._out.get_raw_header_names()

    def has_header(self, name: str) -> bool:
        return self._out is not None and self._out.has_header(name)

    def remove_header(self, name: str) -> None:
        if self._header is not None:
            raise HeadersSentError("remove")
        validate_string(name, "name")
        key = name.lower()
        if key == "connection":
            self._removed_connection = True
        elif key == "content-length":
            self._removed_cont_len = True
        elif key == "transfer-encoding":
            self._removed_te = True
        elif key == "date":
            self.send_date = False
        if self._out is not None:
            self._out.remove_header(name)

    # Framing (Node's _storeHeader) -------------------------------------------------------
    def _store_header(self, first_line: str, headers: Any) -> None:
        if headers is None:
            state = _NO_HEADER_LINES
            header = first_line
        elif headers.__class__ is OutgoingHeaders:
            state = headers.render(first_line, content_length=self._content_length)
            header = state.header
        else:
            state = render_headers(headers, first_line, content_length=self._content_length)
            header = state.header
        if state.connection:
            self._removed_connection = False
            if state.connection_close:
                self._last = True
            elif state.connection_keep:
                self.should_keep_alive = True
        if state.te:
            self._removed_te = False
            if state.chunked:
                self.chunked_encoding = True
        if state.cont_len:
            self._removed_cont_len = False
            if state.content_length is not None:
                self._content_length = state.content_length  # type: ignore[assignment]
        if state.keep_alive:
            self._default_keep_alive = False
        if self.send_date and not state.date:
            now = int(time.time())
            header += f"Date: {_date_cache[1] if _date_cache[0] == now else utc_date()}\r\n"
        # 204 and 304 must not carry a body: no zero chunk, and the connection closes.
        status = getattr(self, "status_code", None)
        if self.chunked_encoding and status in (204, 304):
            self.chunked_encoding = False
            self.should_keep_alive = False
        if self._removed_connection:
            self._last = not self.should_keep_alive
        elif not state.connection:
            send_keep_alive = self.should_keep_alive and (
                state.cont_len or self.use_chunked_encoding_by_default or getattr(self, "agent", None))
            if send_keep_alive and self.max_requests_on_connection_reached:
                header += "Connection: close\r\n"
            elif send_keep_alive:
                header += "Connection: keep-alive\r\n"
                if self._keep_alive_timeout and self._default_keep_alive:
                    key = (self._keep_alive_timeout, self._max_requests_per_socket)
                    line = _KEEP_ALIVE_LINES.get(key)
                    if line is None:
                        extra = f", max={key[1]}" if key[1] > 0 else ""
                        line = f"Keep-Alive: timeout={key[0] // 1000}{extra}\r\n"
                        if len(_KEEP_ALIVE_LINES) < 64:
                            _KEEP_ALIVE_LINES[key] = line
                    header += line
            else:
                self._last = True
                header += "Connection: close\r\n"
        if not state.cont_len and not state.te:
            if not self._has_body:
                self.chunked_encoding = False
            elif not self.use_chunked_encoding_by_default:
                self._last = True
            elif not state.trailer and not self._removed_cont_len and self._content_length is not None:
                header += f"Content-Length: {self._content_length}\r\n"
            elif not self._removed_te:
                header += "Transfer-Encoding: chunked\r\n"
                self.chunked_encoding = True
            else:
                self._last = True
        if self.chunked_encoding is not True and state.trailer:
            raise TrailerInvalidError()
        self._header = header + "\r\n"
        self._header_sent = False
        if state.expect:
            self._send(b"")

    def _implicit_header(self) -> None:
        raise NotImplementedError

    # Writing ---------------------------------------------------------------------------
    def _send(self, data: bytes) -> bool:
        if not self._header_sent and self._header is not None:
            try:
                head = self._header.encode("latin-1")
            except UnicodeEncodeError:
                head = latin1(self._header)
            data = head + data
            self._header_sent = True
        sock = self.socket
        if sock is not None and sock._http_message is self and sock.writable and not self._output:
            # _write_raw's usual case, without its frame.
            return bool(sock.write(data)) if data else True
        return self._write_raw(data)

    def _write_raw(self, data: bytes) -> bool:
        sock = self.socket
        if sock is not None and sock._http_message is self and sock.writable:
            if self._output:
                self._flush_output(sock)
            return bool(sock.write(data)) if data else True
        self._output.append(data)
        if self._on_pending_data is not None:
            self._on_pending_data(len(data))
        # Node's answer while no socket takes the bytes: under its own high-water mark.
        return sum(map(len, self._output)) < _OUTPUT_HIGH_WATER_MARK

    def _flush_output(self, sock: Any) -> None:
        while self._corked:
            # Corks taken before the socket was assigned move to it, as in Node.
            self._corked -= 1
            sock.cork()
        output, self._output = self._output, []
        size = sum(map(len, output))
        if output:
            sock.write(b"".join(output))
        if self._on_pending_data is not None and size:
            self._on_pending_data(-size)

    def write(self, chunk: bytes | str, encoding: str | Callable[..., Any] | None = None,
              callback: Callable[..., Any] | None = None) -> bool:
        """Write a body chunk; False when the data is queued above the high-water mark.

        As in Node, ``write(chunk, callback)`` works too (the encoding is optional)."""
        if callable(encoding):
            callback, encoding = encoding, None
        return self._write(chunk, encoding, callback, from_end=False)

    def _write(self, chunk: bytes | str, encoding: str | None, callback: Callable[..., Any] | None,
               from_end: bool) -> bool:
        if chunk.__class__ is not bytes and not isinstance(chunk, (str, bytes, bytearray, memoryview)):
            raise _bad_chunk(chunk)  # before the state checks, as in Node
        if self.finished:
            error = WriteAfterEndError()
            if not self.destroyed:
                self._runtime.next_tick(_emit_error, self, error, callback)
            elif callback is not None:
                self._runtime.next_tick(callback, error)
            return False
        if self.destroyed:
            # Nothing is written; only the callback hears of it (no 'error'), as in Node.
            if callback is not None:
                self._runtime.next_tick(callback, StreamDestroyedError("write"))
            return False
        data = _to_bytes(chunk, encoding)
        if self.strict_content_length:
            self._count_body_bytes(len(data), from_end)
        if self._header is None:
            if from_end:
                self._content_length = len(data)
            self._implicit_header()
        if not self._has_body:
            if callback is not None:
                self._runtime.next_tick(callback)
            return True
        if self.chunked_encoding and data:
            ok = self._send(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            ok = self._send(data)
        if callback is not None:
            # Node corks the socket for the rest of the tick and writes on the next one (or
            # in end(), if that comes first); callbacks run on the tick after that write.
            pending = self._write_callbacks
            if pending is None:
                pending = self._write_callbacks = []
                self._runtime.next_tick(self._uncork_tick)
            pending.append(callback)
        return ok

    def _uncork_tick(self) -> None:
        pending, self._write_callbacks = self._write_callbacks, None
        if pending:
            self._runtime.next_tick(_call_each, pending)

    def end(self, chunk: bytes | str | Callable[..., Any] | None = None,
            encoding: str | Callable[..., Any] | None = None,
            callback: Callable[..., Any] | None = None) -> OutgoingMessage:
        """Finish the message, with an optional last chunk: ``end()``, ``end(callback)``,
        ``end(chunk[, encoding][, callback])`` as in Node."""
        if callable(chunk):
            callback, chunk = chunk, None
        elif callable(encoding):
            callback, encoding = encoding, None
        if self.finished and chunk:
            if not self.destroyed:
                self._runtime.next_tick(_emit_error, self, WriteAfterEndError(), callback)
            return self
        if callback is not None:
            self._queue_end_callback(callback)
        if self.finished:
            return self
        if not chunk:
            data = b""
        elif type(chunk) is bytes:
            data = chunk
        elif type(chunk) is str and encoding is None:
            data = chunk.encode()
        else:
            data = _to_bytes(chunk, cast("str | None", encoding))  # (a callable moved to callback)
        if self.strict_content_length and data:
            self._count_body_bytes(len(data), True)
        if self._header is None:
            # Only end() was called: the length is known (Node's _contentLength).
            self._content_length = len(data)
            self._implicit_header()
        if self.strict_content_length and self._strict() and self._bytes_written != self._content_length:
            raise ContentLengthMismatchError(self._bytes_written, self._content_length)
        if not self._has_body:
            tail = b""
        elif self.chunked_encoding:
            last = b"0\r\n" + latin1(self._trailer) + b"\r\n"
            tail = (b"%x\r\n%s\r\n" % (len(data), data) + last) if data else last
        else:
            tail = data
        if tail or not self._header_sent:
            # Head, last chunk and terminator leave in one write, as Node's cork gives.
            self._send(tail)
        self.finished = True
        pending = self._write_callbacks
        if pending:
            # end() uncorks at once: earlier writes' callbacks come before 'finish'.
            self._write_callbacks = None
            self._runtime.next_tick(_call_each, pending)
        if not self._output and self.socket is not None and self.socket._http_message is self:
            # 'finish' follows the write, after the caller's code (Node: on write completion).
            self._runtime.next_tick(self._finish)
        return self

    def _finish(self) -> None:
        self.writable_finished = True
        self._flush_end_callbacks()
        self.emit("finish")

    def _strict(self) -> bool:
        # Node's strictContentLength(msg): when the declared length is to be enforced.
        return (self._content_length is not None and self._has_body and not self._removed_cont_len
                and not self.chunked_encoding and not self.has_header("transfer-encoding"))

    def _count_body_bytes(self, size: int, from_end: bool) -> None:
        # With strict_content_length: a write that would go past the Content-Length (or a
        # last chunk that would not reach it) raises before anything is sent.
        total = self._bytes_written + size
        expected = self._content_length
        if self._strict() and expected is not None and (total != expected if from_end else total > expected):
            raise ContentLengthMismatchError(total, expected)
        self._bytes_written = total

    def _queue_end_callback(self, callback: Callable[..., Any]) -> None:
        # Node 24 keeps end()'s callbacks apart from the 'finish' listeners and calls them
        # (with None for "no error") just before 'finish', whenever they were given.
        if self.writable_finished:
            callback(StreamAlreadyFinishedError("end"))
        elif self._end_callbacks is None:
            self._end_callbacks = [callback]
        else:
            self._end_callbacks.append(callback)

    def _flush_end_callbacks(self) -> None:
        callbacks, self._end_callbacks = self._end_callbacks, None
        if callbacks is not None:
            for callback in callbacks:
                callback(None)

    def add_trailers(self, headers: Any) -> None:
        """Trailers for a chunked message (Node's ``addTrailers``): a dict, or a list of
        ``(name, value)`` pairs. A list value of two or more gives a line each, a shorter
        one is joined with ``"; "``. Names are checked as ``'Trailer name'``, values for
        ``'trailer content'``; nothing else is special about any name."""
        self._trailer = ""  # Node keeps the lines written before a bad one
        pairs = headers if isinstance(headers, (list, tuple)) else headers.items()
        for field, value in ((pair[0], pair[1]) for pair in pairs):
            validate_header_name(field, "Trailer name")
            if isinstance(value, (list, tuple)) and len(value) > 1:
                texts = [js_string(item) for item in value]
            elif isinstance(value, (list, tuple)):
                texts = ["; ".join("" if item is None else js_string(item) for item in value)]
            else:
                texts = [js_string(value)]
            for text in texts:
                if check_invalid_header_char(text):
                    raise InvalidCharError("trailer content", field)
                self._trailer += f"{field}: {text}\r\n"

    def flush_headers(self) -> None:
        if self._header is None:
            self._implicit_header()
        self._send(b"")

    @property
    def writable_ended(self) -> bool:
        return self.finished

    @property
    def writable_length(self) -> int:
        return sum(len(d) for d in self._output) + (self.socket.writable_length if self.socket else 0)

    def cork(self) -> None:
        """Hold the body writes until :meth:`uncork` (Node's ``cork``): on the socket when
        the message has one, counted until it gets one otherwise."""
        if self.socket is not None:
            self.socket.cork()
        else:
            self._corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`."""
        if self.socket is not None:
            self.socket.uncork()
        elif self._corked:
            self._corked -= 1

    def destroy(self, error: BaseException | None = None) -> OutgoingMessage:
        if not self.destroyed:
            self.destroyed = True
            if self.socket is not None:
                self.socket.destroy(error)
        return self

    def set_timeout(self, msecs: float, callback: Callable[..., Any] | None = None) -> OutgoingMessage:
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self
