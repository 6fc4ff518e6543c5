"""end()'s callback against 'finish' listeners added before it, both ends: Node 24 queues
end callbacks apart and calls them (with null) just before 'finish', so they come first; an
end callback given after 'finish' gets ERR_STREAM_ALREADY_FINISHED at once."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get, request

from conformance.scenarios.harness import err, listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        url = req.url

        def finish_1() -> None:
            log("server", url, "finish-1")
            res.end(lambda e: log("server", url, "late-end-callback", err(e)))
            log("server", url, "after-late-end")

        def end_callback(e: Any) -> None:
            log("server", url, "end-callback", e is None)

        res.on("finish", finish_1)
        if url == "/chunk":
            res.end("ok", end_callback)
        elif url == "/empty":
            res.end(end_callback)
        else:
            res.write("a")
            res.end(end_callback)
        res.on("finish", lambda: log("server", url, "finish-2"))

    server = create_server(handler)

    def on_listening(port: int) -> None:
        paths = ["/chunk", "/empty", "/written"]

        def next_request(*_: Any) -> None:
            if not paths:
                def on_response(res: IncomingMessage) -> None:
                    res.resume()
                    res.on("end", lambda: server.close())

                req = request({"host": "127.0.0.1", "port": port, "method": "POST", "agent": False}, on_response)
                req.on("finish", lambda: log("client", "finish"))
                req.end("body", lambda e: log("client", "end-callback", e is None))
                return

            def on_got(res: IncomingMessage) -> None:
                res.resume()
                res.on("end", next_request)

            get({"host": "127.0.0.1", "port": port, "path": paths.pop(0), "agent": False}, on_got)

        next_request()

    listen(server, on_listening)


start(main)
