"""A 'readable' listener that never reads, removed later: the stream stays paused until
then, and the 'data' listener it was holding back gets the body on the tick after the
removal."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server

from conformance.scenarios.harness import listen, log, next_tick, send_raw, set_timeout, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def on_readable() -> None:
            log("server", "readable", req.complete)

        def on_end() -> None:
            log("server", "end")
            res.end("ok")

        def later() -> None:
            log("server", "remove", req.is_paused())
            req.remove_listener("readable", on_readable)
            next_tick(lambda: log("server", "tick-after-remove", req.is_paused()))

        req.on("readable", on_readable)
        req.on("data", lambda d: log("server", "data", d.decode("latin-1")))
        req.on("end", on_end)
        set_timeout(later, 20)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        send_raw(port, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabcdef",
                 server.close)

    listen(server, on_listening)


start(main)
