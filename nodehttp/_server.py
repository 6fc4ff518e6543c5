"""http.Server and ServerResponse (Node's ``lib/_http_server.js``).

Each connection gets a :class:`_Connection`: Node's per-connection ``state`` record
with its socket and parser, whose methods are the socket and parser callbacks. Requests
are answered in order: a response waits in ``outgoing`` until the one before it has
finished (HTTP/1.1 pipelining).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from . import _net
from ._common import (
    CHUNK_EXPRESSION,
    CONTINUE_EXPRESSION,
    check_invalid_header_char,
    invalid_arg_type,
    js_inspect,
    js_string,
    out_of_range,
    validate_boolean,
    validate_header_name,
    validate_header_value,
    validate_integer,
)
from ._constants import MAX_HEADER_PAIRS, STATUS_CODES
from ._errors import NodeError, ParseError
from ._http_errors import (
    HeadersSentError,
    InvalidArgValueError,
    InvalidCharError,
    InvalidStatusCodeError,
    RequestTimeoutError,
)
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage, latin1
from ._parser import LENIENT_ALL_NODE, HTTPParser, _execute
from ._runtime import Runtime, Timer

__all__ = ["Server", "ServerResponse", "create_server"]

# Node's fixed replies when a client error has no 'clientError' listener.
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
_REPLIES = {
    "HPE_HEADER_OVERFLOW": b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
    "HPE_CHUNK_EXTENSIONS_OVERFLOW": b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n",
    "ERR_HTTP_REQUEST_TIMEOUT": b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
}


class ServerResponse(OutgoingMessage):
    """Node's ``http.ServerResponse``."""

    status_code = 200
    status_message: str | None = None
    send_date = True
    _sent100 = False
    _expect_continue = False

    _conn: _Connection | None = None  # the server connection whose 'finish' hook runs

    def __init__(self, req: IncomingMessage, runtime: Runtime | None = None) -> None:
        # OutgoingMessage.__init__ and EventEmitter.__init__ written out: one response is
        # made per request, and the two calls cost more than the fields they set.
        self._events = {}
        self._max_listeners = None
        self._warned = None
        self._runtime = runtime or req._runtime
        self._output = []
        self.req = req
        if req.method == "HEAD":
            self._has_body = False
        if req.http_version_major < 1 or req.http_version_minor < 1:
            te = req.headers.get("te")
            self.use_chunked_encoding_by_default = bool(te and CHUNK_EXPRESSION.search(te))
            self.should_keep_alive = False

    def write_head(self, status_code: int, reason: Any = None, headers: Any = None) -> ServerResponse:
        """Send the status line and headers (Node's ``writeHead``)."""
        if self._header is not None:
            raise HeadersSentError("write")
        try:
            code = int(status_code)
        except (TypeError, ValueError):
            raise InvalidStatusCodeError(str(status_code)) from None
        if code < 100 or code > 999:
            raise InvalidStatusCodeError(str(status_code))
        if isinstance(reason, str):
            self.status_message = reason
        else:
            self.status_message = self.status_message or STATUS_CODES.get(code, "unknown")
            if headers is None:
                headers = reason
        self.status_code = code
        if self._out is not None:
            # Both APIs: headers given here override stored ones, duplicates allowed.
            if isinstance(headers, (list, tuple)):
                for i in range(0, len(headers), 2):
                    self.remove_header(headers[i])
                for i in range(0, len(headers), 2):
                    if headers[i]:
                        self.append_header(headers[i], headers[i + 1])
            elif headers:
                for key, value in headers.items():
                    if key:
                        self.set_header(key, value)
            headers = self._out
        if check_invalid_header_char(self.status_message):
            raise InvalidCharError("statusMessage")
        self._write_status(code, headers)
        return self

    writeHead = write_head  # noqa: N815 - Node's spelling, for ported code

    def _write_status(self, code: int, headers: Any) -> None:
        if code in (204, 304) or 100 <= code <= 199:
            self._has_body = False
        if self._expect_continue and not self._sent100:
            self.should_keep_alive = False
        self._store_header(f"HTTP/1.1 {code} {self.status_message}\r\n", headers)

    def _implicit_header(self) -> None:
        # What writeHead(statusCode) does, without its argument juggling: this runs for
        # nearly every response.
        code = self.status_code
        if type(code) is not int or not 100 <= code <= 999 or self._header is not None:
            self.write_head(code)
            return
        message = self.status_message
        if not message:
            self.status_message = STATUS_CODES.get(code, "unknown")
        elif check_invalid_header_char(message):
            raise InvalidCharError("statusMessage")
        # _write_status, written out.
        if code in (204, 304) or code < 200:
            self._has_body = False
        if self._expect_continue and not self._sent100:
            self.should_keep_alive = False
        self._store_header(f"HTTP/1.1 {code} {self.status_message}\r\n", self._out)

    def write_information(self, status_code: int, headers: Any = None,
                          callback: Callable[..., Any] | None = None) -> None:
        """Send an interim ``1xx`` response before the final one (Node 24's
        ``writeInformation``): ``headers`` as a mapping, a list of ``[name, value]`` pairs or
        a flat ``[name, value, ...]`` list, each checked as ``set_header`` checks it."""
        if self._header is not None:
            raise HeadersSentError("write")
        validate_integer(status_code, "status_code", 100, 199)
        if status_code == 101:
            raise InvalidStatusCodeError(js_string(status_code))
        head = [f"HTTP/1.1 {status_code} {STATUS_CODES.get(status_code, 'unknown')}\r\n"]
        if headers is not None:
            if isinstance(headers, (list, tuple)):
                if headers and isinstance(headers[0], (list, tuple)):
                    pairs = [(entry[0], entry[1]) for entry in headers]
                elif len(headers) % 2:
                    raise InvalidArgValueError("headers", js_inspect(headers))
                else:
                    flat = iter(headers)
                    pairs = list(zip(flat, flat))
            elif callable(getattr(headers, "items", None)):
                pairs = list(headers.items())
            else:
                raise invalid_arg_type("headers", "of type object", headers)
            for name, value in pairs:
                validate_header_name(name)
                validate_header_value(name, value)
                head.append(f"{name}: {js_string(value)}\r\n")
        head.append("\r\n")
        self._write_raw(latin1("".join(head)))
        if callback is not None:
            self._runtime.next_tick(callback)

    def write_continue(self, callback: Callable[..., Any] | None = None) -> None:
        """Send ``100 Continue`` (Node's ``writeContinue``)."""
        self.write_information(100, None, callback)
        self._sent100 = True

    def write_processing(self, callback: Callable[..., Any] | None = None) -> None:
        """Send ``102 Processing`` (Node's ``writeProcessing``)."""
        self.write_information(102, None, callback)

    def write_early_hints(self, hints: Any, callback: Callable[..., Any] | None = None) -> None:
        """Send ``103 Early Hints``: ``hints["link"]`` (a Link value, or a list of them, each
        ``</styles.css>; rel=preload; as=style`` in form) and any other headers in ``hints``.
        Without a ``link`` (or with an empty list) nothing is sent, as in Node."""
        if not callable(getattr(hints, "items", None)):
            raise invalid_arg_type("hints", "of type object", hints)
        link = hints.get("link")
        if link is None:
            return
        link = _link_header_value(link)
        if not link:
            return
        if check_invalid_header_char(link):
            raise InvalidCharError("header content", "Link")
        self.write_information(103, {"Link": link, **{k: v for k, v in hints.items() if k != "link"}}, callback)

    def assign_socket(self, socket: Any) -> None:
        if socket._http_message is not None:
            raise NodeError("ServerResponse has an already assigned socket", "ERR_HTTP_SOCKET_ASSIGNED")
        socket._http_message = self
        self.socket = socket
        self.emit("socket", socket)
        if self._output or self._corked:
            self._flush_output(socket)
        if self.finished:
            self._runtime.next_tick(self._finish)

    def detach_socket(self, socket: Any) -> None:
        socket._http_message = None
        self.socket = None

    @property
    def connection(self) -> Any:
        return self.socket

    def _finish(self) -> None:
        if not self.writable_finished:
            self.writable_finished = True
            if self._end_callbacks is not None:
                self._flush_end_callbacks()
            # Node adds resOnFinish as the first 'finish' listener; calling it just before
            # the 'finish' listeners keeps that order without a listener per request.
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.on_response_finish(self.req, self)
            self.emit("finish")


