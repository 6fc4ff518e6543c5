"""max_free_sockets=1: of two sockets freed in a known order, the first stays in the pool and
the second is destroyed."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, ClientRequest, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    held: dict[str, ServerResponse] = {}

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        held[req.url] = res
        if len(held) == 2:
            held["/1"].end("1")

    server = create_server(handler)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True, max_free_sockets=1)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def counts() -> list[int]:
            return [len(agent.free_sockets.get(name, [])), len(agent.sockets.get(name, []))]

        def send(i: int) -> ClientRequest:
            return get({"host": "127.0.0.1", "port": port, "path": f"/{i}", "agent": agent},
                       lambda res: res.resume())

        r1 = send(1)
        r2 = send(2)

        def first() -> None:
            log("agent", "free", 1, *counts())
            held["/2"].end("2")

        def on_socket_close(*_: Any) -> None:
            log("client", "socket-close", 2, r1.socket.destroyed, *counts())
            agent.destroy()
            server.close(lambda *_: log("server", "closed"))

        r1.on("close", lambda: next_tick(first))
        r2.on("close", lambda: next_tick(lambda: log("agent", "free", 2, *counts())))
        r2.on("socket", lambda sock: sock.on("close", on_socket_close))

    listen(server, on_listening)


start(main)
