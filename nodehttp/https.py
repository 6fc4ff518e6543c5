"""Node's ``https`` module: http over TLS, with the same Server, requests and Agent.

``create_server(options, request_listener)`` takes http's options plus the TLS ones
(``key``, ``cert``, ``ca``, ``passphrase``, ``pfx``, ``request_cert``,
``reject_unauthorized``, ``ciphers``, ``min_version``, ``max_version``,
``alpn_protocols``, ``handshake_timeout``) or a ready ``ssl.SSLContext`` as
``secure_context`` (Node's ``secureContext``; ``ssl_context`` is accepted as well).
``request``/``get`` take http's options plus ``ca``, ``cert``, ``key``, ``passphrase``,
``pfx``, ``reject_unauthorized`` (default True), ``servername``, ``ciphers``,
``min_version``, ``max_version`` or ``secure_context``. Keys, certificates and CAs are PEM
in memory (``str`` or ``bytes``), as Node takes them. Sockets are
:class:`~nodehttp._tls.TLSSocket`: ``authorized``, ``authorization_error``,
``get_peer_certificate()``, ``get_protocol()``, ``alpn_protocol``, ``servername``.

TLS runs over anyio's TLS streams on both backends.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from typing import Any

import anyio.abc

from . import _agent, _net, _server, _tls
from ._client import ClientRequest, _options

__all__ = ["Agent", "Server", "create_server", "get", "global_agent", "request"]

# Node's https.Agent.getName: the TLS options that split the pool, in Node's order,
# after http's host:port:localAddress[:family]. ``secure_context`` is not among them,
# in Node either: two requests that differ only in their context share sockets.
_NAME_OPTIONS = (
    "ca", "cert", "client_cert_engine", "ciphers", "key", "pfx", "reject_unauthorized", "servername",
    "min_version", "max_version", "secure_protocol", "crl", "honor_cipher_order", "ecdh_curve",
    "dhparam", "secure_options", "session_id_context", "sigalgs", "private_key_identifier",
    "private_key_engine",
)
# Appended whenever given, even when false or 0 (Node tests ``!== undefined``).
_DEFINED_OPTIONS = frozenset(("reject_unauthorized", "honor_cipher_order", "secure_options"))
# The options a client context is built from (the cache key of Agent's contexts).
_CONTEXT_OPTIONS = ("ca", "cert", "key", "passphrase", "pfx", "reject_unauthorized", "ciphers", "min_version",
                    "max_version", "secure_context", "ssl_context")
_MAX_CACHED_CONTEXTS = 100


def _js_truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value == value and value != 0  # NaN and 0 are false
    if isinstance(value, str):
        return value != ""
    return True  # objects, arrays and buffers are true even when empty


def _js_text(value: Any) -> str:
    """``String(value)`` as JavaScript gives it for the option types Node accepts."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else _js_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _server_name(options: dict[str, Any], req: Any) -> str:
    """Node's calculateServerName: the Host header's name (else ``host``); '' for an IP."""
    servername = str(options.get("host") or "")
    host_header = req.get_header("host") if req is not None else None
    if host_header:
        host_header = str(host_header)
        if host_header.startswith("["):
            end = host_header.find("]")
            servername = host_header if end == -1 else host_header[1:end]
        else:
            servername = host_header.split(":", 1)[0]
    return "" if _tls.is_ip(servername) else servername


class Agent(_agent.Agent):
    """Node's ``https.Agent``: an http Agent whose connections are TLS.

    TLS options given here (``ca``, ``cert``, ``key``, ``reject_unauthorized``,
    ``secure_context``...) apply to every connection, as in Node; ``get_name`` adds the
    request's TLS options to the pool key as Node's does. ``max_cached_sessions`` is kept
    for Node's API; TLS sessions are not resumed.
    """

    def __init__(self, *args: Any, max_cached_sessions: int = 100, **options: Any) -> None:
        options.setdefault("default_port", 443)
        super().__init__(*args, **options)
        self.protocol = "https:"
        self.max_cached_sessions = max_cached_sessions
        self._contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}

    _names_from_options = True  # get_name reads the options and nothing else

    @staticmethod
    def get_name(options: dict[str, Any] | None = None) -> str:
        """The pool key: http's ``host:port:localAddress[:family]``, then each TLS option
        (empty when not given) in Node's order; ``servername`` only when it differs from
        ``host``; ``sigalgs`` as JSON."""
        options = options or {}
        name = _agent.Agent.get_name(options)
        for key in _NAME_OPTIONS:
            name += ":"
            value = options.get(key)
            if key == "servername":
                if _js_truthy(value) and value != options.get("host"):
                    name += _js_text(value)
            elif key in _DEFINED_OPTIONS:
                if value is not None:
                    name += _js_text(value)
            elif _js_truthy(value):
                name += json.dumps(value, separators=(",", ":")) if key == "sigalgs" else _js_text(value)
        return name

    def add_request(self, req: Any, options: dict[str, Any]) -> None:
        """http's add_request, with ``servername`` worked out first as Node does."""
        options = {**options, **self.options}
        if options.get("servername") is None:
            options["servername"] = _server_name(options, req)
        super().add_request(req, options)

    def create_connection(self, options: dict[str, Any],
                          callback: Callable[[BaseException | None, _net.Socket | None], Any] | None = None,
                          ) -> _net.Socket | None:
        """A TLS connection: the handshake runs before the socket's 'connect'. As http's,
        to ``host``/``port`` or the unix socket ``socket_path``, honouring
        ``local_address``, ``family`` and ``lookup``."""
        host = str(options.get("host") or "localhost")
        port = int(options.get("port") or self.default_port)
        sock = _tls.TLSSocket(self._context(options), host, port, str(options.get("servername") or ""))
        return _net.connect({
            "port": port,
            "host": host,
            "path": options.get("socket_path"),
            "local_address": options.get("local_address"),
            "family": options.get("family"),
            "lookup": options.get("lookup"),
        }, socket=sock)

    def _context(self, options: dict[str, Any]) -> ssl.SSLContext:
        values = tuple(options.get(key) for key in _CONTEXT_OPTIONS)
        try:
            key = tuple(tuple(v) if isinstance(v, list) else v for v in values)
            hash(key)
        except TypeError:
            return _tls.client_context(options)
        context = self._contexts.get(key)
        if context is None:
            context = _tls.client_context(options)
            if len(self._contexts) >= _MAX_CACHED_CONTEXTS:
                del self._contexts[next(iter(self._contexts))]
            self._contexts[key] = context
        return context


