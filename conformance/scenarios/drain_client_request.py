"""Backpressure on a request: before the socket connects a small write returns true and a
16 MiB one false; 'drain' comes once, then the request ends."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start

SIZE = 16 * 1024 * 1024


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        total = [0]

        def on_data(d: bytes) -> None:
            total[0] += len(d)

        req.on("data", on_data)
        req.on("end", lambda: res.end(str(total[0])))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        drains = [0]

        def on_response(res: IncomingMessage) -> None:
            body: list[bytes] = []
            res.on("data", body.append)

            def on_end() -> None:
                log("client", "response", res.status_code, b"".join(body).decode("latin-1"),
                    drains[0])
                server.close()

            res.on("end", on_end)

        def on_drain() -> None:
            drains[0] += 1
            log("client", "drain", drains[0])
            if drains[0] == 1:
                req.end("end")

        req = request({"host": "127.0.0.1", "port": port, "method": "PUT", "agent": False,
                       "headers": {"Content-Length": str(SIZE + 8)}}, on_response)
        req.on("drain", on_drain)
        req.on("finish", lambda: log("client", "finish"))
        log("client", "write-small", req.write("small"))
        log("client", "write", req.write(b"b" * SIZE))

    listen(server, on_listening)


start(main)
