"""headers_timeout (100 ms, checked every 50 ms): a client that never finishes its headers
gets 408 and the connection closes; one that finished its headers in time is answered.

nodehttp has no public ``net`` module yet; the raw client uses its internal ``connect``,
the twin of Node's ``net.connect``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server
from nodehttp._net import connect

from conformance.scenarios.harness import listen, log, start


def raw(port: int, tag: str, data: str, done: Callable[[], object]) -> None:
    got: list[bytes] = []

    def on_end() -> None:
        for line in b"".join(got).decode("latin-1").split("\r\n"):
            log(tag, "line", line)

    def on_close(*_: Any) -> None:
        log(tag, "close")
        done()

    socket = connect(port, "127.0.0.1", lambda: socket.write(data))
    socket.on("data", got.append)
    socket.on("end", on_end)
    socket.on("close", on_close)


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.url)
        res.send_date = False
        res.set_header("Connection", "close")
        res.end("in time")

    server = create_server({"headers_timeout": 100, "request_timeout": 1000,
                            "connections_checking_interval": 50}, handler)
    server.on("timeout", lambda *_: log("server", "timeout"))

    def on_listening(port: int) -> None:
        raw(port, "slow", "GET /slow HTTP/1.1\r\nHost: a\r\n",
            lambda: raw(port, "fast", "GET /fast HTTP/1.1\r\nHost: a\r\n\r\n", server.close))

    listen(server, on_listening)


start(main)
