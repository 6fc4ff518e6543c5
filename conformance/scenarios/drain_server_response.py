"""Backpressure on a response: a 16 MiB write returns false, 'drain' follows once the client
has read enough, and the server ends then."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, start

SIZE = 16 * 1024 * 1024


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.write_head(200, {"Content-Length": str(SIZE + 4)})
        drains = [0]

        def on_drain() -> None:
            drains[0] += 1
            log("server", "drain", drains[0])
            if drains[0] == 1:
                log("server", "write-tail", res.end("tail") is res)

        res.on("drain", on_drain)
        res.on("finish", lambda: log("server", "finish", drains[0]))
        log("server", "write", res.write(b"a" * SIZE))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            total = [0]
            tail = [""]

            def on_data(d: bytes) -> None:
                total[0] += len(d)
                tail[0] = (tail[0] + d[-6:].decode("latin-1"))[-6:]

            def on_end() -> None:
                log("client", "end", total[0], tail[0])
                server.close()

            res.on("data", on_data)
            res.on("end", on_end)

        get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)

    listen(server, on_listening)


start(main)
