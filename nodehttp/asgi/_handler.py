"""ASGI HTTP on a nodehttp Server: one application call per request.

The server's ``'request'`` listener (:class:`ASGIHandler`) builds the scope from the
IncomingMessage and starts one task of the runtime for the application; the task's
``receive`` reads the request body straight from the IncomingMessage's buffer (the one
``async for chunk in req`` reads, so the socket is paused above its high-water mark and
resumed as the application reads), and its ``send`` drives the ServerResponse.

The response head is held back until the first body message, so an application that
fails after ``http.response.start`` still gets a clean 500; a response given whole in
one body message gets a Content-Length, as Node's ``res.end(data)`` does; one streamed
in several is chunked (HTTP/1.1) and waits on ``'drain'`` when the socket's buffer is
full. The runtime's Node-style error handling (an exception stops the program) is not
for applications: their exceptions are logged, answered with 500 when nothing was sent
yet, and close the connection otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import anyio

from .._incoming import IncomingMessage
from .._server import Server, ServerResponse, create_server
from ._types import ASGI_VERSION, HTTP_SPEC_VERSION, ASGIApp, ClientDisconnectedError, Message, Scope

__all__ = ["ASGIHandler", "create_asgi_server"]

logger = logging.getLogger("nodehttp.asgi")

# Where a response is: nothing yet; start received (the head waits for the body);
# streaming (head written); body done, waiting for promised trailers; complete.
_IDLE, _STARTED, _STREAMING, _TRAILERS, _COMPLETE = range(5)

_ERROR_BODY = b"Internal Server Error"
_ERROR_HEADERS = ["content-type", "text/plain; charset=utf-8", "content-length", str(len(_ERROR_BODY)),
                  "connection", "close"]

# Request targets and header names repeat from request to request; their ASGI forms are
# immutable, so they are kept (bounded, as _headers.py bounds its own caches).
_TARGETS: dict[str, tuple[str, bytes, bytes]] = {}
_TARGETS_MAX = 1024
_TARGET_CACHED_LENGTH = 256
_NAMES: dict[str, bytes] = {}
_NAMES_MAX = 1024


def _parse_target(url: str) -> tuple[str, bytes, bytes]:
    """``(path, raw_path, query_string)`` of a request target (origin or absolute form)."""
    if url[:1] not in ("/", "*"):
        # Absolute form (a request meant for a proxy): only the path and query count.
        parts = urlsplit(url)
        url = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    path, _, query = url.partition("?")
    if "#" in query:
        query = query.partition("#")[0]
    elif "#" in path:
        path = path.partition("#")[0]
    # The parser's text is latin-1 decoded bytes; encoding it back gives the wire bytes.
    raw_path = path.encode("latin-1")
    if "%" in path or not path.isascii():
        path = unquote_to_bytes(raw_path).decode("utf-8", "replace")
    return path, raw_path, query.encode("latin-1")


def _target(url: str) -> tuple[str, bytes, bytes]:
    target = _TARGETS.get(url)
    if target is None:
        target = _parse_target(url)
        if len(url) <= _TARGET_CACHED_LENGTH:
            if len(_TARGETS) >= _TARGETS_MAX:
                _TARGETS.clear()
            _TARGETS[url] = target
    return target


def _asgi_headers(raw: list[str]) -> list[tuple[bytes, bytes]]:
    """``raw_headers`` (wire order, names as sent) as ASGI pairs: lowercased name bytes."""
    names = _NAMES
    headers = []
    it = iter(raw)
    for name, value in zip(it, it):
        key = names.get(name)
        if key is None:
            key = name.lower().encode("latin-1")
            if len(names) < _NAMES_MAX:
                names[name] = key
        headers.append((key, value.encode("latin-1")))
    return headers


def _latin1_pairs(headers: Iterable[Any]) -> tuple[list[str], bool]:
    """ASGI byte pairs as the flat ``[name, value, ...]`` list write_head takes (so that
    repeated names, Set-Cookie above all, stay separate lines, in order), and whether a
    Content-Length was among them. Transfer-Encoding is left out: servers own it (ASGI)."""
    flat: list[str] = []
    content_length = disposition = False
    for name, value in headers:
        size = len(name)
        if size == 14 or size == 17 or size == 19:
            lower = name.lower()
            if lower == b"transfer-encoding":
                continue
            if lower == b"content-length":
                content_length = True
            elif lower == b"content-disposition":
                disposition = True
        flat.append(name.decode("latin-1"))
        flat.append(value.decode("latin-1"))
    if content_length and disposition:
        flat = _length_last(flat)
    return flat, content_length


def _length_last(flat: list[str]) -> list[str]:
    # Node re-reads a Content-Disposition value written after a Content-Length line as
    # UTF-8 and writes it back as latin-1; with the length lines last, the application's
    # bytes go out as they were given.
    pairs = list(zip(flat[::2], flat[1::2]))
    lengths = [pair for pair in pairs if pair[0].lower() == "content-length"]
    others = [pair for pair in pairs if pair[0].lower() != "content-length"]
    return [item for pair in others + lengths for item in pair]


class _Waker:
    """A listener that sets the anyio Event a waiting task holds (re-armed per wait)."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event = anyio.Event()

    def __call__(self, *args: Any) -> None:
        self.event.set()


