"""Starting and stopping an http server on 127.0.0.1 inside a test's runtime."""

from __future__ import annotations

import anyio

import nodehttp

LOOPBACK = "127.0.0.1"


async def listen(server: nodehttp.Server) -> int:
    """Listen on an ephemeral loopback port; the port, once 'listening' came."""
    ready = anyio.Event()
    server.listen(0, LOOPBACK, ready.set)
    await ready.wait()
    address = server.address()
    assert isinstance(address, dict)
    return int(address["port"])


async def close(server: nodehttp.Server) -> None:
    """Close the server and every connection; return once 'close' came."""
    closed = anyio.Event()
    server.close(closed.set)
    server.close_all_connections()
    await closed.wait()
