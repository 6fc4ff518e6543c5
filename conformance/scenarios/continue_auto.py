"""100-continue without a 'checkContinue' listener: the server answers 100 by itself and the
client sends its body on 'continue'."""

from __future__ import annotations

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        log("server", "request", req.method, req.url, req.headers.get("expect"))
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            text = b"".join(body).decode("latin-1")
            log("server", "end", text)
            res.end(f"got {text}")

        req.on("end", on_end)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, method="POST", path="/upload", agent=False,
                      headers={"Expect": "100-continue", "Content-Length": "5"})

        def on_continue() -> None:
            log("client", "continue")
            req.end("hello")

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code)
            body: list[bytes] = []
            res.on("data", body.append)
            res.on("end", lambda: log("client", "end", b"".join(body).decode("latin-1")))

        def on_close() -> None:
            log("client", "close")
            server.close(lambda *_: log("server", "closed"))

        req.on("continue", on_continue)
        req.on("information", lambda info: log("client", "information", info["status_code"],
                                               info["status_message"]))
        req.on("response", on_response)
        req.on("close", on_close)

    listen(server, on_listening)


start(main)
