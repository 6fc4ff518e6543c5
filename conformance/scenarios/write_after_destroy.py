"""Writing to a destroyed response: write() returns False and only its callback hears of it
(ERR_STREAM_DESTROYED, on a tick, no 'error'); end()'s callback never comes."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import err, listen, log, next_tick, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.on("error", lambda e: log("server", "error", err(e)))
        res.destroy()
        log("server", "write", res.write("x", lambda e: log("server", "write-callback", err(e))), res.destroyed)
        res.end("y", lambda e: log("server", "end-callback", err(e)))
        log("server", "ended", res.finished, res.writable_ended)
        next_tick(lambda: log("server", "tick"))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_error(e: Any) -> None:
            log("client", "error", err(e))
            server.close()

        req = get({"host": "127.0.0.1", "port": port, "agent": False})
        req.on("error", on_error)

    listen(server, on_listening)


start(main)