class _Cycle:
    """One request's ASGI call: its ``receive``, its ``send`` and what it has sent."""

    # Defaults on the class, as IncomingMessage keeps them: one cycle is made per
    # request and most of these are never set.
    state = _IDLE
    status = 200
    headers: Iterable[Any] = ()
    trailers = False
    trailer_pairs: list[str] | None = None
    request_done = False  # the last http.request (more_body False) was handed out
    disconnected = False
    waiter: anyio.Event | None = None
    watching = False  # a 'close' listener is on req

    def __init__(self, req: IncomingMessage, res: ServerResponse) -> None:
        self.req = req
        self.res = res

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except ClientDisconnectedError:
            # Raised by send() because the client left: nothing to report (ASGI 2.4).
            return
        except Exception as exc:  # noqa: BLE001 - an application's bug is logged, not fatal
            logger.error("Exception in ASGI application", exc_info=exc)
            self._abort()
            return
        if self.state != _COMPLETE and not self._gone():
            logger.error("ASGI callable returned without %s the response",
                         "starting" if self.state == _IDLE else "completing")
            self._abort()

    def _gone(self) -> bool:
        sock = self.req.socket
        return self.disconnected or sock.destroyed or not sock.writable

    def _abort(self) -> None:
        """After a failure: 500 if nothing was written yet, else close the connection
        (the client must not take a cut body for a whole one)."""
        if self.state == _COMPLETE or self._gone():
            return
        self.state = _COMPLETE
        res = self.res
        if not res.headers_sent:
            res.write_head(500, "Internal Server Error", _ERROR_HEADERS)
            res.end(_ERROR_BODY)
        else:
            self.req.socket.destroy()
        self._wake()

    def _end(self, body: bytes) -> None:
        """The response's last bytes. As an I/O callback of the runtime, so that what
        end() queues for the next tick ('finish', the next pipelined response) runs
        before send() returns, rather than on a loop pass of its own; Node too drains
        its nextTick queue before an awaiting function resumes."""
        self.state = _COMPLETE
        self.req._runtime.io_callback(self.res.end, body)
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.set()

    def _on_close(self, *args: Any) -> None:
        self.disconnected = True
        self._wake()

    # receive -----------------------------------------------------------------------
    async def receive(self) -> Message:
        """The request body as ``http.request`` messages, then ``http.disconnect`` once
        the response is complete or the client has gone."""
        req = self.req
        while True:
            if self.state == _COMPLETE or self.disconnected:
                return {"type": "http.disconnect"}
            if not self.request_done:
                buffered = req._buffer
                if buffered:
                    if len(buffered) == 1:
                        body = req._take()
                    else:
                        body = b"".join([req._take() for _ in range(len(buffered))])
                    more = not req._ended
                    self.request_done = not more
                    return {"type": "http.request", "body": body, "more_body": more}
                if req._ended:
                    self.request_done = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            if self._gone():
                self.disconnected = True
                continue
            if not self.watching:
                # Only a cycle that waits pays for a listener.
                self.watching = True
                req.on("close", self._on_close)
            event = self.waiter = anyio.Event()
            # Woken by the next chunk, the end of the body, or the request's destruction
            # (the connection closed).
            req._read_waiters.append(event)
            await event.wait()

    # send --------------------------------------------------------------------------
    async def send(self, message: Message) -> None:
        """Handle ``http.response.start``/``body``/``trailers``; raises
        :class:`ClientDisconnectedError` once the client has gone."""
        sock = self.req.socket
        if self.disconnected or sock.destroyed or not sock.writable:
            self.disconnected = True
            raise ClientDisconnectedError()
        kind = message["type"]
        state = self.state
        res = self.res
        if kind == "http.response.body":
            body = message.get("body", b"")
            if body.__class__ is not bytes:
                body = bytes(body)  # bytearray, memoryview; TypeError for str, as ASGI wants bytes
            more = message.get("more_body", False)
            if state == _STARTED:
                if not more and not self.trailers:
                    # The whole body in one message: Content-Length, one write.
                    self._write_head(len(body))
                    self._end(body)
                    return
                self._write_head(None)
                self.state = _STREAMING
            elif state != _STREAMING:
                raise RuntimeError(_unexpected(kind, state))
            if more or self.trailers:
                if not more:
                    self.state = _TRAILERS
                # write() also sends the head, with the first chunk or alone.
                if not res.write(body):
                    await self._drain()
            else:
                self._end(body)
        elif kind == "http.response.start":
            if state != _IDLE:
                raise RuntimeError(_unexpected(kind, state))
            self.status = message["status"]
            self.headers = message.get("headers") or ()
            self.trailers = bool(message.get("trailers", False))
            self.state = _STARTED
        elif kind == "http.response.trailers":
            if state not in (_TRAILERS, _STREAMING) or not self.trailers:
                raise RuntimeError(_unexpected(kind, state))
            pairs = _latin1_pairs(message.get("headers") or ())[0]
            if self.trailer_pairs is None:
                self.trailer_pairs = pairs
            else:
                self.trailer_pairs += pairs
            if not message.get("more_trailers", False):
                if state != _TRAILERS:
                    raise RuntimeError(_unexpected(kind, state))
                if self.trailer_pairs:
                    # Written only on a chunked response; otherwise dropped, as Node does.
                    flat = iter(self.trailer_pairs)
                    res.add_trailers(list(zip(flat, flat)))
                self._end(b"")
        else:
            raise RuntimeError(_unexpected(kind, state))

    def _write_head(self, body_length: int | None) -> None:
        """Write the head; ``body_length`` is the whole body's, when it is known."""
        status = self.status
        flat, has_length = _latin1_pairs(self.headers)
        if (body_length is not None and not has_length and status not in (204, 304) and status >= 200
                and self.req.method != "HEAD"):
            # What res.end(data) adds to a response with no head yet. Given as a header
            # rather than through Node's _contentLength, which would also make Node
            # re-read a Content-Disposition value as UTF-8: ASGI bytes go out unchanged.
            flat.append("content-length")
            flat.append(str(body_length))
        self.res.write_head(status, flat)

    async def _drain(self) -> None:
        """Wait until this response owns the socket and its buffer is below the mark."""
        res = self.res
        sock = self.req.socket
        waker = _Waker()
        # 'socket': a pipelined response that was queued got the connection; 'close':
        # the connection is gone.
        listeners = (("drain", waker), ("socket", waker), ("close", waker))
        for event, listener in listeners:
            res.on(event, listener)
        try:
            while res.socket is not sock or sock.writable_need_drain:
                if self._gone():
                    self.disconnected = True
                    raise ClientDisconnectedError()
                waker.event = anyio.Event()
                await waker.event.wait()
        finally:
            for event, listener in listeners:
                res.remove_listener(event, listener)


