"""Pipelining: three requests in one write; the first is answered last, yet the responses
leave in request order and 'Connection: close' on the third ends the connection.

nodehttp has no public ``net`` module yet; the raw client uses its internal ``connect``,
the twin of Node's ``net.connect``.
"""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server
from nodehttp._net import connect

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    slow: list[ServerResponse] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.url, req.headers.get("connection"))
        res.send_date = False
        res.on("finish", lambda: log("server", "finish", req.url))
        if req.url == "/slow":
            slow.append(res)
        else:
            res.end(f"body of {req.url}")
        if req.url == "/last":
            slow[0].end("slow body")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        got: list[bytes] = []

        def on_connect() -> None:
            socket.write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"
                         "GET /fast HTTP/1.1\r\nHost: a\r\n\r\n"
                         "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")

        def on_end() -> None:
            for line in b"".join(got).decode("latin-1").split("\r\n"):
                log("client", "line", line)

        socket = connect(port, "127.0.0.1", on_connect)
        socket.on("data", got.append)
        socket.on("end", on_end)
        socket.on("close", lambda *_: server.close())

    listen(server, on_listening)


start(main)
