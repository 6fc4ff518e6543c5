"""request_timeout (200 ms, checked every 50 ms): a request whose body never completes is cut
off; with a 'clientError' listener the server sees ERR_HTTP_REQUEST_TIMEOUT, answers and
destroys the socket itself.

nodehttp has no public ``net`` module yet; the raw client uses its internal ``connect``,
the twin of Node's ``net.connect``.
"""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server
from nodehttp._net import connect

from conformance.scenarios.harness import deferred, err, listen, log, start


def main() -> None:
    server_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        server_log("request", req.url, req.headers.get("content-length"))
        req.on("data", lambda d: server_log("data", d.decode("latin-1")))
        req.on("aborted", lambda: server_log("aborted"))
        req.on("close", lambda: server_log("req-close"))

    def on_client_error(e: Any, socket: Any) -> None:
        server_log("clientError", *err(e), socket.writable)
        socket.write("HTTP/1.1 408 Request Timeout\r\nX-Why: too slow\r\nConnection: close\r\n\r\n")
        socket.destroy()

    server = create_server({"headers_timeout": 100, "request_timeout": 200,
                            "connections_checking_interval": 50}, handler)
    server.on("clientError", on_client_error)

    def on_listening(port: int) -> None:
        got: list[bytes] = []

        def on_end() -> None:
            for line in b"".join(got).decode("latin-1").split("\r\n"):
                log("client", "line", line)

        def on_close(*_: Any) -> None:
            log("client", "close")
            server.close()

        socket = connect(port, "127.0.0.1", lambda: socket.write(
            "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf"))
        socket.on("data", got.append)
        socket.on("end", on_end)
        socket.on("close", on_close)

    listen(server, on_listening)


start(main)
