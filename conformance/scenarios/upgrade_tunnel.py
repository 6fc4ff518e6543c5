"""An Upgrade handshake: the server's 'upgrade' listener answers 101 plus early bytes (the
client's head), then both sides talk over the raw socket."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, create_server, request

from conformance.scenarios.harness import deferred, listen, log, start


def main() -> None:
    server_log = deferred("server")
    server = create_server(lambda req, res: log("server", "request"))

    def on_upgrade(req: IncomingMessage, socket: Any, head: bytes) -> None:
        log("server", "upgrade", req.method, req.url, req.headers.get("upgrade"),
            req.headers.get("connection"), len(head))
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\n"
                     "Connection: Upgrade\r\n\r\nwelcome;")
        got: list[str] = []

        def on_data(d: bytes) -> None:
            got.append(d.decode("latin-1"))
            if "".join(got).endswith("."):
                socket.end("".join(got).upper())

        socket.on("data", on_data)
        socket.on("close", lambda *_: server_log("socket-close", "".join(got)))

    server.on("upgrade", on_upgrade)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, path="/chat", agent=False,
                      headers={"Connection": "Upgrade", "Upgrade": "shout"})

        def on_client_upgrade(res: IncomingMessage, socket: Any, head: bytes) -> None:
            log("client", "upgrade", res.status_code, res.status_message, res.headers.get("upgrade"),
                head.decode("latin-1"))
            got: list[str] = []

            def on_data(d: bytes) -> None:
                got.append(d.decode("latin-1"))

            def on_close(*_: Any) -> None:
                log("client", "socket-close")
                server.close()

            socket.on("data", on_data)
            socket.on("end", lambda: log("client", "socket-end", "".join(got)))
            socket.on("close", on_close)
            socket.write("hello there.")

        req.on("response", lambda res: log("client", "response"))
        req.on("upgrade", on_client_upgrade)
        req.on("close", lambda: log("client", "req-close"))
        req.end()

    listen(server, on_listening)


start(main)
