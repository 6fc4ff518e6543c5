"""Bytes arriving on an idle pooled socket (a stray response): Node 24 destroys the socket
rather than keep it for the next request."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    server_sockets: list[Any] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end(f"ok {len(server_sockets)}")

    server = create_server(handler)
    server.on("connection", server_sockets.append)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)
        name = agent.get_name({"host": "127.0.0.1", "port": port})

        def free_count() -> int:
            return len(agent.free_sockets.get(name, []))

        def again() -> None:
            def on_response(res: IncomingMessage) -> None:
                body: list[bytes] = []
                res.on("data", body.append)

                def on_end() -> None:
                    log("client", "response", 2, b"".join(body).decode("latin-1"),
                        req2.reused_socket)
                    agent.destroy()
                    server.close(lambda *_: log("server", "closed"))

                res.on("end", on_end)

            req2 = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_response)

        def on_response(res: IncomingMessage) -> None:
            log("client", "response", 1, res.status_code)
            res.resume()

        def on_socket(sock: Any) -> None:
            def on_close(*_: Any) -> None:
                log("client", "socket-close", free_count())
                again()

            sock.on("end", lambda: log("client", "socket-end"))
            sock.on("error", lambda e: log("client", "socket-error", e.code))
            sock.on("close", on_close)

        def poison() -> None:
            log("agent", "free", free_count())
            server_sockets[0].write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nstray!")

        req = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_response)
        req.on("socket", on_socket)
        req.on("close", lambda: next_tick(poison))

    listen(server, on_listening)


start(main)