def _unexpected(kind: str, state: int) -> str:
    where = ("before http.response.start", "before the first body message", "while streaming the body",
             "after the last body message", "after the response was complete")[state]
    return f"unexpected ASGI message {kind!r} {where}"


class ASGIHandler:
    """A ``'request'`` listener that serves an ASGI 3 application.

    ``server.on("request", ASGIHandler(app))`` runs ``app(scope, receive, send)`` as a
    task of the nodehttp runtime for each request. ``root_path`` is ASGI's (prefixed to
    ``path``, as behind a proxy that strips it); ``state`` is the lifespan namespace,
    copied into each request's scope; ``scheme`` is what the scope reports.
    """

    __slots__ = ("app", "root_path", "state", "scheme")

    def __init__(self, app: ASGIApp, *, root_path: str = "", state: dict[str, Any] | None = None,
                 scheme: str = "http") -> None:
        self.app = app
        self.root_path = root_path
        self.state = state
        self.scheme = scheme

    def scope(self, req: IncomingMessage) -> Scope:
        """The ASGI ``http`` scope of ``req``."""
        path, raw_path, query_string = _target(req.url)
        sock = req.socket
        root_path = self.root_path
        if root_path:
            path = root_path + path
            raw_path = root_path.encode("latin-1") + raw_path
        local = sock._local
        if local is None:
            server = None
        elif local.__class__ is str:  # a unix socket: ASGI's [path, None]
            server = (local, None)
        else:
            server = (local[0], local[1])
        scope: Scope = {
            "type": "http",
            "asgi": {"version": ASGI_VERSION, "spec_version": HTTP_SPEC_VERSION},
            "http_version": req.http_version,
            "server": server,
            "client": None if sock.remote_address is None else (sock.remote_address, sock.remote_port),
            "scheme": self.scheme,
            "method": req.method,
            "root_path": root_path,
            "path": path,
            "raw_path": raw_path,
            "query_string": query_string,
            "headers": _asgi_headers(req.raw_headers),
            "extensions": {"http.response.trailers": {}},
        }
        if self.state is not None:
            scope["state"] = self.state.copy()
        return scope

    def __call__(self, req: IncomingMessage, res: ServerResponse) -> None:
        req._runtime.spawn(_Cycle(req, res).run, self.app, self.scope(req))


def create_asgi_server(app: ASGIApp, options: dict[str, Any] | None = None, *, root_path: str = "",
                       state: dict[str, Any] | None = None) -> Server:
    """A nodehttp :class:`~nodehttp.Server` (``options`` as ``create_server``'s) whose
    requests go to the ASGI application ``app`` (see :class:`ASGIHandler`).

    Lifespan is not run here: wrap the server's life in :func:`lifespan` and pass the
    state it yields, or use :func:`serve`.
    """
    server = create_server(options)
    server.on("request", ASGIHandler(app, root_path=root_path, state=state))
    return server
