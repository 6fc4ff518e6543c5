"""The server ends an idle pooled socket: the free socket reads EOF and is destroyed at once
(Node 24 emits no 'end' for it) and leaves the pool."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    server_sockets: list[Any] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end("ok")

    server = create_server(handler)
    server.on("connection", server_sockets.append)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def free_count() -> int:
            return len(agent.free_sockets.get(name, []))

        def on_socket(sock: Any) -> None:
            def on_close(had_error: bool) -> None:
                log("client", "socket-close", had_error, free_count())
                agent.destroy()
                server.close(lambda *_: log("server", "closed"))

            sock.on("end", lambda: log("client", "socket-end"))
            sock.on("close", on_close)

        def end_it() -> None:
            log("agent", "free", free_count())
            server_sockets[0].end()

        req = get({"host": "127.0.0.1", "port": port, "agent": agent},
                  lambda res: res.resume())
        req.on("socket", on_socket)
        req.on("close", lambda: next_tick(end_it))

    listen(server, on_listening)


start(main)
