"""ClientRequest, request and get (Node's ``lib/_http_client.js``).

A request gets its socket from an :class:`~nodehttp._agent.Agent` (``agent=False`` makes
a fresh non-keep-alive one, as Node does); the socket carries a :class:`_ClientSocket`
(in ``http_connection``) whose methods are Node's socket listeners for whichever request
holds the socket now, so a keep-alive socket passes from request to request.
"""

from __future__ import annotations

import warnings

import base64
import re
from collections.abc import Callable
from typing import Any

from . import _net
from ._agent import Agent, global_agent
from ._common import (
    check_is_http_token,
    describe_received,
    invalid_arg_type,
    js_string,
    timer_duration,
    to_js_number,
    validate_boolean,
    validate_integer,
)
from ._constants import MAX_HEADER_PAIRS
from ._events import EventEmitter, InvalidArgTypeError
from ._errors import NodeError, ParseError
from ._http_errors import HeadersSentError, InvalidHttpTokenError
from ._incoming import IncomingMessage
from ._headers import OutgoingHeaders
from ._outgoing import OutgoingMessage
from ._parser import LENIENT_ALL_NODE, HTTPParser, _execute
from ._runtime import current_runtime
from ._url import http_options_of_url

__all__ = ["Client", "ClientRequest", "create_client", "get", "request"]

_INVALID_PATH = re.compile(r"[^\u0021-\u00ff]")
_NO_BODY_METHODS = frozenset(("GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"))


class UnescapedCharactersError(NodeError, TypeError):
    """``ERR_UNESCAPED_CHARACTERS``: a request path with a space or a control character."""

    code = "ERR_UNESCAPED_CHARACTERS"

    def __init__(self) -> None:
        super().__init__("Request path contains unescaped characters")


class InvalidProtocolError(NodeError, TypeError):
    """``ERR_INVALID_PROTOCOL``: a URL or ``protocol`` option the agent does not speak."""

    code = "ERR_INVALID_PROTOCOL"

    def __init__(self, protocol: object, expected: object) -> None:
        super().__init__(f'Protocol "{protocol}" not supported. Expected "{expected}"')


def _valid_host(value: Any, name: str) -> Any:
    """Node's validateHost: ``options.host``/``hostname`` is a string or not given."""
    if value is not None and not isinstance(value, str):
        raise invalid_arg_type(f"options.{name}", "of type string or one of undefined or null", value)
    return value


def _auth_bytes(auth: object) -> bytes:
    # Node's Buffer.from(options.auth): text as UTF-8, bytes as they are.
    if isinstance(auth, str):
        return auth.encode()
    if isinstance(auth, (bytes, bytearray, memoryview)):
        return bytes(auth)
    raise InvalidArgTypeError(
        "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array "
        f"or an Array-like Object. {describe_received(auth)}")


def _conn_reset(message: str) -> _net.SocketError:
    """Node's ConnResetException: ``socket hang up`` or ``aborted``, code ECONNRESET."""
    return _net.SocketError(message, "ECONNRESET")


_INFINITY = float("inf")
# Request options that ClientRequest reads only when one of them is present.
_RARE_OPTIONS = frozenset((
    "_default_agent", "default_port", "set_host", "set_default_headers", "timeout", "auth",
    "max_header_size", "max_headers_count", "join_duplicate_headers", "insecure_http_parser",
))
# The interim (1xx) statuses a response may carry before the final one; 101 is final.
_INFORMATIONAL = frozenset(range(100, 200)) - {101}


