"""server.set_timeout: with a callback the server leaves the idle socket to it (here it
destroys it); with no listener at all the socket is destroyed for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, start


def ask(port: int, tag: str, done: Callable[[], None]) -> None:
    def on_close() -> None:
        log(tag, "close")
        done()

    req = get({"host": "127.0.0.1", "port": port, "path": f"/{tag}", "agent": False})
    req.on("response", lambda res: log(tag, "response"))
    req.on("error", lambda e: log(tag, "error", *err(e)))
    req.on("close", on_close)


def main() -> None:
    server_log = deferred("server")

    def silent(req: IncomingMessage, res: ServerResponse) -> None:
        server_log("request", req.url)
        res.on("close", lambda: server_log("res-close", req.url, res.headers_sent))

    def on_timeout(socket: Any) -> None:
        server_log("timeout-callback", socket.destroyed)
        socket.destroy()

    with_callback = create_server(silent)
    with_callback.set_timeout(100, on_timeout)
    bare = create_server(silent)
    bare.timeout = 100

    def both(port1: int, port2: int) -> None:
        def finish() -> None:
            with_callback.close()
            bare.close()

        ask(port1, "callback", lambda: ask(port2, "bare", finish))

    listen(with_callback, lambda port1: listen(bare, lambda port2: both(port1, port2)))


start(main)
