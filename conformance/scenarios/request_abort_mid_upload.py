"""The client destroys its request halfway through a Content-Length upload: the server's
request sees 'aborted', 'error' (ECONNRESET "aborted") and 'close'."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import err, listen, log, start


def main() -> None:
    client_req: list[Any] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.headers.get("content-length"))

        def on_data(d: bytes) -> None:
            log("server", "data", d.decode("latin-1"))
            client_req[0].destroy()

        def on_close() -> None:
            log("server", "req-close", req.destroyed)
            server.close()

        req.on("data", on_data)
        req.on("aborted", lambda: log("server", "aborted", req.complete))
        req.on("error", lambda e: log("server", "req-error", *err(e)))
        req.on("end", lambda: log("server", "end"))
        req.on("close", on_close)
        res.on("close", lambda: log("server", "res-close", res.headers_sent))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, method="POST", agent=False,
                      headers={"Content-Length": "20"})
        client_req.append(req)
        req.on("error", lambda e: log("client", "error", *err(e)))
        req.on("close", lambda: log("client", "close"))
        req.write("first half")

    listen(server, on_listening)


start(main)
