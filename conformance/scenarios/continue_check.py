"""100-continue with a 'checkContinue' listener: no 'request' event; the listener sends 100
with write_continue, then answers."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    server = create_server(lambda req, res: log("server", "request"))

    def on_check_continue(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "checkContinue", req.method, req.headers.get("expect"))
        res.write_continue(lambda: log("server", "continue-written"))
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            text = b"".join(body).decode("latin-1")
            log("server", "end", text)
            res.write_head(201, {"Content-Type": "text/plain"})
            res.end(text.upper())

        req.on("end", on_end)

    server.on("checkContinue", on_check_continue)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, method="PUT", path="/c", agent=False,
                      headers={"Expect": "100-continue", "Content-Length": "4"})

        def on_continue() -> None:
            log("client", "continue")
            req.write("ab")
            req.end("cd")

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code, res.headers.get("content-type"))
            body: list[bytes] = []
            res.on("data", body.append)
            res.on("end", lambda: log("client", "end", b"".join(body).decode("latin-1")))
            res.on("close", lambda: log("client", "res-close"))

        def on_close() -> None:
            log("client", "close")
            server.close(lambda *_: log("server", "closed"))

        req.on("continue", on_continue)
        req.on("finish", lambda: log("client", "finish"))
        req.on("response", on_response)
        req.on("close", on_close)

    listen(server, on_listening)


start(main)
