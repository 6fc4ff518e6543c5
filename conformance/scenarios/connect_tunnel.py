"""A CONNECT tunnel: the server's 'connect' listener answers 200 and relays bytes; the
client's 'connect' event gets the socket and the head."""

from __future__ import annotations

from typing import Any

from nodehttp import IncomingMessage, create_server, request

from conformance.scenarios.harness import deferred, listen, log, start


def main() -> None:
    server_log = deferred("server")
    server = create_server(lambda req, res: log("server", "request"))

    def on_connect(req: IncomingMessage, socket: Any, head: bytes) -> None:
        address = server.address()
        assert isinstance(address, dict)
        log("server", "connect", req.method, req.url,
            req.headers.get("host") == f"127.0.0.1:{address['port']}", len(head))
        socket.write("HTTP/1.1 200 Connection Established\r\nProxy-Agent: scenario\r\n\r\n")
        got: list[str] = []

        def on_data(d: bytes) -> None:
            got.append(d.decode("latin-1"))
            if "".join(got).endswith("!"):
                socket.end(f"tunnelled:{''.join(got)}")

        socket.on("data", on_data)
        socket.on("close", lambda *_: server_log("socket-close", "".join(got)))

    server.on("connect", on_connect)

    def on_listening(port: int) -> None:
        req = request(host="127.0.0.1", port=port, method="CONNECT", path="example.test:443",
                      agent=False)

        def on_client_connect(res: IncomingMessage, socket: Any, head: bytes) -> None:
            log("client", "connect", res.status_code, res.status_message,
                res.headers.get("proxy-agent"), len(head))
            got: list[str] = []

            def on_data(d: bytes) -> None:
                got.append(d.decode("latin-1"))

            def on_close(*_: Any) -> None:
                log("client", "socket-close")
                server.close()

            socket.on("data", on_data)
            socket.on("end", lambda: log("client", "socket-end", "".join(got)))
            socket.on("close", on_close)
            socket.write("GET / over the tunnel!")

        req.on("response", lambda res: log("client", "response"))
        req.on("connect", on_client_connect)
        req.on("close", lambda: log("client", "req-close"))
        req.end()

    listen(server, on_listening)


start(main)
