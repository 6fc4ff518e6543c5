"""The client destroys the response (not the request) mid-body: the socket goes, and the
events are those of a response torn down by its reader."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, start


def main() -> None:
    server_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        def on_close() -> None:
            server_log("res-close", res.writable_ended)
            server.close()

        res.on("close", on_close)
        res.write("chunk one;")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code)

            def on_data(d: bytes) -> None:
                log("client", "data", d.decode("latin-1"))
                res.destroy()
                log("client", "destroyed", res.destroyed, req.destroyed)

            res.once("data", on_data)
            res.on("aborted", lambda: log("client", "aborted"))
            res.on("error", lambda e: log("client", "res-error", *err(e)))
            res.on("end", lambda: log("client", "end"))
            res.on("close", lambda: log("client", "res-close", res.aborted))

        req = get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)
        req.on("error", lambda e: log("client", "error", *err(e)))
        req.on("close", lambda: log("client", "close"))

    listen(server, on_listening)


start(main)
