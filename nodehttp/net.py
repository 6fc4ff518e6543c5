"""The parts of Node's ``net`` module that http is built on: sockets and servers.

``request.socket``, the socket of a ``'connection'``, ``'upgrade'`` or ``'connect'``
event and ``res.socket`` are :class:`Socket` objects; a socket failure is a
:class:`SocketError` (an ``OSError`` with Node's ``code``, ``errno`` and ``syscall``).
Typed code can name them from here. ``create_server`` and ``connect`` are Node's
``net.createServer`` and ``net.connect``/``net.createConnection``, for raw TCP (or unix
socket) peers next to http.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._net import Server, Socket, SocketError, connect, create_connection

__all__ = ["Server", "Socket", "SocketError", "connect", "create_connection", "create_server"]


def create_server(connection_listener: Callable[[Socket], Any] | None = None, *,
                  allow_half_open: bool = False) -> Server:
    """Node's ``net.createServer([options][, connectionListener])``."""
    return Server(connection_listener, allow_half_open=allow_half_open)
