"""Half-close on an upgraded socket: the client writes and ends at once; the server answers
after the client's 'end', and Node's client, half-closed, still reads it."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, create_server, request

from conformance.scenarios.harness import deferred, listen, log, start


def main() -> None:
    server_log = deferred("server")
    server = create_server()

    def on_upgrade(req: IncomingMessage, socket: Any, head: bytes) -> None:
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
        got: list[bytes] = []

        def on_end() -> None:
            server_log("socket-end", b"".join(got).decode("latin-1"))
            socket.end("reply after your end")

        socket.on("data", got.append)
        socket.on("end", on_end)
        socket.on("close", lambda *_: server_log("socket-close"))

    server.on("upgrade", on_upgrade)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, agent=False,
                      headers={"Connection": "Upgrade", "Upgrade": "x"})

        def on_client_upgrade(res: IncomingMessage, socket: Any, head: bytes) -> None:
            log("client", "upgrade", res.status_code)
            got: list[bytes] = []

            def on_close(*_: Any) -> None:
                log("client", "socket-close", b"".join(got).decode("latin-1"))
                server.close()

            socket.on("data", got.append)
            socket.on("end", lambda: log("client", "socket-end", b"".join(got).decode("latin-1")))
            socket.on("close", on_close)
            socket.end("request and goodbye")
            log("client", "ended", socket.writable, socket.readable)

        req.on("upgrade", on_client_upgrade)
        req.end()

    listen(server, on_listening)


start(main)
