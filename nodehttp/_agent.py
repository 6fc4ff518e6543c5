"""http.Agent (Node's ``lib/_http_agent.js``): per-origin pools of client sockets.

Sockets are pooled by :meth:`Agent.get_name` (``"host:port:"``). A request takes a free
keep-alive socket when there is one (``lifo`` or ``fifo``), else a new connection while
the pool is under ``max_sockets``, else it waits in ``requests`` until a socket is
freed. An idle socket is unref'd, so it never keeps the program alive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from . import _net
from ._common import validate_number, validate_one_of
from ._events import EventEmitter
from ._runtime import current_runtime

__all__ = ["Agent", "global_agent"]

_KEEP_ALIVE_HINT = re.compile(r"^timeout=(\d+)")


class Agent(EventEmitter):
    """Node's ``http.Agent``."""

    default_max_sockets = math.inf
    # get_name depends on the options alone, so the name create_socket stored in them
    # (Node's options._agentKey) stands for it later. A subclass with its own get_name
    # recomputes, as Node always does, unless it declares the same.
    _names_from_options: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_name" in cls.__dict__ and "_names_from_options" not in cls.__dict__:
            cls._names_from_options = False

    def __init__(self, keep_alive: bool = False, keep_alive_msecs: float = 1000,
                 max_sockets: float | None = None, max_free_sockets: int = 256,
                 max_total_sockets: float | None = math.inf, scheduling: str = "lifo",
                 timeout: float | None = None, default_port: int = 80, **options: Any) -> None:
        super().__init__()
        validate_one_of(scheduling, "scheduling", ("fifo", "lifo"))
        if max_total_sockets is None:
            max_total_sockets = math.inf
        elif max_total_sockets != math.inf:
            validate_number(max_total_sockets, "max_total_sockets", 1)
        self.options: dict[str, Any] = dict(options)
        if timeout is not None:
            self.options["timeout"] = timeout
        self.default_port = default_port
        self.protocol = "http:"
        self.keep_alive = keep_alive
        self.keep_alive_msecs = keep_alive_msecs or 1000
        self.max_sockets = max_sockets or self.default_max_sockets
        self.max_free_sockets = max_free_sockets or 256
        self.max_total_sockets = max_total_sockets
        self.scheduling = scheduling
        self.total_socket_count = 0
        # Node's agentKeepAliveTimeoutBuffer: leave a server's Keep-Alive hint this early.
        self.keep_alive_timeout_buffer = 1000
        self.requests: dict[str, list[Any]] = {}
        self.sockets: dict[str, list[_net.Socket]] = {}
        self.free_sockets: dict[str, list[_net.Socket]] = {}
        self.on("free", self._on_free)

    @staticmethod
    def get_name(options: dict[str, Any] | None = None) -> str:
        """The pool key: ``host:port:localAddress[:family]`` as Node builds it."""
        options = options or {}
        name = f"{options.get('host') or 'localhost'}:"
        if options.get("port"):
            name += str(options["port"])
        name += ":"
        if options.get("local_address"):
            name += str(options["local_address"])
        if options.get("family") in (4, 6):
            name += f":{options['family']}"
        if options.get("socket_path"):
            name += f":{options['socket_path']}"
        return name

    def add_request(self, req: Any, options: dict[str, Any]) -> None:
        """Give ``req`` a socket now, or queue it until one is free."""
        if self.options:
            options = {**options, **self.options}
        name = self.get_name(options)
        active = self.sockets.setdefault(name, [])
        free = self.free_sockets.get(name)
        sock: _net.Socket | None = None
        if free:
            # A socket that closed (or whose program ended) while idle is dropped here.
            rt = current_runtime()
            fifo = self.scheduling == "fifo"
            while free:
                candidate = free.pop(0) if fifo else free.pop()
                if not candidate.destroyed and candidate.writable and candidate._runtime is rt:
                    sock = candidate
                    break
            if not free:
                del self.free_sockets[name]
        free_len = len(free) if free else 0
        if sock is not None:
            self.reuse_socket(sock, req)
            self._set_request_socket(req, sock)
            active.append(sock)
        elif free_len + len(active) < self.max_sockets and self.total_socket_count < self.max_total_sockets:
            def on_create(error: BaseException | None, new: _net.Socket | None) -> None:
                if error is not None or new is None:
                    req.on_socket(None, error)
                else:
                    self._set_request_socket(req, new)

            self.create_socket(req, options, on_create)
        else:
            req._agent_options = options
            self.requests.setdefault(name, []).append(req)

    def create_connection(self, options: dict[str, Any],
                          callback: Callable[[BaseException | None, _net.Socket | None], Any] | None = None,
                          ) -> _net.Socket | None:
        """A new connection for the pool: Node's ``agent.createConnection(options, callback)``.

        Override it to connect otherwise: return the socket, or return None and call
        ``callback(error, socket)`` later (once). The default is a TCP connection to
        ``host``/``port``, or to the unix socket ``socket_path``, honouring
        ``local_address``, ``family`` and ``lookup``.
        """
        return _net.connect({
            "port": options.get("port") or self.default_port,
            "host": options.get("host") or "localhost",
            "path": options.get("socket_path"),
            "local_address": options.get("local_address"),
            "family": options.get("family"),
            "lookup": options.get("lookup"),
        })

    def create_socket(self, req: Any, options: dict[str, Any],
                      callback: Callable[[BaseException | None, _net.Socket | None], Any] | None = None,
                      ) -> _net.Socket | None:
        """Node's ``agent.createSocket``: a connection from :meth:`create_connection`, added
        to the pool; ``callback(error, socket)`` gets it (returned too when it came at once)."""
        options = {**options, **self.options}
        # As Node's: ``path`` is the unix socket here (or None), never the request's path.
        options["path"] = options.get("socket_path")
        timeout = getattr(req, "timeout", None) or self.options.get("timeout")
        name = self.get_name(options)
        options["_agent_key"] = name
        created: list[_net.Socket | None] = []

        def on_create(error: BaseException | None = None, sock: _net.Socket | None = None) -> None:
            if created:
                return  # once, as Node's: a function may both return a socket and call back
            created.append(sock)
            if error is not None or sock is None:
                if callback is not None:
                    callback(error or TypeError("create_connection gave no socket"), None)
                return
            if timeout:
                sock.set_timeout(timeout)
            self.sockets.setdefault(name, []).append(sock)
            self.total_socket_count += 1
            self._install_listeners(sock, options)
            if callback is not None:
                callback(None, sock)

        sock = self.create_connection(options, on_create)
        if sock is not None:
            on_create(None, sock)
        return created[0] if created else None

    def _install_listeners(self, sock: _net.Socket, options: dict[str, Any]) -> None:
        def on_free(*_: Any) -> None:
            self.emit("free", sock, options)

        def on_close(*_: Any) -> None:
            self.total_socket_count -= 1
            self.remove_socket(sock, options)

        def on_timeout(*_: Any) -> None:
            # An idle pooled socket that times out is closed; a busy one is the request's.
            if any(sock in pool for pool in self.free_sockets.values()):
                sock.destroy()

        def on_remove(*_: Any) -> None:
            self.total_socket_count -= 1
            self.remove_socket(sock, options)
            sock.remove_listener("close", on_close)
            sock.remove_listener("free", on_free)
            sock.remove_listener("timeout", on_timeout)
            sock.remove_listener("agentRemove", on_remove)

        sock.on("free", on_free)
        sock.on("close", on_close)
        sock.on("timeout", on_timeout)
        sock.on("agentRemove", on_remove)

    def _set_request_socket(self, req: Any, sock: _net.Socket) -> None:
        req.on_socket(sock)
        agent_timeout = self.options.get("timeout") or 0
        if req.timeout is not None and req.timeout != agent_timeout:
            sock.set_timeout(req.timeout)

    def _pool_name(self, options: dict[str, Any]) -> str:
        name = options.get("_agent_key") if self._names_from_options else None
        return self.get_name(options) if name is None else name

    def _on_free(self, sock: _net.Socket, options: dict[str, Any]) -> None:
        name = self._pool_name(options)
        if not sock.writable:
            sock.destroy()
            return
        queue = self._live_queue(name)
        if queue:
            req = queue.pop(0)
            if not queue:
                del self.requests[name]
            self._set_request_socket(req, sock)
            return
        req = sock._http_message
        if req is None or not req.should_keep_alive or not self.keep_alive:
            sock.destroy()
            return
        free = self.free_sockets.get(name, [])
        count = len(free) + len(self.sockets.get(name, []))
        if (self.total_socket_count > self.max_total_sockets or count > self.max_sockets
                or len(free) >= self.max_free_sockets or not self.keep_socket_alive(sock)):
            sock.destroy()
            return
        self.free_sockets[name] = free
        sock._http_message = None
        self.remove_socket(sock, options)
        sock.once("error", _free_socket_error)
        # Node 24: bytes on an idle socket are a stray (or planted) response that the
        # next request would read as its own; the socket is destroyed instead.
        sock.on_data = lambda _data: sock.destroy()
        sock._pooled = True
        free.append(sock)

    def _live_queue(self, name: str) -> list[Any] | None:
        """The requests waiting for a ``name`` socket, less those of a program that is
        ending (its runtime cancelled): they can never be sent, and are forgotten."""
        queue = self.requests.get(name)
        if not queue:
            return queue
        for req in queue:
            if _ending(req):
                break
        else:
            return queue
        queue[:] = [req for req in queue if not _ending(req)]
        if not queue:
            del self.requests[name]
            return None
        return queue

    def remove_socket(self, sock: _net.Socket, options: dict[str, Any]) -> None:
        """Forget ``sock``; a queued request of the freed pool gets a new connection."""
        name = self._pool_name(options)
        for pool in (self.sockets,) if sock.writable else (self.sockets, self.free_sockets):
            sockets = pool.get(name)
            if sockets and sock in sockets:
                sockets.remove(sock)
                if not sockets:
                    del pool[name]
        queue = self._live_queue(name) if self.requests else None
        if queue:
            # A slot opened: Node starts a new connection for the first waiting request.
            req = queue[0]
            req_options = getattr(req, "_agent_options", None)
            if req_options is not None:
                req._agent_options = None

                def on_create(error: BaseException | None, new: _net.Socket | None) -> None:
                    if error is not None or new is None:
                        req.on_socket(None, error)
                    else:
                        new.emit("free")

                self.create_socket(req, req_options, on_create)

    def keep_socket_alive(self, sock: _net.Socket) -> bool:
        """Prepare an idle socket; False when the server's Keep-Alive hint forbids keeping it."""
        sock.set_keep_alive(True, self.keep_alive_msecs)
        sock.unref()
        agent_timeout = self.options.get("timeout") or 0
        keep = True
        req = sock._http_message
        res = getattr(req, "res", None)
        hint = _keep_alive_hint(res) if res is not None else None
        if isinstance(hint, str):
            hinted = _hinted_seconds(hint)
            if hinted is not None:
                server_timeout = hinted * 1000 - self.keep_alive_timeout_buffer
                if server_timeout <= 0:
                    keep = False
                elif server_timeout < agent_timeout:
                    agent_timeout = server_timeout
        if sock._timeout_ms != agent_timeout:
            sock.set_timeout(agent_timeout)
        return keep

    def reuse_socket(self, sock: _net.Socket, req: Any) -> None:
        sock.remove_listener("error", _free_socket_error)
        sock.on_data = None
        sock._pooled = False
        req.reused_socket = True
        sock.ref()

    def destroy(self) -> None:
        """Close every socket, free and in use."""
        for pools in (self.free_sockets, self.sockets):
            for sockets in list(pools.values()):
                for sock in list(sockets):
                    sock.destroy()