class _Connection:
    """Node's per-connection ``state``, and the socket and parser callbacks over it."""

    __slots__ = ("server", "socket", "runtime", "incoming", "outgoing", "outgoing_data",
                 "requests_count", "keep_alive_timeout_set", "current", "parser", "resume")

    def __init__(self, server: Server, socket: _net.Socket) -> None:
        self.server = server
        self.socket = socket
        self.runtime = server._runtime
        self.incoming: list[IncomingMessage] = []
        self.outgoing: list[ServerResponse] = []
        self.outgoing_data = 0
        self.requests_count = 0
        self.keep_alive_timeout_set = False
        self.current: IncomingMessage | None = None
        self.resume = socket.resume  # bound once, handed to every request
        parser = HTTPParser(HTTPParser.REQUEST, server.max_header_size or 0,
                            LENIENT_ALL_NODE if server.insecure_http_parser else 0)
        # Node: parser.maxHeaderPairs = maxHeadersCount << 1 (2000 when unset).
        count = server.max_headers_count
        parser.max_header_pairs = MAX_HEADER_PAIRS if not isinstance(count, (int, float)) else int(count) << 1
        parser.on_headers_complete = self.on_headers_complete
        parser.on_body = self.on_body
        parser.on_message_complete = self.on_message_complete
        self.parser = parser
        socket.parser = parser
        socket.http_connection = self
        socket.on_data = self.on_data
        for event, listener in self._listeners():
            socket.on(event, listener)
        if server.timeout:
            socket.set_timeout(server.timeout)
        # A connection that sends nothing counts as a request in progress (Node's DoS guard).
        parser._nh.message_start = time.monotonic()
        server._track(self)

    def _listeners(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        return (("end", self.on_end), ("close", self.on_close), ("error", self.on_error),
                ("drain", self.on_drain), ("timeout", self.on_timeout))

    # Socket callbacks ----------------------------------------------------------------
    def on_data(self, data: bytes) -> None:
        parser = self.parser
        # HTTPParser.execute's body, without its frame: this runs for every read.
        ret = _execute(parser, parser._addr, data, self.on_headers_complete, self.on_body,
                       self.on_message_complete)
        if isinstance(ret, ParseError):
            ret.raw_packet = data
            self.on_error(ret)
        elif self.current is not None and self.current.upgrade:
            self.on_upgrade(data[ret:])

    def on_end(self) -> None:
        err = self.parser.finish()
        if err is not None:
            # Node hands finish()'s error on without prepareError: its message stays
            # "Parse Error" and it has no rawPacket.
            self.on_error(ParseError(err.code, err.reason, err.bytes_parsed, None, message="Parse Error"))
        elif not self.server.http_allow_half_open:
            self.socket.end()
        elif self.outgoing:
            self.outgoing[-1]._last = True
        elif self.socket._http_message is not None:
            self.socket._http_message._last = True
        else:
            self.socket.end()

    def expired(self, now: float, headers_timeout: float, request_timeout: float) -> bool:
        """Node's ConnectionsList.expired for this connection (timeouts in seconds, 0 off)."""
        nh = self.parser._nh
        start = nh.message_start
        if not start:
            return False
        late = (not nh.headers_done and headers_timeout and now - start > headers_timeout) or (
            request_timeout and now - start > request_timeout)
        if late:
            nh.message_start = 0  # reported once, as Node drops it from the active list
        return bool(late)

    def on_close(self, had_error: bool = False) -> None:
        self.server._untrack(self)
        # Node's abortIncoming: each request is destroyed with ECONNRESET "aborted".
        for req in self.incoming:
            req.destroy(_net.SocketError("aborted", "ECONNRESET"))
        self.incoming.clear()
        for res in self.outgoing:
            res.emit("close")
        self.outgoing.clear()
        message = self.socket._http_message
        if message is not None:
            _emit_response_close(message)

    def on_error(self, error: BaseException) -> None:
        """Node's socketOnError: 'clientError', or Node's fixed reply and a close."""
        sock = self.socket
        if self.server.listener_count("clientError"):
            self.server.emit("clientError", error, sock)
            return
        message = sock._http_message
        if sock.writable and (message is None or not message._header_sent):
            sock.write(_REPLIES.get(getattr(error, "code", ""), _BAD_REQUEST))
        sock.destroy()

    def on_drain(self) -> None:
        message = self.socket._http_message
        if message is not None:
            message.emit("drain")

    def on_timeout(self) -> None:
        req = self.current
        handled = bool(req is not None and not req.complete and req.emit("timeout", self.socket))
        message = self.socket._http_message
        handled = bool(message is not None and message.emit("timeout", self.socket)) or handled
        handled = self.server.emit("timeout", self.socket) or handled
        if not handled:
            self.socket.destroy()

    def on_upgrade(self, head: bytes) -> None:
        req = self.current
        assert req is not None
        # The socket leaves http: only this connection's own listeners go.
        sock = self.socket
        sock.on_data = None
        sock.parser = None
        # No longer an http connection: close(), close_all_connections() and the timeout
        # sweep leave it alone, as Node drops it from its connections list.
        sock.http_connection = None
        self.server._untrack(self)
        for event, listener in self._listeners():
            sock.remove_listener(event, listener)
        event = "connect" if req.method == "CONNECT" else "upgrade"
        if self.server.listener_count(event):
            self.server.emit(event, req, self.socket, head)
        else:
            self.socket.destroy()

    # Parser callbacks ----------------------------------------------------------------
    def on_headers_complete(self, major: int, minor: int, raw: list[str], method: str, url: str,
                            status_code: Any, status_message: Any, upgrade: bool,
                            keep_alive: bool) -> int:
        server = self.server
        socket = self.socket
        runtime = self.runtime
        req = IncomingMessage(socket, runtime)
        if major != 1 or minor != 1:  # the class defaults say HTTP/1.1
            req.http_version_major = major
            req.http_version_minor = minor
            req.http_version = f"{major}.{minor}"
        req.method = method
        req.url = url
        req.raw_headers = raw
        if server.join_duplicate_headers:
            req.join_duplicate_headers = True
        req.on_resume = self.resume
        self.current = req
        if self.keep_alive_timeout_set:
            self.keep_alive_timeout_set = False
            timer = socket._timer
            if not server.timeout and timer is not None:
                # socket.set_timeout(0), written out: once per request on a kept-alive
                # connection.
                socket._timeout_ms = 0
                timer.cancel()
            else:
                socket.set_timeout(server.timeout)
        if upgrade:
            req.upgrade = method == "CONNECT" or server.listener_count("upgrade") > 0
            if req.upgrade:
                return 2
        self.incoming.append(req)
        res = ServerResponse(req, runtime)
        res._keep_alive_timeout = server.keep_alive_timeout
        if server.max_requests_per_socket:
            res._max_requests_per_socket = server.max_requests_per_socket
        # Over the constructor's HTTP/1.0 default: llhttp's answer counts (Connection: keep-alive).
        res.should_keep_alive = keep_alive
        res._conn = self
        if socket._http_message is not None:
            res._on_pending_data = self.on_pending_data
            self.outgoing.append(res)
        else:
            # assign_socket, for a response nobody can have listened to yet ('socket').
            socket._http_message = res
            res.socket = socket
        if major == 1 and minor == 1:
            # Whether a Host line exists, and Expect as req.headers would join it: all
            # Node reads here, without building the headers object for every request.
            host = False
            expect = None
            for i in range(0, len(raw), 2):
                size = len(raw[i])
                if size == 4 and not host:
                    host = raw[i].lower() == "host"
                elif size == 6 and raw[i].lower() == "expect":
                    expect = raw[i + 1] if expect is None else f"{expect}, {raw[i + 1]}"
            if server.require_host_header and not host:
                res.write_head(400, ["Connection", "close"])
                res.end()
                return 0
            limit = server.max_requests_per_socket
            if limit > 0:
                self.requests_count += 1
                res.max_requests_on_connection_reached = limit <= self.requests_count
                if limit < self.requests_count:
                    server.emit("dropRequest", req, socket)
                    res.write_head(503)
                    res.end()
                    return 0

            if expect is not None:
                if CONTINUE_EXPRESSION.search(expect):
                    res._expect_continue = True
                    if server.listener_count("checkContinue"):
                        server.emit("checkContinue", req, res)
                    else:
                        res.write_continue()
                        server.emit("request", req, res)
                elif server.listener_count("checkExpectation"):
                    server.emit("checkExpectation", req, res)
                else:
                    res.write_head(417)
                    res.end()
                return 0
        server.emit("request", req, res)
        return 0

    def on_body(self, chunk: bytes) -> None:
        req = self.current
        if req is not None and not req._push(chunk):
            self.socket.pause()
        # Node's parser hands each body chunk over with MakeCallback, which drains the
        # nextTick queue before the parser goes on: ticks the chunk queued (a 'readable',
        # a listener's own) run before the next chunk or the message's end is parsed.
        # (Its head and message-complete callbacks skip the queue; so does its client,
        # whose parser runs from JavaScript.)
        runtime = self.runtime
        if runtime._ticks:
            runtime._run_ticks()

    def on_message_complete(self, trailers: list[str]) -> None:
        req = self.current
        if req is None:
            return
        req.complete = True
        if trailers:
            req.raw_trailers = trailers
        req._push_end()

    # Responses -----------------------------------------------------------------------
    def on_pending_data(self, delta: int) -> None:
        self.outgoing_data += delta

    def on_response_finish(self, req: IncomingMessage, res: ServerResponse) -> None:
        """Node's resOnFinish: the next pipelined response, the close, or the keep-alive wait."""
        incoming = self.incoming
        if incoming and incoming[0] is req:
            incoming.pop(0)
        if req is self.current and req.complete:
            self.current = None  # an idle keep-alive connection holds no request
        if not req._consuming:
            req._dump()
        self.socket._http_message = None  # res.detach_socket, written out
        res.socket = None
        self.runtime.next_tick(_emit_response_close, res)
        if res._last:
            self.socket.destroy_soon()  # Node's resOnFinish: destroySoon, not end
        elif not self.outgoing:
            timeout = self.server.keep_alive_timeout
            if timeout:
                self.socket.set_timeout(timeout + self.server.keep_alive_timeout_buffer)
                self.keep_alive_timeout_set = True
        else:
            self.outgoing.pop(0).assign_socket(self.socket)


def _emit_response_close(res: ServerResponse) -> None:
    # Node's emitCloseNT: a closed response is destroyed, so late writes raise no 'error'.
    res.destroyed = True
    res.emit("close")


class Server(_net.Server):
    """Node's ``http.Server``."""

    def __init__(self, options: dict[str, Any] | None = None,
                 request_listener: Callable[..., Any] | None = None) -> None:
        if callable(options):
            request_listener, options = options, None
        opts = dict(options or {})
        # Node's storeHTTPOptions: each option is checked, in this order, before use.
        # None means "not given", as undefined does in Node.
        self.max_header_size: int | None = _integer_option(opts.get("max_header_size"),
                                                           "max_header_size", None)
        self.insecure_http_parser = _boolean_option(opts.get("insecure_http_parser"),
                                                    "insecure_http_parser", False)
        self.request_timeout = _integer_option(opts.get("request_timeout"), "request_timeout", 300_000)
        self.headers_timeout = _integer_option(opts.get("headers_timeout"), "headers_timeout",
                                               min(60_000, self.request_timeout))
        if 0 < self.request_timeout < self.headers_timeout:
            raise out_of_range("headers_timeout", "<= request_timeout", self.headers_timeout)
        self.keep_alive_timeout = _integer_option(opts.get("keep_alive_timeout"), "keep_alive_timeout", 5000)
        self.keep_alive_timeout_buffer = _integer_option(opts.get("keep_alive_timeout_buffer"),
                                                         "keep_alive_timeout_buffer", 1000)
        self.connections_checking_interval = _integer_option(opts.get("connections_checking_interval"),
                                                             "connections_checking_interval", 30_000)
        self.require_host_header = _boolean_option(opts.get("require_host_header"),
                                                   "require_host_header", True)
        self.join_duplicate_headers = _boolean_option(opts.get("join_duplicate_headers"),
                                                      "join_duplicate_headers", False)
        super().__init__(allow_half_open=True)
        self.timeout = 0
        self.max_headers_count: int | None = opts.get("max_headers_count")
        self.max_requests_per_socket = int(opts.get("max_requests_per_socket", 0))
        self.http_allow_half_open = False
        self._http_connections: set[_Connection] = set()
        self._checker: Timer | None = None
        if request_listener is not None:
            self.on("request", request_listener)
        self.on("connection", self._on_connection)

    def _on_connection(self, socket: _net.Socket) -> None:
        _Connection(self, socket)

    def _track(self, connection: _Connection) -> None:
        self._http_connections.add(connection)
        if self._checker is None and self.connections_checking_interval > 0:
            # One unref'd sweep per server, as Node's setInterval(checkConnections).unref().
            self._checker = self._runtime.set_timeout(self._check_connections,
                                                      self.connections_checking_interval).unref()

    def _untrack(self, connection: _Connection) -> None:
        self._http_connections.discard(connection)
        if not self._http_connections and self._checker is not None:
            self._checker.cancel()
            self._checker = None

    def _check_connections(self) -> None:
        """Node's checkConnections: 408 to whoever is too slow with headers or a request."""
        headers = self.headers_timeout / 1000 if self.headers_timeout > 0 else 0.0
        request = self.request_timeout / 1000 if self.request_timeout > 0 else 0.0
        if request and headers > request:
            headers, request = request, headers
        if headers or request:
            now = time.monotonic()
            for connection in list(self._http_connections):
                if connection.expired(now, headers, request):
                    connection.on_error(RequestTimeoutError())
        if self._checker is not None:
            self._checker.refresh()

    def set_timeout(self, msecs: float = 0, callback: Callable[..., Any] | None = None) -> Server:
        self.timeout = int(msecs)
        if callback is not None:
            self.on("timeout", callback)
        return self

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """Stop accepting and close idle keep-alive connections (Node 19+); 'close' follows
        once the busy ones have finished."""
        self.close_idle_connections()
        if self._checker is not None:
            self._checker.cancel()
            self._checker = None
        super().close(callback)
        return self

    def close_all_connections(self) -> None:
        for sock in list(self._connections):
            if getattr(sock, "http_connection", None) is not None:  # not upgraded ones
                sock.destroy()

    def close_idle_connections(self) -> None:
        for sock in list(self._connections):
            connection = getattr(sock, "http_connection", None)
            if connection is not None and not connection.incoming and sock._http_message is None:
                sock.destroy()


# Node's linkValueRegExp: <uri-reference> then ;-separated params, a value quoted or not.
_LINK_VALUE = re.compile(r'<[^>\r\n]*>(?:\s*;\s*[^;"\s]+(?:=(?:"[^;"\s]*"|[^;"\s]*))?)*')
_LINK_FORMAT = 'must be an array or string of format "</styles.css>; rel=preload; as=style"'


def _link_header_value(hints: Any) -> str:
    """Node's validateLinkHeaderValue: one Link value, or several joined with ", "."""
    values = [hints] if isinstance(hints, str) else hints if isinstance(hints, (list, tuple)) else None
    if values is None:
        raise InvalidArgValueError("hints", js_inspect(hints), _LINK_FORMAT)
    for value in values:
        if not isinstance(value, str) or _LINK_VALUE.fullmatch(value) is None:
            raise InvalidArgValueError("hints", js_inspect(value), _LINK_FORMAT)
    return ", ".join(values)


def _integer_option(value: Any, name: str, default: int | None) -> Any:
    return default if value is None else validate_integer(value, name, 0)


def _boolean_option(value: Any, name: str, default: bool) -> bool:
    return default if value is None else validate_boolean(value, f"options.{name}")


def create_server(options: Any = None, request_listener: Callable[..., Any] | None = None) -> Server:
    """Node's ``http.createServer([options][, requestListener])``."""
    return Server(options, request_listener)