global_agent = Agent(keep_alive=True, scheduling="lifo", timeout=5000)


class Server(_server.Server):
    """Node's ``https.Server``: an http Server whose connections are TLS.

    Events beyond http's: ``'secureConnection'`` (socket) once a handshake is done, and
    ``'tlsClientError'`` (error, socket) when one fails; its default handling passes the
    error to ``'clientError'`` listeners if there are any, else closes the connection.
    ``'connection'`` comes just before ``'secureConnection'``, with the same TLS socket
    (Node's comes at TCP accept, with the raw socket).
    """

    _tls = True

    def __init__(self, options: dict[str, Any] | Callable[..., Any] | None = None,
                 request_listener: Callable[..., Any] | None = None) -> None:
        if callable(options):
            request_listener, options = options, None
        opts = dict(options or {})
        super().__init__(opts, request_listener)
        self.secure_context = _tls.server_context(opts)
        self.handshake_timeout = float(opts.get("handshake_timeout", 120_000))
        # Node: http handles the connection from 'secureConnection' on.
        self.remove_listener("connection", self._on_connection)
        self.on("secureConnection", self._on_connection)
        self.on("tlsClientError", self._on_tls_client_error)

    async def _serve_stream(self, stream: anyio.abc.SocketStream) -> None:
        sock = _tls.TLSSocket()
        peer = stream.extra(anyio.abc.SocketAttribute.remote_address, None)
        if isinstance(peer, tuple):
            sock.remote_address, sock.remote_port = str(peer[0]), int(peer[1])
            sock.remote_family = "IPv6" if ":" in sock.remote_address else "IPv4"
        try:
            with anyio.fail_after(self.handshake_timeout / 1000 if self.handshake_timeout > 0 else None):
                wrapped = await _tls.handshake(stream, self.secure_context, server_side=True)
        except Exception as exc:
            error = _tls.server_handshake_error(exc)
            error.__cause__ = exc
            self._runtime.io_callback(self.emit, "tlsClientError", error, sock)
            return
        sock._secured(wrapped)
        await _net._StreamTransport(wrapped).serve(sock, self._on_socket)

    def _on_socket(self, sock: _net.Socket) -> None:
        super()._on_socket(sock)
        self.emit("secureConnection", sock)

    def _on_tls_client_error(self, error: BaseException, sock: _net.Socket) -> None:
        if not self.emit("clientError", error, sock):
            sock.destroy()


def create_server(options: dict[str, Any] | Callable[..., Any] | None = None,
                  request_listener: Callable[..., Any] | None = None) -> Server:
    """Node's ``https.createServer([options][, requestListener])``."""
    return Server(options, request_listener)


def request(url_or_options: Any = None, options: Any = None, callback: Callable[..., Any] | None = None,
            **kwargs: Any) -> ClientRequest:
    """Node's ``https.request(url[, options][, callback])`` or ``https.request(options[, callback])``.

    http's options plus the TLS ones (see the module's docstring); the default agent is
    :data:`global_agent` and the default port 443. Call ``end()`` to send the request.
    """
    if callable(options):
        callback, options = options, None
    merged = _options(url_or_options, options, kwargs)
    merged["_default_agent"] = global_agent
    return ClientRequest(merged, callback)


def get(url_or_options: Any = None, options: Any = None, callback: Callable[..., Any] | None = None,
        **kwargs: Any) -> ClientRequest:
    """Node's ``https.get``: :func:`request` with ``end()`` already called."""
    req = request(url_or_options, options, callback, **kwargs)
    req.end()
    return req
