"""max_requests_per_socket=2 through a keep-alive agent: the second response says
Connection: close with Keep-Alive max=2, so the third request needs a new socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    connections = [0]

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end(req.url)

    def on_connection(sock: Any) -> None:
        connections[0] += 1

    server = create_server(handler)
    server.max_requests_per_socket = 2
    server.on("connection", on_connection)
    server.on("dropRequest", lambda *_: log("server", "dropRequest"))

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)

        def send(i: int, then: Callable[[], None]) -> None:
            def on_response(res: IncomingMessage) -> None:
                log("client", "response", i, res.status_code, res.headers.get("connection"),
                    res.headers.get("keep-alive"), req.reused_socket, connections[0])
                res.resume()

            req = get({"host": "127.0.0.1", "port": port, "path": f"/{i}", "agent": agent},
                      on_response)
            req.on("close", lambda: next_tick(then))

        def finish() -> None:
            agent.destroy()
            server.close()

        send(1, lambda: send(2, lambda: send(3, finish)))

    listen(server, on_listening)


start(main)