class ClientRequest(OutgoingMessage):
    """Node's ``http.ClientRequest``: an outgoing request and, later, its response."""

    res: IncomingMessage | None = None
    aborted = False
    reused_socket = False
    upgrade_or_connect = False
    _ended = False
    _closed = False
    _timeout_cb = False
    _error: BaseException | None = None
    _agent_options: dict[str, Any] | None = None
    # Defaults of the options most requests leave out (see _RARE_OPTIONS).
    timeout: float | None = None
    max_header_size: int = 0
    max_headers_count: int | None = None
    join_duplicate_headers = False
    insecure_http_parser = False

    def __init__(self, options: dict[str, Any], callback: Callable[..., Any] | None = None) -> None:
        # OutgoingMessage.__init__ and EventEmitter.__init__ written out, as ServerResponse
        # does: one request object per request.
        self._events = {}
        self._max_listeners = None
        self._warned = None
        self._runtime = current_runtime()
        self._output = []
        agent = options.get("agent")
        # Most requests give none of these; then their lookups are skipped.
        rare = not _RARE_OPTIONS.isdisjoint(options)
        # https passes its own global agent, whose class agent=False instantiates (Node).
        default_agent: Agent = (rare and options.get("_default_agent")) or global_agent
        if agent is False:
            agent = type(default_agent)()
        elif agent is None:
            agent = default_agent
        elif not callable(getattr(agent, "add_request", None)):
            raise invalid_arg_type("options.agent", "one of Agent-like Object, undefined, or false", agent)
        self.agent: Agent = agent
        path = str(options.get("path") or "/")
        if _INVALID_PATH.search(path):
            raise UnescapedCharactersError()
        protocol = options.get("protocol") or default_agent.protocol
        expected = getattr(agent, "protocol", None) or default_agent.protocol
        if protocol != expected:
            raise InvalidProtocolError(protocol, expected)
        default_port = (rare and options.get("default_port")) or agent.default_port
        port = options.get("port")
        if not port or port != port:  # NaN is falsy in JavaScript too
            port = default_port or 80
        host = (_valid_host(options.get("hostname"), "hostname") or _valid_host(options.get("host"), "host")
                or "localhost")
        set_host = True
        if rare:
            set_host = bool(options.get("set_host", options.get("set_default_headers", True) is not False))
            if options.get("set_default_headers") is False:
                self._removed_connection = self._removed_cont_len = self._removed_te = True
            timeout = options.get("timeout")
            if timeout is not None:
                self.timeout = float(timer_duration(timeout, "timeout"))
            if options.get("max_header_size"):
                self.max_header_size = int(options["max_header_size"])
            self.max_headers_count = options.get("max_headers_count")
            self.join_duplicate_headers = bool(options.get("join_duplicate_headers", False))
            self.insecure_http_parser = bool(options.get("insecure_http_parser", False))
        method = options.get("method")
        if method is not None and not isinstance(method, str):
            raise invalid_arg_type("options.method", "of type string", method)
        if method:
            if not check_is_http_token(method):
                raise InvalidHttpTokenError("Method", method)
            method = method.upper()
        self.method: str = method or "GET"
        self._path = path  # checked above: the setter's check, done once
        self.host = host
        self.port = port
        self.protocol = protocol
        self.parser: HTTPParser | None = None
        if callback is not None:
            self.once("response", callback)
        self.use_chunked_encoding_by_default = self.method not in _NO_BODY_METHODS
        if not agent.keep_alive and agent.max_sockets == _INFINITY:
            # Node: a socket that will not be pooled is closed after the response.
            self._last = True
            self.should_keep_alive = False
        else:
            self._last = False
            self.should_keep_alive = True
        authority = host
        if host.count(":") >= 2 and not host.startswith("["):
            authority = f"[{host}]"
        if port and to_js_number(port) != default_port:
            authority += f":{js_string(port)}"
        headers = options.get("headers")
        if isinstance(headers, (list, tuple)):
            self._store_header(f"{self.method} {self.path} HTTP/1.1\r\n", list(headers))
        else:
            if headers:
                for key, value in headers.items():
                    self.set_header(key, value)
            if host and set_host:
                if self._out is None and authority.isascii() and authority.isprintable():
                    # set_header("Host", authority) for the usual request, valid as it stands.
                    self._out = OutgoingHeaders.of_valid("Host", "host", authority)
                elif self._out is None or not self.get_header("host"):
                    self.set_header("Host", authority)
            auth = rare and options.get("auth")
            if auth and not self.get_header("Authorization"):
                self.set_header("Authorization", "Basic " + base64.b64encode(_auth_bytes(auth)).decode())
            if headers and self.get_header("expect"):
                self._store_header(f"{self.method} {self.path} HTTP/1.1\r\n", self._out)
        if options.get("port") != port or options.get("host") != host:
            options = {**options, "port": port, "host": host}
        agent.add_request(self, options)

    # Headers -------------------------------------------------------------------------
    def _implicit_header(self) -> None:
        if self._header is not None:
            raise HeadersSentError("render")
        self._store_header(f"{self.method} {self.path} HTTP/1.1\r\n", self._out)

    # Socket assignment (Node's onSocket / tickOnSocket) -------------------------------
    def on_socket(self, socket: _net.Socket | None, error: BaseException | None = None) -> None:
        """The agent's answer: the socket this request goes out on (or why there is none)."""
        if socket is not None and error is None:
            socket._http_message = self
            handlers = socket.http_connection
            if handlers.__class__ is not _ClientSocket:
                handlers = _ClientSocket.of(socket)
            handlers._listen(_ERROR)
        self._runtime.next_tick(self._on_socket_tick, socket, error)

    def _on_socket_tick(self, socket: _net.Socket | None, error: BaseException | None) -> None:
        if self.destroyed or error is not None:
            self.destroyed = True
            if socket is not None:
                handlers = _ClientSocket.of(socket)
                if error is None and not socket.destroyed:
                    handlers._unlisten(_ERROR)
                    socket._http_message = None if socket._http_message is self else socket._http_message
                    socket.emit("free")
                else:
                    socket.destroy()
                if handlers.had_error:
                    error = None
            error = error or self._error
            if error is None and not self.aborted:
                error = _conn_reset("socket hang up")
            if error is not None:
                self.emit("error", error)
            self._closed = True
            self.emit("close")
            return
        assert socket is not None
        # on_socket made the socket's _ClientSocket.
        socket.http_connection.attach(self)
        self.emit("socket", socket)
        if self._output or self._corked:
            self._flush_output(socket)
        if self.finished and not self.writable_finished:
            self._runtime.next_tick(self._finish)

    def _finish(self) -> None:
        # Node's 'finish' means the bytes reached the socket's handle: not before connect.
        sock = self.socket
        if sock is not None and sock.connecting:
            sock.once("connect", lambda *_: self._runtime.next_tick(self._finish))
            return
        if not self.writable_finished:
            self.writable_finished = True  # OutgoingMessage._finish, written out
            if self._end_callbacks is not None:
                self._flush_end_callbacks()
            self.emit("finish")

    # Keep-alive hand-back ------------------------------------------------------------
    def _on_finish_keep_alive(self, *_: Any) -> None:
        # The response may end before the request is written: free the socket now.
        if self.should_keep_alive and self._ended and not self.destroyed:
            _response_keep_alive(self)

    # Node's API ----------------------------------------------------------------------
    @property
    def path(self) -> str:
        """The request path; a new value is checked as the option is (Node 24's setter):
        a space or a control character raises ``ERR_UNESCAPED_CHARACTERS``."""
        return self._path

    @path.setter
    def path(self, value: Any) -> None:
        path = js_string(value)
        if _INVALID_PATH.search(path):
            raise UnescapedCharactersError()
        self._path = path

    def abort(self) -> None:
        """Deprecated in Node in favour of destroy(); emits 'abort' too."""
        if self.aborted:
            return
        self.aborted = True
        self._runtime.next_tick(self.emit, "abort")
        self.destroy()

    def destroy(self, error: BaseException | None = None) -> ClientRequest:
        """Stop the request: the socket is destroyed, 'error' (if given) and 'close' follow."""
        if self.destroyed:
            return self
        self.destroyed = True
        if self.res is not None:
            self.res._dump()
        self._error = error
        if self.socket is not None:
            self.socket.destroy(error)
        return self

    def set_timeout(self, msecs: float, callback: Callable[..., Any] | None = None) -> ClientRequest:
        """'timeout' after ``msecs`` of socket inactivity (the request is not destroyed).
        ``msecs`` must be a non-negative finite number (Node's getTimerDuration); once the
        response has ended this does nothing."""
        if self._ended:
            return self
        _listen_socket_timeout(self)
        msecs = timer_duration(msecs, "msecs")
        if callback is not None:
            self.once("timeout", callback)
        if self.socket is not None:
            _set_socket_timeout(self.socket, msecs)
        else:
            self.once("socket", lambda sock: _set_socket_timeout(sock, msecs))
        return self

    def set_no_delay(self, no_delay: bool = True) -> None:
        """The socket's TCP_NODELAY; before the request has its socket, once it has."""
        if self.socket is not None:
            self.socket.set_no_delay(no_delay)
        else:
            self.once("socket", lambda sock: sock.set_no_delay(no_delay))

    def set_socket_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> None:
        """TCP keep-alive on the socket; before the request has its socket, once it has."""
        if self.socket is not None:
            self.socket.set_keep_alive(enable, initial_delay)
        else:
            self.once("socket", lambda sock: sock.set_keep_alive(enable, initial_delay))

    @property
    def connection(self) -> Any:
        return self.socket


