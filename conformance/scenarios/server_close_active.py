"""server.close() while a request is in flight: no new connections are accepted, the busy
connection finishes its response, and the close callback comes after (logged apart: Node
runs it when the connection is destroyed, before its 'close')."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, set_timeout, start


def main() -> None:
    port = [0]
    close_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.url)
        server.close(lambda e=None: close_log("closed", getattr(e, "code", None)))
        log("server", "listening", server.listening)

        def on_late_error(e: Any) -> None:
            log("late", "error", getattr(e, "code", None))
            res.end("finished anyway")

        def connect_late() -> None:
            late = get({"host": "127.0.0.1", "port": port[0], "path": "/late", "agent": False})
            late.on("error", on_late_error)

        # A moment later, not in the same tick: on trio nodehttp's listening socket closes on
        # the next scheduling step, and a connection in between is reset rather than refused.
        set_timeout(connect_late, 50)

    server = create_server(handler)

    def on_listening(p: int) -> None:
        port[0] = p

        def on_response(res: IncomingMessage) -> None:
            body: list[bytes] = []
            res.on("data", body.append)
            res.on("end", lambda: log("client", "end", res.status_code,
                                      b"".join(body).decode("latin-1")))

        req = get({"host": "127.0.0.1", "port": p, "path": "/busy", "agent": False}, on_response)
        req.on("error", lambda e: log("client", "error", *err(e)))

    listen(server, on_listening)


start(main)
