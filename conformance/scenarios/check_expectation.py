"""An Expect other than 100-continue: a 'checkExpectation' listener answers it; a server
without one answers 417 by itself."""

from __future__ import annotations

from collections.abc import Callable

from nodehttp import IncomingMessage, ServerResponse, create_server, request

from conformance.scenarios.harness import listen, log, start


def ask(port: int, tag: str, done: Callable[[], None]) -> None:
    req = request(host="127.0.0.1", port=port, path=f"/{tag}", agent=False,
                  headers={"Expect": "x-fancy"})

    def on_response(res: IncomingMessage) -> None:
        log(tag, "response", res.status_code, res.status_message, res.headers.get("x-seen"))
        res.resume()
        res.on("end", lambda: log(tag, "end"))

    def on_close() -> None:
        log(tag, "close")
        done()

    req.on("response", on_response)
    req.on("close", on_close)
    req.end()


def main() -> None:
    with_listener = create_server(lambda req, res: log("with", "request"))

    def on_check_expectation(req: IncomingMessage, res: ServerResponse) -> None:
        log("with", "checkExpectation", req.headers.get("expect"))
        res.set_header("X-Seen", req.headers["expect"])
        res.end("ok")

    with_listener.on("checkExpectation", on_check_expectation)
    without = create_server(lambda req, res: log("without", "request"))

    def both_listening(port1: int, port2: int) -> None:
        def second() -> None:
            def with_closed(*_: object) -> None:
                log("with", "closed")
                without.close(lambda *_: log("without", "closed"))

            def finished() -> None:
                with_listener.close(with_closed)

            ask(port2, "without", finished)

        ask(port1, "with", second)

    listen(with_listener, lambda port1: listen(without, lambda port2: both_listening(port1, port2)))


start(main)