def _set_socket_timeout(sock: _net.Socket, msecs: float) -> None:
    if sock.connecting:
        sock.once("connect", lambda *_: sock.set_timeout(msecs))
    else:
        sock.set_timeout(msecs)


def _listen_socket_timeout(req: ClientRequest) -> None:
    if req._timeout_cb:
        return
    req._timeout_cb = True
    if req.socket is not None:
        req.socket.once("timeout", _ClientSocket.of(req.socket).on_request_timeout)
    else:
        req.once("socket", lambda sock: sock.once("timeout", _ClientSocket.of(sock).on_request_timeout))


def _response_keep_alive(req: ClientRequest) -> None:
    """Node's responseKeepAlive: detach the request, then hand the socket back on a tick."""
    sock = req.socket
    assert sock is not None
    handlers: _ClientSocket = sock.http_connection
    if req._timeout_cb:
        sock.remove_listener("timeout", handlers.on_request_timeout)
        sock.set_timeout(0)
        req._timeout_cb = False
    handlers.detach()
    req._runtime.next_tick(_emit_free, req)
    req.destroyed = True
    if req.res is not None:
        req.res.socket = None


def _emit_free(req: ClientRequest) -> None:
    req._closed = True
    req.emit("close")
    if req.socket is not None:
        req.socket.emit("free")


