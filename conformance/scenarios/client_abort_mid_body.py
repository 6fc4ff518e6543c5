"""The client destroys its request while the response body streams: its events, then (logged
apart, as they come from the other end) the server's."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, start


def main() -> None:
    server_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def on_res_close() -> None:
            server_log("res-close", res.writable_ended, res.writable_finished)
            server.close()

        req.on("close", lambda: server_log("req-close", req.complete))
        req.on("aborted", lambda: server_log("req-aborted"))
        req.on("error", lambda e: server_log("req-error", *err(e)))
        res.on("close", on_res_close)
        res.on("finish", lambda: server_log("finish"))
        res.on("error", lambda e: server_log("res-error", *err(e)))
        res.write_head(200, {"Content-Type": "text/plain"})
        res.write("first part;")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.headers.get("transfer-encoding"))

            def on_data(d: bytes) -> None:
                log("client", "data", d.decode("latin-1"))
                req.destroy()
                log("client", "destroyed", req.destroyed, res.destroyed, res.complete)

            res.on("data", on_data)
            res.on("aborted", lambda: log("client", "res-aborted"))
            res.on("error", lambda e: log("client", "res-error", *err(e)))
            res.on("end", lambda: log("client", "res-end"))
            res.on("close", lambda: log("client", "res-close"))

        req = get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)
        req.on("error", lambda e: log("client", "error", *err(e)))
        req.on("close", lambda: log("client", "close"))

    listen(server, on_listening)


start(main)
