"""Ticks around a client response's body: the whole response in one packet, two chunks. The
client's parser runs from JavaScript, so nothing drains between its callbacks; the body
flows on a tick, and 'end' is scheduled before the last chunk's 'data' (Node's read()), so
it comes between the ticks the two 'data' listeners queued."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, get
from nodehttp.net import Socket, create_server

from conformance.scenarios.harness import listen, log, next_tick, start

REPLY = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
         b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")


def main() -> None:
    def on_connection(s: Socket) -> None:
        s.once("data", lambda _d: s.end(REPLY))

    server = create_server(on_connection)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.complete)
            next_tick(lambda: log("client", "tick-after-response", res.complete))

            def on_data(d: Any) -> None:
                text = d.decode("latin-1")
                log("client", "data", text, res.complete)
                next_tick(lambda: log("client", "tick-after-data", text, res.complete))

            def on_end() -> None:
                log("client", "end")
                server.close()

            res.on("data", on_data)
            res.on("end", on_end)
            res.on("close", lambda: log("client", "res-close"))

        get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)

    listen(server, on_listening)


start(main)
