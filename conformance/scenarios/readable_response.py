"""A client reads a response with 'readable' and read(): the server sends "abc", and "def"
with the end only once the client, having read "abc", has finished its request. Ticks,
'complete' at each 'readable', 'end' and 'close' on the client's side."""

from __future__ import annotations

from typing import Any

from nodehttp import ClientRequest, IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import deferred, listen, log, next_tick, start


def main() -> None:
    srv = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        got = [""]
        res.write("abc")

        def on_data(d: Any) -> None:
            got[0] += d.decode("latin-1")

        def on_end() -> None:
            srv("request-body", got[0])
            res.end("def")
            server.close()

        req.on("data", on_data)
        req.on("end", on_end)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        holder: list[ClientRequest] = []

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.complete)
            next_tick(lambda: log("client", "tick-after-response"))

            def on_readable() -> None:
                log("client", "readable", res.complete)
                while (chunk := res.read()) is not None:
                    assert isinstance(chunk, bytes)  # str only after set_encoding
                    text = chunk.decode("latin-1")
                    log("client", "read", text)
                    if text == "abc":
                        holder[0].end("go")
                log("client", "read-null")

            res.on("readable", on_readable)
            res.on("end", lambda: log("client", "end", res.complete))
            res.on("close", lambda: log("client", "res-close"))

        req = request({"host": "127.0.0.1", "port": port, "method": "POST", "path": "/stream",
                       "agent": False}, on_response)
        holder.append(req)
        req.on("close", lambda: log("client", "req-close"))
        req.write("x")

    listen(server, on_listening)


start(main)