def _response_on_end(res: IncomingMessage) -> None:
    """Node's responseOnEnd: close the socket, or give it back to the agent."""
    req: ClientRequest | None = res.req  # alive: its socket holds it until this returns
    if req is None:
        return
    sock = req.socket
    if sock is not None:
        handlers: _ClientSocket = sock.http_connection  # attach() made it
        if req._timeout_cb:
            sock.remove_listener("timeout", handlers.on_request_timeout)
        sock.remove_listener("timeout", handlers._response_timeout)
    req._ended = True
    if not req.should_keep_alive:
        if sock is not None and sock.writable:
            sock.destroy_soon()
    elif req.writable_finished and not res.aborted:
        _response_keep_alive(req)
    # The response's 'close' comes from its autoDestroy after 'end' (IncomingMessage),
    # two ticks on: after the freed socket has been handed to a queued request.


# _ClientSocket's socket listeners, as flags of which act now.
_END, _CLOSE, _DRAIN, _ERROR = 1, 2, 4, 8


class _ClientSocket:
    """Node's client socket listeners, bound once per socket; they act for the request
    that holds the socket now (``socket._http_message``)."""

    __slots__ = ("socket", "parser", "incoming", "had_error", "_spare", "_live", "_installed",
                 "_data_listener", "_resume", "_response_timeout")

    def __init__(self, socket: _net.Socket) -> None:
        self.socket = socket
        self.parser: HTTPParser | None = None
        # The socket's response parser, kept between requests and re-initialized for the
        # next one (Node takes parsers from a free list for the same reason).
        self._spare: HTTPParser | None = None
        self._live = 0  # which of the socket listeners act now (_END, _CLOSE, _DRAIN, _ERROR)
        self._installed = False
        self.incoming: IncomingMessage | None = None
        self.had_error = False
        # Bound once: each response would otherwise make these method objects again.
        self._data_listener = self.on_data
        self._resume = socket.resume
        self._response_timeout = self.on_response_timeout

    @classmethod
    def of(cls, socket: _net.Socket) -> _ClientSocket:
        handlers = socket.http_connection
        if not isinstance(handlers, cls):
            handlers = socket.http_connection = cls(socket)
        return handlers

    def attach(self, req: ClientRequest) -> None:
        """Node's tickOnSocket: a response parser and the listeners for ``req``."""
        sock = self.socket
        parser = self._spare
        lenient = LENIENT_ALL_NODE if req.insecure_http_parser else 0
        if parser is None or parser._nh.busy:
            # None yet, or the last one is still inside its own execute (a response
            # callback started this request): a fresh one.
            parser = self._spare = HTTPParser(HTTPParser.RESPONSE, req.max_header_size, lenient)
            parser.on_headers_complete = self.on_headers_complete
            parser.on_body = self.on_body
            parser.on_message_complete = self.on_message_complete
        count = req.max_headers_count
        # The glue answers on_headers_complete as parserOnIncomingClient would (CONNECT and
        # upgrades stop the parser; 1xx, HEAD and 304 have no body), so Python is asked
        # only for upgrades and for a second final response, whose answer is 0.
        parser.initialize_response(req.max_header_size, lenient, req.method,
                                   int(count) << 1 if isinstance(count, int) else MAX_HEADER_PAIRS)
        self.parser = parser
        self.incoming = None
        req.socket = sock
        req.parser = parser
        sock.parser = parser
        sock._http_message = req
        sock.on_data = self._data_listener
        if self._installed:
            self._live |= _END | _CLOSE | _DRAIN  # _listen's usual case
        else:
            self._listen(_END | _CLOSE | _DRAIN)
        if req.timeout is not None or req.agent.options.get("timeout"):
            _listen_socket_timeout(req)

    def _listen(self, flags: int) -> None:
        """Node adds its socket listeners per request and removes them when the socket is
        pooled; here they are added once and act only while their flag is set: the same
        calls in the same order, without the listener churn of every request."""
        if not self._installed:
            self._installed = True
            sock = self.socket
            sock.on("error", self.on_error)
            sock.on("end", self.on_end)
            sock.on("close", self.on_close)
            sock.on("drain", self.on_drain)
        self._live |= flags

    def _unlisten(self, flags: int) -> None:
        self._live &= ~flags

    def _uninstall(self) -> None:
        self._live = 0
        if self._installed:
            self._installed = False
            sock = self.socket
            sock.remove_listener("error", self.on_error)
            sock.remove_listener("end", self.on_end)
            sock.remove_listener("close", self.on_close)
            sock.remove_listener("drain", self.on_drain)

    def detach(self) -> None:
        """Node's responseKeepAlive: the request lets go of the socket."""
        self._live = 0
        self.socket.on_data = None
        self.incoming = None  # a pooled socket holds no response (Node frees its parser)

    def _free_parser(self) -> None:
        self.parser = None
        self.socket.parser = None
        req = self.socket._http_message
        if isinstance(req, ClientRequest):
            req.parser = None

    def _finish_parser(self) -> None:
        parser = self.parser
        if parser is not None:
            parser.finish()
            self._free_parser()

    # Socket listeners ------------------------------------------------------------------
    def on_data(self, data: bytes) -> None:
        sock = self.socket
        req = sock._http_message
        parser = self.parser
        if parser is None or not isinstance(req, ClientRequest):
            return
        # HTTPParser.execute's body, without its frame: this runs for every read.
        ret = _execute(parser, parser._addr, data, parser.on_headers_complete, parser.on_body,
                       parser.on_message_complete)
        res = self.incoming
        if isinstance(ret, ParseError):
            ret.raw_packet = data
            self._free_parser()
            sock.on_data = None
            self._unlisten(_END)
            sock.destroy()
            self.had_error = True
            req.emit("error", ret)
        elif res is not None and res.upgrade:
            self._on_upgrade(req, res, data[ret:])
        elif res is not None and res.complete and res.status_code not in _INFORMATIONAL:
            sock.on_data = None
            self._live &= ~(_END | _DRAIN)
            # _free_parser, written out: once per response.
            self.parser = None
            sock.parser = None
            req.parser = None

    def _on_upgrade(self, req: ClientRequest, res: IncomingMessage, head: bytes) -> None:
        sock = self.socket
        req.res = res
        sock.on_data = None
        self._unlisten(_END | _DRAIN)
        sock.remove_listener("timeout", self.on_response_timeout)
        sock.remove_listener("timeout", self.on_request_timeout)
        self._finish_parser()
        event = "connect" if req.method == "CONNECT" else "upgrade"
        if req.listener_count(event):
            req.upgrade_or_connect = True
            sock.emit("agentRemove")
            self._uninstall()  # the socket leaves http
            sock._http_message = None
            req.emit(event, res, sock, head)
            req.destroyed = True
            req._closed = True
            req.emit("close")
        else:
            sock.destroy()

    def on_end(self, *_: Any) -> None:
        if not self._live & _END:
            return
        req = self.socket._http_message
        if isinstance(req, ClientRequest) and req.res is None and not self.had_error:
            # The server closed before answering.
            self.had_error = True
            req.emit("error", _conn_reset("socket hang up"))
        self._finish_parser()
        self.socket.destroy()

    def on_close(self, *_: Any) -> None:
        if not self._live & _CLOSE:
            return
        req = self.socket._http_message
        if not isinstance(req, ClientRequest):
            return
        parser = self.parser
        res = req.res
        req.destroyed = True
        if res is not None:
            if not res.complete and not res.destroyed:
                # Socket closed mid-body: 'aborted' now; 'error' (only when listened to,
                # as Node's IncomingMessage._destroy) and 'close' on the next ticks.
                res.destroy(_conn_reset("aborted"))
            req._closed = True
            req.emit("close")
            if not res.aborted and not res._ended:
                res._push_end()
        else:
            if not self.had_error:
                self.had_error = True
                req.emit("error", _conn_reset("socket hang up"))
            req._closed = True
            req.emit("close")
        req._output.clear()
        if parser is not None:
            parser.finish()
            self._free_parser()

    def on_error(self, error: BaseException) -> None:
        if not self._live & _ERROR:
            return  # the socket is the agent's now (its free-socket listener handles it)
        sock = self.socket
        req = sock._http_message
        if isinstance(req, ClientRequest):
            self.had_error = True
            req.emit("error", error)
        self._finish_parser()
        sock.on_data = None
        self._unlisten(_END)
        sock.destroy()

    def on_drain(self, *_: Any) -> None:
        if not self._live & _DRAIN:
            return
        req = self.socket._http_message
        if isinstance(req, ClientRequest) and not req.finished:
            req.emit("drain")

    def on_request_timeout(self, *_: Any) -> None:
        req = self.socket._http_message
        if req is not None:
            req.emit("timeout")

    def on_response_timeout(self, *_: Any) -> None:
        req = self.socket._http_message
        if isinstance(req, ClientRequest) and req.res is not None:
            req.res.emit("timeout")

    # Parser callbacks (Node's parserOnIncomingClient and friends) -------------------------
    def on_headers_complete(self, major: int, minor: int, raw: list[str], method: Any, url: Any,
                            status_code: int, status_message: str, upgrade: bool,
                            keep_alive: bool) -> int:
        sock = self.socket
        req = sock._http_message
        assert isinstance(req, ClientRequest)
        res = IncomingMessage(sock, req._runtime)
        res.http_version_major = major
        res.http_version_minor = minor
        res.http_version = f"{major}.{minor}"
        res.status_code = status_code
        res.status_message = status_message
        res.raw_headers = raw
        res.join_duplicate_headers = req.join_duplicate_headers
        res.upgrade = upgrade
        res.on_resume = self._resume
        if req.res is not None:
            # A second response to one request: the server is broken. As Node, keep the
            # first response as the parser's message and drop whatever else arrives.
            sock.destroy()
            self.incoming = req.res
            req.res._skip_pending_data = True
            return 0
        self.incoming = res
        req.res = res
        if upgrade:
            return 2
        if req.method == "CONNECT":
            res.upgrade = True
            return 2
        if status_code in _INFORMATIONAL:
            req.res = None
            if status_code == 100:
                req.emit("continue")
            req.emit("information", {
                "status_code": status_code, "status_message": status_message,
                "http_version": res.http_version, "http_version_major": major,
                "http_version_minor": minor, "headers": res.headers, "raw_headers": raw,
            })
            return 1
        if req.should_keep_alive and not keep_alive and not req.upgrade_or_connect:
            # The server must answer keep-alive for the socket to be reused.
            req.should_keep_alive = False
        res.req = req
        # Ours first, so that the socket is handled whatever the user's listeners do.
        res._on_end = _response_on_end
        if not req.writable_finished:  # ('finish' comes once: it could never run)
            req.on("finish", req._on_finish_keep_alive)
        sock.on("timeout", self._response_timeout)
        if req.aborted or not req.emit("response", res):
            res._dump()
        if req.method == "HEAD":
            return 1
        if status_code == 304:
            res.complete = True
            return 1
        return 0

    def on_body(self, chunk: bytes) -> None:
        res = self.incoming
        if res is not None and not res._skip_pending_data and not res._push(chunk):
            self.socket.pause()

    def on_message_complete(self, trailers: list[str]) -> None:
        res = self.incoming
        if res is None or res._skip_pending_data:
            return
        if res.status_code in _INFORMATIONAL:
            return
        res.complete = True
        if trailers:
            res.raw_trailers = trailers
        res._push_end()


