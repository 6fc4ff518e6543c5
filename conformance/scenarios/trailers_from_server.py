"""Trailers from the server: a chunked response with add_trailers; the client reads
raw_trailers and trailers after 'end'."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.set_header("Trailer", "X-Sum, X-Note")
        res.write("abc")
        res.add_trailers({"X-Sum": "42", "X-Note": "done"})
        res.end("def")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.headers.get("transfer-encoding"),
                res.headers.get("trailer"))
            log("client", "trailers-before-end", res.raw_trailers)
            body: list[bytes] = []
            res.on("data", body.append)

            def on_end() -> None:
                log("client", "end", b"".join(body).decode("latin-1"), res.raw_trailers,
                    res.trailers)
                server.close(lambda *_: log("server", "closed"))

            res.on("end", on_end)

        get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)

    listen(server, on_listening)


start(main)
