"""The server's Keep-Alive hint: timeout=1 leaves the agent no time (1 s minus its 1 s
buffer), so the socket is closed rather than pooled; timeout=3 is pooled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    connections = [0]
    done = [False]  # socket closes at teardown race the server's 'close': not logged

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.set_header("Keep-Alive", f"timeout={req.url[1:]}")
        res.end("ok")

    def on_connection(sock: Any) -> None:
        connections[0] += 1

    server = create_server(handler)
    server.on("connection", on_connection)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def send(hint: int, then: Callable[[], None]) -> None:
            def on_response(res: IncomingMessage) -> None:
                log("client", "response", hint, res.headers.get("keep-alive"), req.reused_socket,
                    connections[0])
                res.resume()

            def after() -> None:
                log("agent", "free", hint, len(agent.free_sockets.get(name, [])))
                then()

            req = get({"host": "127.0.0.1", "port": port, "path": f"/{hint}", "agent": agent},
                      on_response)
            def on_socket_close(*_: Any) -> None:
                if not done[0]:
                    log("client", "socket-close", hint)

            req.on("socket", lambda sock: sock.on("close", on_socket_close))
            req.on("close", lambda: next_tick(after))

        def finish() -> None:
            done[0] = True
            agent.destroy()
            server.close(lambda *_: log("server", "closed"))

        send(1, lambda: send(3, lambda: send(3, finish)))

    listen(server, on_listening)


start(main)
