"""A server reads request bodies with 'readable' and read(): a GET, a POST whose body comes in
two parts (the second sent once the server has answered the first), and the same with a
'data' listener too. Ticks after each chunk, 'complete' at each 'readable', 'end' and 'close'."""

from __future__ import annotations

from typing import Any

from nodehttp import ClientRequest, IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import deferred, listen, log, next_tick, start


def main() -> None:
    client = deferred("client")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        url = req.url
        log("server", "request", req.method, url)
        if url == "/both":
            req.on("data", lambda d: log("server", "data", url, d.decode("latin-1")))

        def on_readable() -> None:
            log("server", "readable", url, req.complete)
            while (chunk := req.read()) is not None:
                assert isinstance(chunk, bytes)  # str only after set_encoding
                text = chunk.decode("latin-1")
                log("server", "read", url, text)
                if text == "abc":
                    res.write("got abc")
            log("server", "read-null", url)

        def on_end() -> None:
            log("server", "end", url, req.complete)
            res.end("done")

        req.on("readable", on_readable)
        req.on("end", on_end)
        req.on("close", lambda: log("server", "req-close", url))
        res.on("finish", lambda: log("server", "finish", url))
        next_tick(lambda: log("server", "tick-after-request", url))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        paths = ["/get", "/post", "/both"]

        def next_request() -> None:
            if not paths:
                server.close()
                return
            path = paths.pop(0)
            method = "GET" if path == "/get" else "POST"
            holder: list[ClientRequest] = []
            body = [""]

            def on_response(res: IncomingMessage) -> None:
                def on_data(d: Any) -> None:
                    body[0] += d.decode("latin-1")
                    if method == "POST" and body[0] == "got abc":
                        holder[0].end("def")

                def on_end() -> None:
                    client("response", path, res.status_code, body[0])
                    next_request()

                res.on("data", on_data)
                res.on("end", on_end)

            req = request({"host": "127.0.0.1", "port": port, "method": method, "path": path,
                           "agent": False}, on_response)
            holder.append(req)
            if method == "GET":
                req.end()
            else:
                req.write("abc")

        next_request()

    listen(server, on_listening)


start(main)
