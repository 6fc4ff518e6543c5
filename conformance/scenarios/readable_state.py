"""Readable state of an IncomingMessage on both ends, read at each step of a body's life:
readable, readable_flowing, readable_length, readable_ended, readable_encoding, closed,
readable_aborted, errored (its code)."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, NodeError, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, set_timeout, start


def state(m: IncomingMessage) -> list[Any]:
    return [m.readable, m.readable_flowing, m.readable_length, m.readable_ended, m.readable_encoding, m.closed,
            m.readable_aborted, m.errored and getattr(m.errored, "code", None), m.readable_high_water_mark,
            m.readable_object_mode]


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", state(req))
        req.set_encoding("latin1")
        req.pause()
        log("server", "paused", state(req))

        def later() -> None:
            log("server", "buffered", state(req))
            req.on("data", lambda _: log("server", "data", state(req)))

            def on_end() -> None:
                log("server", "end", state(req))
                res.end("reply")

            req.on("end", on_end)
            req.on("close", lambda: log("server", "close", state(req)))
            req.resume()
            log("server", "resumed", state(req))

        set_timeout(later, 50)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", state(res))
            res.on("data", lambda _: log("client", "data", state(res)))
            res.on("end", lambda: log("client", "end", state(res)))

            def on_close() -> None:
                log("client", "close", state(res))

                def on_second(r2: IncomingMessage) -> None:
                    def closed() -> None:
                        log("client", "destroyed-close", state(r2))
                        server.close()

                    r2.on("close", closed)
                    r2.destroy(NodeError("gone", "EGONE"))
                    log("client", "destroyed", state(r2))

                second = request({"host": "127.0.0.1", "port": port, "method": "POST", "agent": False}, on_second)
                second.on("error", lambda *_: None)
                second.end("x")

            res.on("close", on_close)

        req = request({"host": "127.0.0.1", "port": port, "method": "POST", "agent": False}, on_response)
        req.end("hello")

    listen(server, on_listening)


start(main)