def _keep_alive_hint(res: Any) -> Any:
    """``res.headers['keep-alive']``, without building the headers object when nobody has:
    the agent reads it for every response it pools."""
    if res._headers is not None:
        return res.headers.get("keep-alive")
    it = iter(res.raw_headers)
    value = None
    for name, raw_value in zip(it, it):
        if len(name) == 10 and name.lower() == "keep-alive":
            if value is not None:
                return res.headers.get("keep-alive")  # a repeat: Node's joining rules
            value = raw_value
    return value


_HINTS: dict[str, int | None] = {}


def _hinted_seconds(hint: str) -> int | None:
    """The N of a ``Keep-Alive: timeout=N`` value, or None; a server sends the same
    value every time, so the answers are remembered (a few, whatever the server says)."""
    seconds = _HINTS.get(hint, -1)
    if seconds == -1:
        match = _KEEP_ALIVE_HINT.match(hint)
        seconds = int(match.group(1)) if match else None
        if len(_HINTS) < 32:
            _HINTS[hint] = seconds
    return seconds


def _ending(req: Any) -> bool:
    rt = getattr(req, "_runtime", None)
    return rt is not None and rt.task_group.cancel_scope.cancel_called


def _free_socket_error(*_: Any) -> None:
    """An idle socket's error (the server reset it) is nobody's to report: it just goes."""


global_agent = Agent(keep_alive=True, scheduling="lifo", timeout=5000)
