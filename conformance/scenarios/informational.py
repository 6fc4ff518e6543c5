"""1xx responses before the final one: write_processing, write_early_hints (two links) and
write_continue reach the client as 'information' (and 'continue'), in order."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.write_processing(lambda: log("server", "processing-written"))
        res.write_early_hints({"link": ["</a.css>; rel=preload; as=style",
                                        "</b.js>; rel=preload; as=script"], "x-hint": "h"},
                              lambda: log("server", "hints-written"))
        res.write_continue(lambda: log("server", "continue-written"))
        res.end("final")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def on_response(res: IncomingMessage) -> None:
            log("client", "response", res.status_code)
            res.resume()
            res.on("end", lambda: server.close())

        def on_information(info: dict[str, Any]) -> None:
            log("client", "information", info["status_code"], info["status_message"],
                info["http_version"], info["raw_headers"], info["headers"])

        req = get({"host": "127.0.0.1", "port": port, "agent": False}, on_response)
        req.on("information", on_information)
        req.on("continue", lambda: log("client", "continue"))

    listen(server, on_listening)


start(main)
