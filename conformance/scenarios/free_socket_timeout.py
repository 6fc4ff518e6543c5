"""An Agent's timeout on a free socket: the idle pooled socket times out, is destroyed and
leaves the pool; the next request opens a new one."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    connections = [0]

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end("ok")

    def on_connection(sock: Any) -> None:
        connections[0] += 1

    server = create_server(handler)
    server.on("connection", on_connection)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True, timeout=150)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def free_count() -> int:
            return len(agent.free_sockets.get(name, []))

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", 1, res.status_code)
            res.resume()

        def second() -> None:
            log("agent", "free-after-close", free_count(), len(agent.sockets.get(name, [])))

            def on_second(res: IncomingMessage) -> None:
                log("client", "response", 2, res.status_code, again.reused_socket, connections[0])
                res.resume()

                def on_end() -> None:
                    agent.destroy()
                    server.close(lambda *_: log("server", "closed"))

                res.on("end", on_end)

            again = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_second)

        def on_socket(sock: Any) -> None:
            sock.on("timeout", lambda: log("socket", "timeout", free_count()))

            def on_close(*_: Any) -> None:
                log("socket", "close", sock.destroyed)
                next_tick(second)

            sock.on("close", on_close)

        req = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_response)
        req.on("timeout", lambda: log("client", "req-timeout", 1))
        req.on("socket", on_socket)
        req.on("close", lambda: next_tick(lambda: log("agent", "free", free_count())))

    listen(server, on_listening)


start(main)
