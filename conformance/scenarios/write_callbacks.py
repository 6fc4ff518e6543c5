"""Write callbacks against ticks, both ends: write(chunk, callback) without an encoding, a
tick queued after it, then end(chunk, callback). Node corks the socket for the tick, so a
write's callback comes after ticks queued meanwhile; end() uncorks at once, so its callback
and 'finish' follow."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def on_end() -> None:
            log("server", "write", res.write("a", lambda *_: log("server", "write-callback")))
            next_tick(lambda: log("server", "tick-after-write"))
            res.end("b", lambda *_: log("server", "end-callback"))
            next_tick(lambda: log("server", "tick-after-end"))
            res.on("finish", lambda: log("server", "finish"))
            res.on("close", lambda: log("server", "close"))

        req.resume()
        req.on("end", on_end)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            body = [""]

            def on_data(d: Any) -> None:
                body[0] += d.decode("latin-1")

            def on_end() -> None:
                log("client", "end", body[0])
                server.close()

            res.on("data", on_data)
            res.on("end", on_end)

        req = request({"host": "127.0.0.1", "port": port, "method": "POST", "agent": False}, on_response)
        log("client", "write", req.write("x", lambda *_: log("client", "write-callback")))
        next_tick(lambda: log("client", "tick-after-write"))
        req.end("y", lambda *_: log("client", "end-callback"))
        req.on("finish", lambda: log("client", "finish"))
        req.on("socket", lambda sock: log("client", "socket"))
        req.on("close", lambda: log("client", "close"))

    listen(server, on_listening)


start(main)
