"""HTTP upgrade: the server takes the socket over after a 101 and echoes every byte.

    python examples/upgrade.py [asyncio|trio]

Node's 'upgrade' pair. The server's 'upgrade' listener gets the request, the raw socket
and ``head`` (bytes that arrived after the request head); from there the socket is no
longer HTTP. The client's 'upgrade' listener gets the 101 response, the socket and its
own ``head``. Without an 'upgrade' listener a server answers the request as a plain one
(Node 24) and a client destroys the socket.
"""

from __future__ import annotations

import sys
from typing import Any

import nodehttp
from nodehttp import IncomingMessage, ServerResponse


def plain(req: IncomingMessage, res: ServerResponse) -> None:
    res.end("plain HTTP\n")


def main() -> None:
    server = nodehttp.create_server(plain)

    def on_upgrade(req: IncomingMessage, socket: Any, head: bytes) -> None:
        socket.write(b"HTTP/1.1 101 Switching Protocols\r\n"
                     b"Upgrade: echo\r\n"
                     b"Connection: Upgrade\r\n"
                     b"\r\n")
        if head:
            socket.write(head)
        socket.on("data", socket.write)  # echo
        socket.on("end", socket.end)

    server.on("upgrade", on_upgrade)

    def on_listening() -> None:
        address = server.address()  # a dict for TCP, the path for a unix socket
        assert isinstance(address, dict)
        port = address["port"]
        req = nodehttp.request({"host": "127.0.0.1", "port": port,
                                "headers": {"Connection": "Upgrade", "Upgrade": "echo"}})

        def on_client_upgrade(res: IncomingMessage, socket: Any, head: bytes) -> None:
            print("upgraded:", res.status_code, res.headers["upgrade"])

            def on_data(data: bytes) -> None:
                print("echoed:", data)
                socket.end()

            socket.on("data", on_data)
            socket.on("close", lambda *_: server.close())
            socket.write(b"ping")

        req.on("upgrade", on_client_upgrade)
        req.end()

    server.listen(0, "127.0.0.1", on_listening)


if __name__ == "__main__":
    nodehttp.run(main, backend=sys.argv[1] if len(sys.argv) > 1 else "asyncio")
