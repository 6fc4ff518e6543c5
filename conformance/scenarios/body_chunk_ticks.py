"""Ticks between body chunks on the server: two pipelined POSTs in one write, one with a
chunked body of two chunks. A tick queued in 'data' runs before the parser goes on (Node's
parser hands each chunk over with a callback that drains the tick queue), so it sees the
message not yet complete; the head and the message's end do not drain it, so the second
request comes before the first's 'end'."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server

from conformance.scenarios.harness import listen, log, next_tick, send_raw, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        url = req.url
        log("server", "request", url)
        next_tick(lambda: log("server", "tick-after-request", url, req.complete))

        def on_data(d: Any) -> None:
            text = d.decode("latin-1")
            log("server", "data", url, text, req.complete)
            next_tick(lambda: log("server", "tick-after-data", url, text, req.complete))

        def on_end() -> None:
            log("server", "end", url, req.complete)
            res.end("ok")

        req.on("data", on_data)
        req.on("end", on_end)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        send_raw(port, "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"
                       "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz",
                 server.close)

    listen(server, on_listening)


start(main)