def _options(url_or_options: Any, options: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if isinstance(url_or_options, str):
        # The protocol is checked against the agent's by ClientRequest.
        merged.update(http_options_of_url(url_or_options))
    elif isinstance(url_or_options, dict):
        merged.update(url_or_options)
    if isinstance(options, dict):
        merged.update(options)
    if kwargs:
        merged.update(kwargs)
    if "max_header_size" in merged or "insecure_http_parser" in merged or "join_duplicate_headers" in merged:
        _check_parser_options(merged)
    if merged.get("agent") is None and callable(merged.get("create_connection")):
        # Node: create_connection without an agent means no agent at all.
        merged["agent"] = _NoAgent(merged["create_connection"])
    return merged


def _check_parser_options(options: dict[str, Any]) -> None:
    """Node's checks of the response parser's options, made before anything connects."""
    if options.get("max_header_size") is not None:
        validate_integer(options["max_header_size"], "max_header_size", 0)
    for name in ("insecure_http_parser", "join_duplicate_headers"):
        if options.get(name) is not None:
            validate_boolean(options[name], f"options.{name}")


class _NoAgent:
    """Node's agent-less request: ``create_connection(options, callback)`` makes its one
    socket (returned, or given to ``callback(error, socket)``); ``Connection: close``."""

    keep_alive = False
    max_sockets = float("inf")
    default_port = None  # Node: the Host header then always names the port
    protocol = None

    def __init__(self, create_connection: Callable[..., Any]) -> None:
        self.create_connection = create_connection
        self.options: dict[str, Any] = {}

    def add_request(self, req: ClientRequest, options: dict[str, Any]) -> None:
        opts = {key: value for key, value in options.items() if key != "agent"}
        # As Node's: ``path`` names the unix socket here, not the request's path.
        opts["path"] = options.get("socket_path")
        done = False

        def on_create(error: BaseException | None = None, sock: _net.Socket | None = None) -> None:
            nonlocal done
            if done:
                return
            done = True
            if error is not None or sock is None:
                # Only 'error', no 'close': the request never had a socket (as Node).
                req._runtime.next_tick(req.emit, "error", error or TypeError("create_connection gave no socket"))
            else:
                req.on_socket(sock)

        try:
            sock = self.create_connection(opts, on_create)
        except Exception as exc:  # noqa: BLE001 - the function's failure is the request's error
            on_create(exc)
            return
        if sock is not None:
            on_create(None, sock)


def request(url_or_options: Any = None, options: Any = None, callback: Callable[..., Any] | None = None,
            **kwargs: Any) -> ClientRequest:
    """Node's ``http.request(url[, options][, callback])`` or ``http.request(options[, callback])``.

    Options use Node's names in snake_case (``host``, ``hostname``, ``port``, ``path``,
    ``method``, ``headers`` (a dict, or a flat ``[name, value, ...]`` list sent as is),
    ``auth``, ``agent``, ``default_port``, ``set_host``, ``timeout``, ``socket_path``,
    ``local_address``, ``family``, ``lookup``, ``create_connection``, ``max_header_size``,
    ``join_duplicate_headers``...), given as a dict and/or as keyword arguments. As in
    Node, ``create_connection(options, callback)`` is used only when no agent is given
    (``req.agent`` is then a stand-in, not None). Call ``end()`` to send the request.
    """
    if callable(options):
        callback, options = options, None
    return ClientRequest(_options(url_or_options, options, kwargs), callback)


def get(url_or_options: Any = None, options: Any = None, callback: Callable[..., Any] | None = None,
        **kwargs: Any) -> ClientRequest:
    """Node's ``http.get``: :func:`request` with ``end()`` already called."""
    req = request(url_or_options, options, callback, **kwargs)
    req.end()
    return req


class Client(EventEmitter):
    """What v5.11.1's deprecated ``http.createClient`` returned: requests to one host."""

    def __init__(self, port: int = 80, host: str = "localhost") -> None:
        super().__init__()
        self.port = port
        self.host = host

    def request(self, method: str = "GET", path: str = "/", headers: Any = None) -> ClientRequest:
        """A :class:`ClientRequest` to this client's host and port; call ``end()`` to send."""
        return request({"host": self.host, "port": self.port, "method": method, "path": path,
                        "headers": headers or {}})


def create_client(port: int = 80, host: str = "localhost") -> Client:
    """Deprecated since Node v0.x and gone from Node 24; kept because the v5.11.1 API has it.

    Warns (``DeprecationWarning``, as Node's DEP0043-era text asks: use ``request()``).
    """
    warnings.warn("http.createClient is deprecated. Use http.request instead.", DeprecationWarning,
                  stacklevel=2)
    return Client(port, host)
