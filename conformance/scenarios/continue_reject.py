"""100-continue refused: the 'checkContinue' listener answers 417 without write_continue, so
the client never sends its body."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import err, listen, log, start


def main() -> None:
    server = create_server(lambda req, res: log("server", "request"))

    def on_check_continue(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "checkContinue", req.url)
        req.on("close", lambda: log("server", "req-close", req.complete))
        res.on("finish", lambda: log("server", "finish"))
        res.on("close", lambda: log("server", "res-close"))
        res.write_head(417, {"Content-Length": "4"})
        res.end("nope")

    server.on("checkContinue", on_check_continue)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, method="POST", path="/big", agent=False,
                      headers={"Expect": "100-continue", "Content-Length": "1000"})

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.headers.get("connection"))
            body: list[bytes] = []
            res.on("data", body.append)

            def on_end() -> None:
                log("client", "end", b"".join(body).decode("latin-1"))
                req.destroy()

            res.on("end", on_end)

        def on_close() -> None:
            log("client", "close")
            server.close(lambda *_: log("server", "closed"))

        def on_error(e: Any) -> None:
            log("client", "error", *err(e))

        req.on("continue", lambda: log("client", "continue"))
        req.on("error", on_error)
        req.on("response", on_response)
        req.on("close", on_close)

    listen(server, on_listening)


start(main)
