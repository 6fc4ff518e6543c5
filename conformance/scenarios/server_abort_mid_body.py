"""The server destroys its response mid-body: the client sees 'aborted', the response's
'error' (ECONNRESET "aborted") and the closes."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, start


def main() -> None:
    server_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def written(*_: Any) -> None:
            server_log("written")
            res.destroy()
            server.close()

        res.on("close", lambda: server_log("res-close", res.writable_ended, res.destroyed))
        res.on("error", lambda e: server_log("res-error", *err(e)))
        req.on("close", lambda: server_log("req-close"))
        res.write_head(200, {"Content-Length": "100"})
        res.write("0123456789", None, written)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code)
            body: list[bytes] = []
            res.on("data", body.append)
            res.on("aborted", lambda: log("client", "aborted", b"".join(body).decode("latin-1"),
                                          res.complete))
            res.on("error", lambda e: log("client", "res-error", *err(e)))
            res.on("end", lambda: log("client", "end"))
            res.on("close", lambda: log("client", "res-close"))

        req = get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)
        req.on("error", lambda e: log("client", "error", *err(e)))
        req.on("close", lambda: log("client", "close"))

    listen(server, on_listening)


start(main)
