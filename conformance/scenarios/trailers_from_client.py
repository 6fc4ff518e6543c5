"""Trailers from the client: a chunked POST with add_trailers; the server reads raw_trailers
and trailers after 'end'."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.headers.get("transfer-encoding"), req.headers.get("trailer"))
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            log("server", "end", b"".join(body).decode("latin-1"), req.raw_trailers, req.trailers)
            res.end()

        req.on("end", on_end)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code)
            res.resume()
            res.on("end", lambda: server.close(lambda *_: log("server", "closed")))

        req = request({"host": "127.0.0.1", "port": port, "method": "POST", "agent": False,
                       "headers": {"Trailer": "X-Check"}}, on_response)
        req.write("one,")
        req.write("two")
        req.add_trailers([["X-Check", "ok"], ["X-Check", "again"]])
        req.end()

    listen(server, on_listening)


start(main)
