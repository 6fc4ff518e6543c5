"""The server closes an idle pooled socket (keep_alive_timeout 100 ms, no buffer) while the
agent believes a longer hint: the pool drops it and the next request connects anew."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    connections = [0]

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.set_header("Keep-Alive", "timeout=5")
        res.end("ok")

    def on_connection(sock: Any) -> None:
        connections[0] += 1
        n = connections[0]
        sock.on("timeout", lambda: log("server", "socket-timeout", n))

    server = create_server(handler)
    server.keep_alive_timeout = 100
    server.keep_alive_timeout_buffer = 0
    server.on("connection", on_connection)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def free_count() -> int:
            return len(agent.free_sockets.get(name, []))

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", 1, res.headers.get("keep-alive"))
            res.resume()

        def second() -> None:
            log("agent", "free-after-close", free_count())

            def on_second(res: IncomingMessage) -> None:
                log("client", "response", 2, again.reused_socket, connections[0])
                res.resume()

                def on_end() -> None:
                    agent.destroy()
                    server.close(lambda *_: log("server", "closed"))

                res.on("end", on_end)

            again = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_second)

        def on_socket(sock: Any) -> None:
            def on_close(*_: Any) -> None:
                log("client", "socket-close")
                next_tick(second)

            sock.on("close", on_close)

        req = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_response)
        req.on("close", lambda: next_tick(lambda: log("agent", "free", free_count())))
        req.on("socket", on_socket)

    listen(server, on_listening)


start(main)
