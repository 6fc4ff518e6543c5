"""What every scenario's Python half shares; ``harness.js`` is its twin.

A scenario prints its events as JSON arrays, one per line, on stdout, and exits by
itself once nothing is left open. Logs must not hold ports, addresses, timestamps or
durations: only facts and the order of events. Run one by hand with
``python -m conformance.scenarios.NAME [asyncio|trio]``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import nodehttp
import nodehttp.net

WATCHDOG_MS = 4000
_at_exit: list[Callable[[], None]] = []


def log(*event: Any) -> None:
    sys.stdout.write(json.dumps(list(event)) + "\n")
    sys.stdout.flush()


def err(e: Any) -> list[Any]:
    """``[code, message]`` of an error (code None when it has none)."""
    code = getattr(e, "code", None)
    message = getattr(e, "message", None)
    return [code if isinstance(code, str) else None,
            message if isinstance(message, str) else str(e)]


def _watchdog() -> None:
    log("timeout", "watchdog")
    os._exit(3)


def start(main: Callable[[], Any], argv: list[str] | None = None) -> None:
    """``nodehttp.run(main)`` on the backend named by ``argv[1]`` (asyncio by default),
    cut short after :data:`WATCHDOG_MS` by an unref'd timer, as ``harness.js`` does."""
    args = sys.argv if argv is None else argv
    backend = args[1] if len(args) > 1 else "asyncio"

    def entry() -> Any:
        nodehttp.current_runtime().set_timeout(_watchdog, WATCHDOG_MS).unref()
        return main()

    nodehttp.run(entry, backend=backend)
    for callback in _at_exit:
        callback()


def deferred(actor: str) -> Callable[..., None]:
    """A log for another actor (the server, seen from a client's scenario) whose order
    against this one's depends on scheduling: its events are printed, in their own order,
    once the program has ended."""
    events: list[tuple[Any, ...]] = []

    def dump() -> None:
        for event in events:
            log(actor, *event)

    _at_exit.append(dump)
    return lambda *event: events.append(event)


def next_tick(callback: Callable[..., Any], *args: Any) -> None:
    """Node's ``process.nextTick``."""
    nodehttp.current_runtime().next_tick(callback, *args)


def set_timeout(callback: Callable[..., Any], ms: float, *args: Any) -> Any:
    """Node's ``setTimeout``: the timer, with ``cancel()``, ``unref()`` and ``refresh()``."""
    return nodehttp.current_runtime().set_timeout(callback, ms, *args)


def listen(server: nodehttp.net.Server, cb: Callable[[int], Any]) -> None:
    """``server.listen`` on 127.0.0.1, an ephemeral port; ``cb(port)``."""

    def ready() -> None:
        address = server.address()
        assert isinstance(address, dict)
        cb(int(address["port"]))

    server.listen(0, "127.0.0.1", ready)


def send_raw(port: int, data: str, on_close: Callable[[], Any]) -> None:
    """A raw client: connect, write ``data`` (latin-1 text), ignore the reply, log
    ``["client", "end"]`` at its end and call ``on_close`` once the socket closes."""
    socket = nodehttp.net.connect(port, "127.0.0.1", lambda *_: socket.write(data.encode("latin-1")))
    socket.on("data", lambda _d: None)
    socket.on("end", lambda *_: log("client", "end"))
    socket.on("close", lambda *_: on_close())
