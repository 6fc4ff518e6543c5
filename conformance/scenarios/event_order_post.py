"""The whole event sequence of one POST, both ends: socket, connection, request, data, end,
finish, response, close."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.method, req.url, req.http_version,
            req.headers.get("content-length"))

        def on_end() -> None:
            log("server", "end", req.complete)
            res.set_header("X-Echo", "yes")
            res.end("thanks")

        req.on("data", lambda d: log("server", "data", d.decode("latin-1")))
        req.on("end", on_end)
        req.on("close", lambda: log("server", "req-close"))
        res.on("finish", lambda: log("server", "finish", res.writable_finished))
        res.on("close", lambda: log("server", "res-close"))

    server = create_server(handler)
    server.on("connection", lambda sock: log("server", "connection"))

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.headers.get("x-echo"),
                res.headers.get("connection"))

            def on_close() -> None:
                log("client", "res-close")
                server.close()

            res.on("data", lambda d: log("client", "data", d.decode("latin-1")))
            res.on("end", lambda: log("client", "end", res.complete))
            res.on("close", on_close)

        req = request({"host": "127.0.0.1", "port": port, "method": "POST", "path": "/form",
                       "agent": False, "headers": {"Content-Type": "text/plain"}}, on_response)
        req.on("socket", lambda sock: log("client", "socket"))
        req.on("finish", lambda: log("client", "finish"))
        req.on("close", lambda: log("client", "close"))
        req.end("name=value")
        log("client", "ended", req.writable_ended, req.writable_finished)

    listen(server, on_listening)


start(main)
