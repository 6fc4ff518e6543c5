"""Client timeouts on a silent server: req.set_timeout and the timeout option emit 'timeout'
and leave the request alone; destroying it gives 'socket hang up'."""

from __future__ import annotations

from nodehttp import ClientRequest, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import deferred, err, listen, log, start


def main() -> None:
    server_log = deferred("server")

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        server_log("request", req.url)

    server = create_server(handler)

    def on_listening(port: int) -> None:
        def watch(tag: str, req: ClientRequest) -> None:
            req.on("socket", lambda sock: log(tag, "socket"))
            req.on("error", lambda e: log(tag, "error", *err(e)))
            req.on("close", lambda: log(tag, "close"))

        via_method = get({"host": "127.0.0.1", "port": port, "path": "/method", "agent": False})
        watch("method", via_method)

        def on_method_timeout() -> None:
            log("method", "timeout", via_method.destroyed)
            via_method.destroy()
            via_option = get({"host": "127.0.0.1", "port": port, "path": "/option",
                              "agent": False, "timeout": 100})
            watch("option", via_option)

            def on_option_timeout() -> None:
                log("option", "timeout", via_option.destroyed)
                via_option.destroy(Exception("gave up"))
                server.close()

            via_option.on("timeout", on_option_timeout)

        via_method.set_timeout(100, on_method_timeout)

    listen(server, on_listening)


start(main)
