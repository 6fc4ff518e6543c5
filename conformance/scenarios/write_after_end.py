"""Writing to a finished response: 'error' ERR_STREAM_WRITE_AFTER_END while it is open; after
its 'close' (destroyed) only a write callback hears of it."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import err, listen, log, next_tick, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def on_close() -> None:
            log("server", "close", res.destroyed)
            log("server", "late-write", res.write("late", None,
                                                  lambda e: log("server", "late-write-cb", *err(e))))
            res.end("later")
            next_tick(lambda: log("server", "tick"))

        res.on("error", lambda e: log("server", "res-error", *err(e)))
        res.on("finish", lambda: log("server", "finish"))
        res.end("body")
        log("server", "end-again", res.end("more") is res)
        log("server", "write", res.write("x", None, lambda e: log("server", "write-cb", *err(e))))
        res.on("close", on_close)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            body: list[bytes] = []
            res.on("data", body.append)

            def on_end() -> None:
                log("client", "end", b"".join(body).decode("latin-1"))
                server.close()

            res.on("end", on_end)

        get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)

    listen(server, on_listening)


start(main)
